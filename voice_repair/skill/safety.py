"""``safety``: the emergency routes, the one that fits first. No script, no pause timer.

The reply is built from one sentence per route, in the order that fits what was said (the
``route`` slot from the danger scan): self-harm leads with the crisis line, violence or fear with
emergency services and the domestic-violence line, a medical emergency with emergency services,
anything else with emergency services. Every reply still names every route, so a wrong guess
costs one sentence. A route the configured country has no line for (``Content.contacts`` holds
"") gets general advice (``safety.no_*``), never another country's number.

Then danger is a mode change: the pause and any round end (their repeats with them) and every
reminder is held, so nothing invites the couple back to a talk with someone they just said hurt
them; one short line says so, and how to undo it ("keep the reminder"), because a false alarm
must cost little.
"""

from __future__ import annotations

from ..models import Effect, EndPause, EndRound, HoldReminders, IntentMatch, Mode, Reply, Say, State
from .context import Context

__all__ = ["safety", "PLANS"]

PLANS: dict[str, tuple[tuple[str | None, str], ...]] = {
    "general": (
        ("emergency_number", "safety.emergency"),
        ("crisis_line", "safety.crisis"),
        ("dv_hotline", "safety.dv"),
        (None, "safety.close"),
    ),
    "self_harm": (
        ("crisis_line", "safety.crisis_first"),
        ("emergency_number", "safety.emergency_after"),
        ("dv_hotline", "safety.dv"),
    ),
    "violence": (
        ("emergency_number", "safety.emergency"),
        ("dv_hotline", "safety.dv_first"),
        ("crisis_line", "safety.crisis"),
        (None, "safety.close"),
    ),
    "medical": (
        ("emergency_number", "safety.medical"),
        ("dv_hotline", "safety.dv"),
        ("crisis_line", "safety.crisis"),
    ),
}
"""Route of the danger -> (contact, reply key) in the order said. ``safety.x`` becomes
``safety.no_x`` when the contact is not set; a None contact is always said."""


def safety(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """``safety``: every route, the fitting one first, as one spoken reply; then the mode
    after danger (timers ended, reminders held, said in one line)."""
    route = str(match.slots.get("route", ""))
    contacts, pick = ctx.content.contacts, state.turn
    sentences: list[str] = []
    for contact, key in PLANS.get(route, PLANS["general"]):
        if contact == "dv_hotline":
            sentences += _domestic_violence(ctx, key, pick)
        elif contact is None or contacts.get(contact):
            sentences.append(ctx.content.line(key, pick))
        else:
            sentences.append(ctx.content.line(key.replace("safety.", "safety.no_"), pick))
    effects: tuple[Effect, ...] = ()
    if state.pause is not None:
        effects += (EndPause(),)
    if state.round is not None:
        effects += (EndRound(),)
    says = (Say(text=" ".join(sentences), source=match.intent),)
    if match.slots.get("offer") == "ground":  # may be panic: grounding, after the emergency line
        says += (ctx.say("safety.ground_offer", match.intent, state.turn),)
    if state.reminders:
        effects += (HoldReminders(),)
        says += (ctx.say("safety.held_reminders", match.intent, state.turn),)
    elif effects:
        says += (ctx.say("safety.held", match.intent, state.turn),)
    return Reply(says=says, effects=effects, mode=Mode.AFTER_DANGER)


def _domestic_violence(ctx: Context, key: str, pick: int) -> list[str]:
    """The phone line, then the text line if the country has one; general advice for neither."""
    phone, text = ctx.content.contacts.get("dv_hotline"), ctx.content.contacts.get("dv_text")
    if phone:
        also = [ctx.content.line("safety.dv_text")] if text else []
        return [ctx.content.line(key, pick), *also]
    if text:
        return [ctx.content.line("safety.dv_text_only")]
    return [ctx.content.line("safety.no_dv", pick)]
