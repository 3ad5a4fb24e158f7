"""Reminders to come back to the conversation: "in an hour", "at eight", "tomorrow morning"."""

from __future__ import annotations

from datetime import timedelta

from ..models import (
    AddReminder,
    CancelReminders,
    IntentMatch,
    KeepReminders,
    Mode,
    Reply,
    Say,
    State,
    TimerEvent,
)
from .context import Context
from .pause import chimed
from .spoken import clock, duration, number_words, when
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
        return Reply(says=(said,), effects=(AddReminder(in_minutes=minutes),), mode=Mode.IDLE)
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
    return Reply(says=(said,), effects=(AddReminder(at=found.at),), mode=Mode.IDLE)


def on_event(event: TimerEvent, state: State, ctx: Context) -> Reply:
    """``reminder.due``: chime and the reminder, with a word when it comes late."""
    pick = state.turn
    late = (ctx.say("late.prefix", event.kind, pick),) if event.late else ()
    return Reply(says=chimed(*late, ctx.say("reminder.due", event.kind, pick)))


def cancel(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """``reminder.cancel``: drop every reminder, pending or held since a danger reply."""
    count = len(state.reminders) + len(state.held_reminders)
    src = match.intent
    if count == 0:
        return Reply(says=(ctx.say("reminder.none", src, state.turn),))
    key = "reminder.cancelled_one" if count == 1 else "reminder.cancelled_many"
    said = ctx.say(key, src, state.turn, count=number_words(count))
    return Reply(says=(said,), effects=(CancelReminders(),))


def list_(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """``reminder.list``: how many reminders, and when the next one comes; held ones too."""
    src, pick = match.intent, state.turn
    says: tuple[Say, ...] = ()
    if len(state.reminders) == 1:
        says = (
            ctx.say("reminder.list_one", src, pick, time=clock(ctx.content, state.reminders[0])),
        )
    elif state.reminders:
        at = clock(ctx.content, state.reminders[0])
        count = number_words(len(state.reminders))
        says = (ctx.say("reminder.list_many", src, pick, count=count, time=at),)
    if state.held_reminders:
        says += (ctx.say("reminder.list_held", src, pick),)
    return Reply(says=says or (ctx.say("reminder.none", src, pick),))


def keep(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """``reminder.keep``: put back the reminders a danger reply held (a false alarm's undo).

    It is also a request to be called back, so it ends the after-danger mode.
    """
    src = match.intent
    back = sorted(at for at in state.held_reminders if at > state.now)
    if back:
        said = ctx.say("reminder.kept", src, state.turn, time=clock(ctx.content, back[0]))
        return Reply(says=(said,), effects=(KeepReminders(),), mode=Mode.IDLE)
    if state.held_reminders:  # all past their time while held
        said = ctx.say("reminder.kept_past", src, state.turn)
        return Reply(says=(said,), effects=(KeepReminders(),), mode=Mode.IDLE)
    if state.reminders:
        return list_(match, state, ctx)
    return Reply(says=(ctx.say("reminder.nothing_held", src, state.turn),))


def on_ready(state: State, src: str, ctx: Context) -> Reply:
    """ "we're ready to talk" with reminders set: they are talking, so a reminder to come back to
    the talk would only interrupt it: they are cancelled, and the reply says so."""
    said = ctx.say("reminder.cancelled_ready", src, state.turn)
    return Reply(says=(said,), effects=(CancelReminders(),))
