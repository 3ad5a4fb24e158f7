"""Stop, repeat, help, and the two answers that are never scripts: support and safety."""

from __future__ import annotations

from dataclasses import replace

from ..models import (
    Effect,
    EndPause,
    EndRound,
    HoldReminders,
    IntentMatch,
    Mode,
    Reply,
    State,
    StopAlarm,
)
from .context import Context
from .spoken import clock


def stop(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """``control.stop``: silence speech (the session's ``silence``) and any ringing invitation.

    A reminder set for later stays: "stop" says "be quiet now", not "forget our plan". So the
    reply says it is still set, and how to cancel it, in case that is what was meant.
    """
    says = (ctx.say("control.stop", match.intent, state.turn),)
    if state.reminders:
        at = clock(ctx.content, state.reminders[0])
        says = (*says, ctx.say("reminder.still_set", match.intent, state.turn, time=at))
    return Reply(says=says, effects=(StopAlarm(),), repeatable=False)


def repeat(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """``control.repeat``: say the last reply again (its words only, never its timer effects)."""
    if state.last is None:
        return Reply(says=(ctx.say("control.nothing_to_repeat", match.intent, state.turn),))
    says = tuple(replace(s, source=match.intent) for s in state.last.says)
    return Reply(says=says, cursor=state.last.cursor, mode=state.mode)


def help_(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """``control.help``: what it can do, in a breath or two."""
    return Reply(says=(ctx.say("control.help", match.intent, state.turn),), cursor=state.cursor)


def support(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """``support``: asking for help is care; therapy; the configured local contact, if any."""
    contact = ctx.content.contacts.get("support_contact", "")
    sentence = ctx.content.line("support.contact", support_contact=contact) if contact else ""
    said = ctx.say("support", match.intent, state.turn, support_contact_sentence=sentence)
    return Reply(says=(said,))


# Routes with their own reply (``safety.<route>``), led by the help that fits; any other route
# ("general") gets the plain ``safety`` reply, which leads with emergency services.
_ROUTED = frozenset({"self_harm", "violence", "medical"})


def safety(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """``safety``: emergency routes, the one that fits first; then danger is a mode change.

    The pause and any round end (their repeats with them) and every reminder is held, so nothing
    invites the couple back to a talk with someone they just said hurt them; one short line says
    so, and how to undo it ("keep the reminder"), because a false alarm must cost little.

    The ``route`` slot comes from the danger scan: self-harm leads with the crisis line, violence
    or fear with emergency services and the domestic-violence line, medical with emergency
    services. Every reply still names every route, so a wrong guess costs one sentence.
    """
    c = ctx.content.contacts
    route = str(match.slots.get("route", ""))
    said = ctx.say(
        f"safety.{route}" if route in _ROUTED else "safety",
        match.intent,
        state.turn,
        emergency_number=c["emergency_number"],
        crisis_line=c["crisis_line"],
        dv_hotline=c["dv_hotline"],
        dv_text=c["dv_text"],
    )
    effects: tuple[Effect, ...] = ()
    if state.pause is not None:
        effects += (EndPause(),)
    if state.round is not None:
        effects += (EndRound(),)
    says = (said,)
    if state.reminders:
        effects += (HoldReminders(),)
        says += (ctx.say("safety.held_reminders", match.intent, state.turn),)
    elif effects:
        says += (ctx.say("safety.held", match.intent, state.turn),)
    return Reply(says=says, effects=effects, mode=Mode.AFTER_DANGER)
