"""Stop, repeat, help, the two answers that are never scripts (support and safety), and the one
line for a timer this speaker does not keep (``timer.other``)."""

from __future__ import annotations

from dataclasses import replace

from ..models import IntentMatch, Reply, State, StopAlarm
from .context import Context


def stop(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """``control.stop``: silence speech (done by the app at once) and any ringing reminder."""
    said = ctx.say("control.stop", match.intent, state.turn)
    return Reply(says=(said,), effects=(StopAlarm(),), repeatable=False)


def repeat(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """``control.repeat``: say the last reply again (its words only, never its timer effects)."""
    if state.last is None:
        return Reply(says=(ctx.say("control.nothing_to_repeat", match.intent, state.turn),))
    says = tuple(replace(s, source=match.intent) for s in state.last.says)
    return Reply(says=says, cursor=state.last.cursor)


def help_(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """``control.help``: what it can do, in a breath or two."""
    return Reply(says=(ctx.say("control.help", match.intent, state.turn),), cursor=state.cursor)


def timer_other(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """``timer.other``: a named kitchen timer or a delayed command. One line saying this speaker
    keeps time only for pauses, and nothing is started (no timer effect, a pause goes on)."""
    return Reply(says=(ctx.say("timer.other", match.intent, state.turn),), cursor=state.cursor)


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
    """``safety``: emergency routes, the one that fits first. No script, no pause timer.

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
    if match.slots.get("offer") == "ground":  # may be panic: grounding, after the emergency line
        return Reply(says=(said, ctx.say("safety.ground_offer", match.intent, state.turn)))
    return Reply(says=(said,))
