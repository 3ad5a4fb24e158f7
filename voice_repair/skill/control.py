"""Stop, repeat, help, the two answers that are never scripts (support and safety), and the one
line for a timer this speaker does not keep (``timer.other``)."""

from __future__ import annotations

from dataclasses import replace

from ..models import (
    IntentMatch,
    Reply,
    State,
    StopAlarm,
)
from .context import Context
from .safety import safety
from .spoken import clock

__all__ = ["stop", "repeat", "help_", "support", "safety"]


def stop(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """``control.stop``: silence speech (the session's ``silence``) and any ringing invitation.

    A reminder set for later stays: "stop" says "be quiet now", not "forget our plan". So the
    reply says it is still set, and how to cancel it, in case that is what was meant; but not
    when "stop" cut the assistant's own speech, where it means only that (one short word).
    """
    says = (ctx.say("control.stop", match.intent, state.turn),)
    if state.reminders and not state.interrupted:
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
