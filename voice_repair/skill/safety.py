"""``safety``: the emergency routes, the one that fits first. No script, no pause timer.

The reply is built from one sentence per route, in the order that fits what was said (the
``route`` slot from the danger scan): self-harm leads with the crisis line, violence or fear with
emergency services and the domestic-violence line, a medical emergency with emergency services,
anything else with emergency services. Every reply still names every route, so a wrong guess
costs one sentence. A route the configured country has no line for (``Content.contacts`` holds
"") gets general advice (``safety.no_*``), never another country's number.
"""

from __future__ import annotations

from ..models import IntentMatch, Reply, Say, State
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
    """``safety``: every route, the fitting one first, as one spoken reply."""
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
    return Reply(says=(Say(text=" ".join(sentences), source=match.intent),))


def _domestic_violence(ctx: Context, key: str, pick: int) -> list[str]:
    """The phone line, then the text line if the country has one; general advice for neither."""
    phone, text = ctx.content.contacts.get("dv_hotline"), ctx.content.contacts.get("dv_text")
    if phone:
        also = [ctx.content.line("safety.dv_text")] if text else []
        return [ctx.content.line(key, pick), *also]
    if text:
        return [ctx.content.line("safety.dv_text_only")]
    return [ctx.content.line("safety.no_dv", pick)]
