"""Reminders to come back to the conversation: "in an hour", "at eight", "tonight"."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

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
from .spoken import clock, duration, number_words


def wall_time(now: datetime, day: date, hour: int, minute: int) -> datetime:
    """``hour:minute`` on ``day`` in ``now``'s time zone, with that day's UTC offset.

    ``datetime.now().astimezone()`` carries a fixed offset (today's): reused for tomorrow morning
    across a daylight-saving change it would put "eight" at seven or nine on the wall clock. When
    ``now`` is in the system's local zone, the local rules for ``day`` decide the offset; a
    ``ZoneInfo`` applies its own rules; any other fixed offset is kept.
    """
    naive = datetime(day.year, day.month, day.day, hour, minute)
    tz = now.tzinfo
    if (
        isinstance(tz, timezone)
        and now.utcoffset() == now.replace(tzinfo=None).astimezone().utcoffset()
    ):
        return naive.astimezone()  # local rules of that date (mktime)
    return naive.replace(tzinfo=tz)


def next_time(now: datetime, hour: int, minute: int, horizon_minutes: int) -> datetime | None:
    """The next moment that makes sense for "at H:M", or None when none is within the horizon.

    A 12-hour reading ("at eight") may mean 8:00 or 20:00: the nearer future one wins. An explicit
    24-hour time ("at 20:00") means exactly that hour. "Eight" is eight on the wall clock of that
    day, also across the night the clocks change (see ``wall_time``).
    """
    hours = [hour] if hour == 0 or hour > 12 else sorted({hour % 12, hour % 12 + 12})
    candidates = []
    for h in hours:
        at = wall_time(now, now.date(), h, minute)
        if at <= now:
            at = wall_time(now, now.date() + timedelta(days=1), h, minute)
        candidates.append(at)
    best = min(candidates)
    if best - now > timedelta(minutes=horizon_minutes):
        return None
    return best


def set_reminder(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """``reminder.set``: schedule a spoken reminder, or explain kindly why not. Asking to be
    called back ends the after-danger mode."""
    src = match.intent
    limit = ctx.settings.max_reminder_minutes
    minutes = match.slots.get("minutes")
    if minutes is not None:
        minutes = int(minutes)
        if not 1 <= minutes <= limit:
            return Reply(says=(ctx.say("reminder.out_of_range", src, state.turn),))
        said = ctx.say("reminder.set_in", src, state.turn, minutes=duration(ctx.content, minutes))
        return Reply(says=(said,), effects=(AddReminder(in_minutes=minutes),), mode=Mode.IDLE)
    time = str(match.slots.get("time", "tonight"))
    if time == "tonight":
        at = next_time(state.now, ctx.settings.evening_hour, 0, limit)
        if at is None or at.date() != state.now.date():
            return Reply(says=(ctx.say("reminder.out_of_range", src, state.turn),))
        key = "reminder.set_tonight"
    else:
        hour, _, minute = time.partition(":")
        at = next_time(state.now, int(hour), int(minute or 0), limit)
        if at is None:
            return Reply(says=(ctx.say("reminder.out_of_range", src, state.turn),))
        key = "reminder.set_at"
    said = ctx.say(key, src, state.turn, time=clock(ctx.content, at))
    return Reply(says=(said,), effects=(AddReminder(at=at),), mode=Mode.IDLE)


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
