"""Reminders to come back to the conversation: "in an hour", "at eight", "tomorrow morning"."""

from __future__ import annotations

from datetime import timedelta

from ..models import AddReminder, IntentMatch, Reply, State, TimerEvent
from .context import Context
from .pause import chimed
from .spoken import duration, when
from .when import resolve


def set_reminder(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """``reminder.set``: schedule a spoken reminder, or explain kindly why not.

    A length ("in an hour") may be up to ``max_reminder_minutes`` ahead; a time by the clock may
    be any time today or tomorrow (``when.py``). The reply reads the moment back with its day and
    half of the day ("at six o'clock tomorrow morning"); a time that has passed today ("tonight"
    at 21:30) is said to have passed, with the words that set it for tomorrow.
    """
    src = match.intent
    limit = ctx.settings.max_reminder_minutes
    minutes = match.slots.get("minutes")
    if minutes is not None:
        minutes = int(minutes)
        if not 1 <= minutes <= limit:
            return Reply(says=(ctx.say("reminder.out_of_range", src, state.turn),))
        said = ctx.say("reminder.set_in", src, state.turn, minutes=duration(ctx.content, minutes))
        return Reply(says=(said,), effects=(AddReminder(in_minutes=minutes),))
    now, settings = state.now, ctx.settings
    slot = str(match.slots.get("time", "tonight"))
    found = resolve(slot, now, settings.morning_hour, settings.evening_hour)
    if found is None:
        return Reply(says=(ctx.say("reminder.out_of_range", src, state.turn),))
    if found.at is None:
        assert found.passed is not None
        said = ctx.say(
            "reminder.passed",
            src,
            state.turn,
            when=when(ctx.content, now, found.passed),
            offer=when(ctx.content, now, found.passed + timedelta(days=1)),
        )
        return Reply(says=(said,))
    said = ctx.say("reminder.set_at", src, state.turn, when=when(ctx.content, now, found.at))
    return Reply(says=(said,), effects=(AddReminder(at=found.at),))


def on_event(event: TimerEvent, state: State, ctx: Context) -> Reply:
    """``reminder.due``: chime and the reminder, with a word when it comes late."""
    pick = state.turn
    late = (ctx.say("late.prefix", event.kind, pick),) if event.late else ()
    return Reply(says=chimed(*late, ctx.say("reminder.due", event.kind, pick)))
