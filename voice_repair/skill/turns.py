"""A round of turns: one partner speaks while the other only listens, then says back what they
heard; then they swap. After both turns, one validation example and a choice.

While a round runs, some everyday requests mean round things (the ``IN_ROUND`` rows of
``dispatch.TABLE``): "next" ends the current part early, "how much time is left" is the turn's
time, "I need more time" adds a minute to it, "stop" ends the round, "I need a pause" ends it and
starts a pause. Safety ends the round too (``control.safety``).
"""

from __future__ import annotations

from dataclasses import replace

from ..models import (
    EndPause,
    EndRound,
    ExtendTurn,
    IntentMatch,
    Mode,
    Reply,
    Say,
    ScriptCursor,
    StartPause,
    StartRound,
    State,
    StopAlarm,
    SwitchTurn,
    TimerEvent,
)
from .context import Context
from .pause import chimed
from .pause import extend as pause_extend
from .pause import start as pause_start
from .pause import status as pause_status
from .spoken import duration, remaining

__all__ = [
    "EVENT_PARTS", "start", "switch", "stop", "done", "round_over", "status", "extend",
    "pause_instead", "on_event",
]  # fmt: skip

VALIDATE = "repair.validate"
"""The script family the closing example comes from."""

EVENT_PARTS = {("turns.reflect", 1): 0, ("turns.switch", 1): 1, ("turns.reflect", 2): 2}
"""Timer event (kind, number) -> the round part it ends; ``turns.finished`` ends part 3."""


def names(ctx: Context) -> tuple[str, str]:
    """The two speakers as the settings name them, else "the first/second speaker"."""
    if len(ctx.settings.turn_names) == 2:
        return ctx.settings.turn_names[0], ctx.settings.turn_names[1]
    return ctx.content.line("turns.first_default"), ctx.content.line("turns.second_default")


def start(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """``turns.start``: who begins, the listener's reminder, and the first turn's clock."""
    src, pick = match.intent, state.turn
    if state.round is not None:
        left = remaining(ctx.content, state.round.remaining_minutes)
        return Reply(says=(ctx.say("turns.already_running", src, pick, remaining=left),))
    minutes = int(match.slots.get("minutes", ctx.settings.turn_minutes))
    if not 1 <= minutes <= ctx.settings.max_turn_minutes:
        return Reply(says=(ctx.say("turns.out_of_range", src, pick, minutes=str(minutes)),))
    first, second = names(ctx)
    says = (
        ctx.say("turns.started", src, pick, first=first, second=second,
                minutes=duration(ctx.content, minutes)),
        ctx.say("turns.listener", src, pick, listener=second),
    )  # fmt: skip
    effects = (StartRound(minutes, ctx.settings.reflect_minutes),)
    if state.pause is not None:  # said, so "we're ready to talk" afterwards is no surprise
        says = (ctx.say("turns.ended_pause", src, pick), *says)
        effects = (EndPause(), *effects)
    return Reply(says=says, effects=effects, mode=Mode.IN_ROUND)


def _part_over(part: int, src: str, pick: int, ctx: Context, late: tuple[Say, ...] = ()) -> Reply:
    """The words when part ``part`` (0-3) of a round ends, on time or because of "switch"."""
    first, second = names(ctx)
    if part in (0, 2):  # a turn is over: chime, then the listener says back
        speaker, listener = (first, second) if part == 0 else (second, first)
        said = ctx.say("turns.reflect", src, pick, speaker=speaker, listener=listener)
        return Reply(says=chimed(*late, said))
    if part == 1:  # the swap: the second speaker starts, the first only listens
        swap = ctx.say("turns.swap", src, pick, speaker=second, listener=first)
        return Reply(says=(*late, swap, ctx.say("turns.listener", src, pick + 1, listener=first)))
    items = ctx.content.script(VALIDATE)  # both turns done: a closing, an example, a choice
    index = pick % len(items)
    says = (
        *late,
        ctx.say("turns.closing", src, pick),
        Say(text=items[index], source=src),
        ctx.say("turns.question", src, pick),
    )
    return Reply(says=chimed(*says), cursor=ScriptCursor(VALIDATE, index), mode=Mode.AFTER_ROUND)


def switch(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """``turns.next`` ("switch", and "next" during a round): end the current part now."""
    if state.round is None:  # the round ended between the mode and this reply (a timer)
        return round_over(match, state, ctx)
    reply = _part_over(state.round.part, match.intent, state.turn, ctx)
    effects = (EndRound(),) if state.round.part == 3 else (SwitchTurn(),)
    return replace(reply, effects=effects)


def round_over(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """ "switch" or "your turn" just after a round: that round is over; how to go again."""
    return Reply(says=(ctx.say("turns.round_over", match.intent, state.turn),), mode=Mode.IDLE)


def status(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """ "How much time is left" during a round: the current turn's or say-back's time."""
    if state.round is None:
        return pause_status(match, state, ctx)
    first, second = names(ctx)
    r = state.round
    left = remaining(ctx.content, r.remaining_minutes)
    if r.speaking:
        speaker = first if r.speaker == 0 else second
        said = ctx.say("turns.status", match.intent, state.turn, remaining=left, speaker=speaker)
    else:
        listener = second if r.speaker == 0 else first
        said = ctx.say("turns.status_reflect", match.intent, state.turn, remaining=left,
                       listener=listener)  # fmt: skip
    return Reply(says=(said,))


def extend(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """ "I need more time" during a round: a minute (or the minutes said) more for this part."""
    if state.round is None:
        return pause_extend(match, state, ctx)
    src = match.intent
    minutes = int(match.slots.get("minutes", ctx.settings.turn_extend_minutes))
    left = state.round.remaining_minutes
    if minutes < 1 or left + minutes > ctx.settings.max_turn_minutes:
        return Reply(says=(ctx.say("turns.extend_out_of_range", src, state.turn),))
    said = ctx.say(
        "turns.extended",
        src,
        state.turn,
        minutes=duration(ctx.content, minutes),
        remaining=remaining(ctx.content, left + minutes),
    )
    return Reply(says=(said,), effects=(ExtendTurn(minutes),))


def stop(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """``turns.stop`` ("we're done"), and "stop" during a round: end the round."""
    if state.round is None:
        return done(match, state, ctx)
    said = ctx.say("turns.stopped", match.intent, state.turn)
    return Reply(says=(said,), effects=(EndRound(), StopAlarm()), repeatable=False)


def done(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """ "we're done" just after a round: thanks, and back to everyday life."""
    return Reply(says=(ctx.say("turns.done", match.intent, state.turn),), mode=Mode.IDLE)


def pause_instead(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """ "I need a pause" during a round: the round ends and the pause starts."""
    if state.round is None:
        return pause_start(match, state, ctx)
    reply = pause_start(match, replace(state, round=None), ctx)
    if not any(isinstance(e, StartPause) for e in reply.effects):
        return reply  # a refused length: the round goes on
    said = ctx.say("turns.ended_for_pause", match.intent, state.turn)
    return replace(reply, says=(said, *reply.says), effects=(EndRound(), *reply.effects))


def on_event(event: TimerEvent, state: State, ctx: Context) -> Reply:
    """A round's timer event: a turn is over, the swap, or the round is done."""
    late = (ctx.say("late.prefix", event.kind, state.turn),) if event.late else ()
    part = EVENT_PARTS.get((event.kind, event.number), 3)
    return _part_over(part, event.kind, state.turn, ctx, late)
