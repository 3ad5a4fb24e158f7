"""Numbers, lengths and clock times said the way a person says them.

The number words come from ``unicode_rbnf`` (hassil's own number engine); the surrounding words
("about ... minutes", "o'clock") come from the response data, so no spoken English lives here.
"""

from __future__ import annotations

import math
from datetime import datetime
from functools import lru_cache

from unicode_rbnf import RbnfEngine

from .context import ContentLike
from .when import day_offset, part_of_day

__all__ = ["number_words", "duration", "remaining", "clock", "when"]


@lru_cache(maxsize=4)
def _engine(language: str) -> RbnfEngine:
    return RbnfEngine.for_language(language)


def number_words(n: int, language: str = "en") -> str:
    """``20`` -> ``"twenty"``."""
    return _engine(language).format_number(n).text


def duration(content: ContentLike, minutes: int) -> str:
    """A length in whole minutes: "one minute", "twenty minutes", "half an hour", "an hour"."""
    if minutes == 1:
        return content.line("duration.minute")
    if minutes == 30:
        return content.line("duration.half_hour")
    if minutes < 60:
        return content.line("duration.minutes", n=number_words(minutes))
    hours, rest = divmod(minutes, 60)
    if rest == 0:
        if hours == 1:
            return content.line("duration.hour")
        return content.line("duration.hours", n=number_words(hours))
    if hours == 1 and rest == 30:
        return content.line("duration.hour_and_a_half")
    # The minutes part is spoken whole ("one minute", "ten minutes"), so 61 is "an hour and one
    # minute", never "an hour and one minutes".
    part = _minutes(content, rest)
    if hours == 1:
        return content.line("duration.one_hour_and_minutes", m=part)
    return content.line("duration.hour_and_minutes", n=number_words(hours), m=part)


def _minutes(content: ContentLike, minutes: int) -> str:
    """Whole minutes under an hour, always with "minutes": "one minute", "thirty minutes"."""
    if minutes == 1:
        return content.line("duration.minute")
    return content.line("duration.minutes", n=number_words(minutes))


def remaining(content: ContentLike, minutes: float) -> str:
    """Time left as a person says it: "less than a minute", "about seven minutes".

    Rounded to the nearest minute, halves up (2.5 and 3.5 alike: "about three", "about four";
    Python's ``round`` would round halves to even); "exactly" only right after a change, when it
    is true.
    """
    if minutes < 1:
        return content.line("remaining.less_than_minute")
    whole = math.floor(minutes + 0.5)
    if abs(minutes - whole) < 0.02:
        return content.line("remaining.exactly", duration=duration(content, whole))
    return content.line("remaining.about", duration=duration(content, whole))


def clock(content: ContentLike, when: datetime) -> str:
    """A clock time on a 12-hour dial: "eight o'clock", "eight thirty", "midnight"."""
    if (when.hour, when.minute) == (0, 0):
        return content.line("time.midnight")
    hour = number_words(when.hour % 12 or 12)
    if when.minute == 0:
        return content.line("time.oclock", hour=hour)
    return content.line("time.hour_minute", hour=hour, minute=number_words(when.minute))


def when(content: ContentLike, now: datetime, at: datetime) -> str:
    """A moment with its day and half of the day: "six o'clock tomorrow morning", "noon today".

    Said after "at". Never a bare "eight", which may be morning or evening; the words are ones
    the reminder templates understand, so repeating a readback sets the same time again.
    """
    day = "this" if day_offset(now, at) <= 0 else "tomorrow"
    return content.line(f"when.{day}_{part_of_day(at)}", time=clock(content, at))
