"""Pause requests and the pause's timer events.

A pause in a hard talk is a promise to come back: the handlers read the length back, say how to ask
for more time, and on the way back in offer a gentle first sentence (a re-entry item).
"""

from __future__ import annotations

from dataclasses import replace

from ..models import (
    CancelReminders,
    EndPause,
    ExtendPause,
    IntentMatch,
    Reply,
    Say,
    ScriptCursor,
    StartPause,
    State,
    TimerEvent,
)
from .context import Context
from .spoken import duration, remaining

REENTRY = "reentry"
"""Script family of invitations back to the talk, each with a suggested first sentence."""


def _reentry(ctx: Context, state: State, source: str, chime: bool = False) -> Say:
    items = ctx.content.script(REENTRY)
    return Say(text=items[state.turn % len(items)], source=source, chime=chime)


def start(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """``pause.start``: start a pause of the said length, or the default; refuse out of range."""
    src = match.intent
    if state.pause is not None and not state.pause.ringing:
        left = remaining(ctx.content, state.pause.remaining_minutes)
        return Reply(says=(ctx.say("pause.already_running", src, state.turn, remaining=left),))
    minutes = int(match.slots.get("minutes", ctx.settings.default_pause_minutes))
    if not 1 <= minutes <= ctx.settings.max_pause_minutes:
        return Reply(says=(ctx.say("pause.out_of_range", src, state.turn, minutes=str(minutes)),))
    effects = (EndPause(), StartPause(minutes)) if state.pause else (StartPause(minutes),)
    # At the longest pause, the readback does not offer more time it could not give.
    longest = minutes + ctx.settings.default_extend_minutes > ctx.settings.max_pause_minutes
    key = "pause.started_longest" if longest else "pause.started"
    said = ctx.say(key, src, state.turn, minutes=duration(ctx.content, minutes))
    return Reply(says=(said,), effects=effects)


def status(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """``pause.status``: time left, said the way a person would."""
    src = match.intent
    if state.pause is None:
        return Reply(says=(ctx.say("pause.none", src, state.turn),))
    if state.pause.ringing:
        return Reply(says=(ctx.say("pause.status_ringing", src, state.turn),))
    left = remaining(ctx.content, state.pause.remaining_minutes)
    return Reply(says=(ctx.say("pause.status", src, state.turn, remaining=left),))


def extend(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """``pause.extend``: add minutes (default 5); once ringing, a fresh countdown of that length."""
    src = match.intent
    if state.pause is None:
        return Reply(says=(ctx.say("pause.none", src, state.turn),))
    minutes = int(match.slots.get("minutes", ctx.settings.default_extend_minutes))
    left = 0.0 if state.pause.ringing else state.pause.remaining_minutes
    if left + 1 > ctx.settings.max_pause_minutes:  # no minute fits: say that, not the number
        return Reply(says=(ctx.say("pause.at_longest", src, state.turn),))
    if minutes < 1 or left + minutes > ctx.settings.max_pause_minutes:
        asked = duration(ctx.content, minutes)
        said = ctx.say("pause.extend_out_of_range", src, state.turn, minutes=asked)
        return Reply(says=(said,))
    new_left = remaining(ctx.content, left + minutes)
    said = ctx.say(
        "pause.extended",
        src,
        state.turn,
        minutes=duration(ctx.content, minutes),
        remaining=new_left,
    )
    return Reply(says=(said,), effects=(ExtendPause(minutes),))


def end(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """``pause.end`` ("we're ready to talk"): end the pause and invite them back in.

    Reminders to come back to the talk are cancelled too (they are talking now: one would only
    interrupt them later), and the reply says so.
    """
    src = match.intent
    cancel: tuple[Say, ...] = ()
    if state.reminders or state.held_reminders:
        cancel = (ctx.say("reminder.cancelled_ready", src, state.turn),)
    if state.pause is None:
        if cancel:
            return Reply(says=cancel, effects=(CancelReminders(),))
        return Reply(says=(ctx.say("pause.none", src, state.turn),))
    says = (ctx.say("pause.ended_intro", src, state.turn), *cancel, _reentry(ctx, state, src))
    effects = (EndPause(), CancelReminders()) if cancel else (EndPause(),)
    return Reply(says=says, effects=effects, cursor=ScriptCursor(REENTRY, 0))


def on_event(event: TimerEvent, state: State, ctx: Context) -> Reply:
    """Turn a pause timer event into words: nudge, one-minute notice, the end, the repeats."""
    src = event.kind
    pick = event.number or state.turn
    late = (ctx.say("late.prefix", src, pick),) if event.late else ()
    if event.kind == "pause.nudge":
        return Reply(says=(*late, ctx.say("pause.nudge", src, pick)), repeatable=False)
    if event.kind == "pause.warning":
        return Reply(says=(*late, ctx.say("pause.warning", src, pick)), repeatable=False)
    if event.kind == "pause.finished":
        intro = ctx.say("pause.finished_intro", src, pick)
        return Reply(says=chimed(*late, intro, _reentry(ctx, state, src)))
    # pause.reminder: the invitation again, nobody has answered yet
    return Reply(says=chimed(*late, ctx.say("pause.reminder", src, pick)))


def chimed(*says: Say) -> tuple[Say, ...]:
    """The same lines with the soft chime before the first one."""
    first, *rest = says
    return (replace(first, chime=True), *rest)
