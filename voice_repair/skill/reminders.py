"""Reminders to come back to the conversation: "in an hour", "at eight", "tonight"."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from ..models import AddReminder, IntentMatch, Reply, State, TimerEvent
from .context import Context
from .pause import chimed
from .spoken import clock, duration


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
    """``reminder.set``: schedule a spoken reminder, or explain kindly why not."""
    src = match.intent
    limit = ctx.settings.max_reminder_minutes
    minutes = match.slots.get("minutes")
    if minutes is not None:
        minutes = int(minutes)
        if not 1 <= minutes <= limit:
            return Reply(says=(ctx.say("reminder.out_of_range", src, state.turn),))
        said = ctx.say("reminder.set_in", src, state.turn, minutes=duration(ctx.content, minutes))
        return Reply(says=(said,), effects=(AddReminder(in_minutes=minutes),))
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
    return Reply(says=(said,), effects=(AddReminder(at=at),))


def on_event(event: TimerEvent, state: State, ctx: Context) -> Reply:
    """``reminder.due``: chime and the reminder, with a word when it comes late."""
    pick = state.turn
    late = (ctx.say("late.prefix", event.kind, pick),) if event.late else ()
    return Reply(says=chimed(*late, ctx.say("reminder.due", event.kind, pick)))
