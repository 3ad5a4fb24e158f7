"""When a reminder said by the clock is due: "at eight", "tonight", "tomorrow morning".

The ``time`` slot (``intents/clock.py`` writes it) says what was heard; this module adds the clock.
The rules, which the README repeats for users:

- A time without a day ("at eight", "at 8 pm", "in the morning") is the next such time, so at most
  a day ahead. A 12-hour time said without morning or evening may be either: the nearer one wins
  (and the reply names the half of the day, so nobody is surprised).
- "tonight", "this evening", "today at ..." mean today; when that time has passed the handler
  says so and offers tomorrow instead of setting a reminder for a moment nobody asked for.
- "tomorrow ..." means the next day, any time of it.
- The night belongs to the day before it: until ``NIGHT_ENDS`` (5 a.m.) "tonight" is the night we
  are in and "tomorrow" is the day about to start, the way people speak at 2 a.m. ("let's talk
  tomorrow morning"). Readbacks use the same words, so a readback said back sets the same time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

__all__ = ["NIGHT_ENDS", "Resolved", "resolve", "wall_time", "day_offset", "part_of_day"]

NIGHT_ENDS = 5
"""Hour (local) at which the night ends and a new day begins, for "tonight" and "tomorrow"."""


@dataclass(frozen=True)
class Resolved:
    """Where a spoken clock time falls: ``at`` when it can be set, else ``passed``."""

    at: datetime | None
    """The moment to remind (timezone-aware); None when the time asked for has passed."""
    passed: datetime | None = None
    """The moment asked for, when it is already over ("tonight" at 21:30)."""


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


def _speaking_day(moment: datetime) -> date:
    """The day a moment belongs to when people speak: 02:00 on the 28th is the night of the 27th."""
    return (moment.replace(tzinfo=None) - timedelta(hours=NIGHT_ENDS)).date()


def day_offset(now: datetime, at: datetime) -> int:
    """0 when ``at`` is today (or tonight) as people speak, 1 for tomorrow, -1 for yesterday."""
    return (_speaking_day(at) - _speaking_day(now)).days


def part_of_day(at: datetime) -> str:
    """``noon``, ``morning``, ``afternoon``, ``evening`` or ``night`` (midnight to 5 a.m.)."""
    if (at.hour, at.minute) == (12, 0):
        return "noon"
    if at.hour < NIGHT_ENDS:
        return "night"
    return "morning" if at.hour < 12 else "afternoon" if at.hour < 18 else "evening"


def _on_day(now: datetime, day: date, hour: int, minute: int) -> datetime:
    """``hour:minute`` of the speaking day ``day``: hours of the night fall on the next date."""
    if hour < NIGHT_ENDS:
        day += timedelta(days=1)
    return wall_time(now, day, hour, minute)


def _next(now: datetime, hour: int, minute: int) -> datetime:
    """The next ``hour:minute`` on the wall clock after ``now`` (within a day)."""
    at = wall_time(now, now.date(), hour, minute)
    return at if at > now else wall_time(now, now.date() + timedelta(days=1), hour, minute)


def resolve(slot: str, now: datetime, morning_hour: int, evening_hour: int) -> Resolved | None:
    """The moment the ``time`` slot means at ``now``; None for a slot this module cannot read."""
    words = slot.split()
    if words == ["tonight"]:
        words = ["today", "evening"]
    day = words.pop(0) if words and words[0] in ("today", "tomorrow") else None
    what = words[0] if len(words) == 1 else "evening" if not words and day else None
    if what is None:
        return None
    named = {"morning": [(morning_hour, 0)], "evening": [(evening_hour, 0)]}
    times = named.get(what) or _hours(what)
    if not times:
        return None
    if day is None:
        return Resolved(min(_next(now, h, m) for h, m in times))
    speaking_day = _speaking_day(now) + timedelta(days=1 if day == "tomorrow" else 0)
    moments = sorted(_on_day(now, speaking_day, h, m) for h, m in times)
    ahead = [at for at in moments if at > now]
    return Resolved(ahead[0]) if ahead else Resolved(None, passed=moments[-1])


def _hours(text: str) -> list[tuple[int, int]]:
    """ "08:00/20:00" -> [(8, 0), (20, 0)]; [] when malformed."""
    try:
        pairs = [tuple(int(p) for p in part.split(":")) for part in text.split("/")]
    except ValueError:
        return []
    ok = all(len(p) == 2 and 0 <= p[0] <= 23 and 0 <= p[1] <= 59 for p in pairs)
    return [(p[0], p[1]) for p in pairs] if ok else []
