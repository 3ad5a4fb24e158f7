"""Clock times as said ("at eight", "tomorrow at 8 pm", "at noon", "at quarter to nine") -> the
``time`` slot's text.

The templates split a clock time into parts (``TIME_PARTS`` in ``spec.py``): the hour, the
minutes, what came after ("pm", "tonight", "tomorrow morning") and the day said before
("tomorrow at eight"). This module joins them into one string, so the reminder handler gets one
value to read and the data tests can state it:

- ``"20:00"``: an exact wall-clock time ("at 8 pm", "at 20:00", "at eight tonight", "at noon");
- ``"08:00/20:00"``: a 12-hour time said without morning or evening ("at eight"): either one,
  and the handler takes the next (and reads it back with morning or evening, so nobody is
  surprised);
- either of them after ``"today "`` or ``"tomorrow "`` when a day was said.

It decides nothing about *when* that is: that depends on the clock, which only the handler reads.
"""

from __future__ import annotations

import re

__all__ = ["clock_slot", "spaced_clock"]

_DAYS = ("today", "tomorrow")
_HALVES = ("am", "pm", "night")


def clock_slot(
    hour: object, minute: object, qualifiers: list[object], named: str | None = None
) -> str | None:
    """The ``time`` slot for one clock time; None when the parts cannot be one time.

    ``hour``/``minute`` are the numbers said (``hour`` None when ``named`` gives the time, e.g.
    "12:00" for "noon"); ``qualifiers`` are the words around it as the lists give them ("pm",
    "today night", "tomorrow am", "tomorrow"). Impossible readings give None: "13 pm", "tomorrow
    at eight today", "at eight am tonight".
    """
    day, half = None, None
    for qualifier in qualifiers:
        for word in str(qualifier).split():
            if word in _DAYS and day in (None, word):
                day = word
            elif word in _HALVES and half in (None, word):
                half = word
            else:
                return None
    if named is not None:
        exact: list[str] | None = [named]
        if half is not None and not _named_fits(named, half):
            return None
    else:
        hour, minute = int(hour), int(minute)  # type: ignore[call-overload]
        if minute < 0:  # "quarter to nine" (minute -15): 8:45; "quarter to one": 12:45
            hour, minute = (hour - 2) % 12 + 1, 60 + minute
        exact = _readings(hour, minute, half)
    if not exact:
        return None
    when = "/".join(exact)
    return f"{day} {when}" if day else when


def _named_fits(named: str, half: str) -> bool:
    """ "noon tomorrow" fits; "noon tonight" and "midnight in the morning" do not."""
    return (named == "12:00" and half == "pm") or (named == "00:00" and half == "night")


def _readings(h: int, m: int, half: str | None) -> list[str] | None:
    """Every "HH:MM" the hour may mean, in order; None when impossible ("13 pm", "at 8:75")."""
    if not 0 <= m <= 59:
        return None
    if h == 0 or 12 < h <= 23:  # a 24-hour time: exactly that ("20:00 tonight", not "13 pm")
        return [f"{h:02d}:{m:02d}"] if half in (None, "night") else None
    if not 1 <= h <= 12:
        return None
    if half is None:
        return [f"{h % 12:02d}:{m:02d}", f"{h % 12 + 12:02d}:{m:02d}"]
    if half == "am":
        h = h % 12
    elif half == "pm":
        h = h % 12 + 12
    else:  # "tonight": nine is 21:00, twelve is midnight, one to four are after midnight
        h = h % 12 if h == 12 or h <= 4 else h + 12
    return [f"{h:02d}:{m:02d}"]


# Two numbers said as one clock time ("at 7 30", "7 30 pm", as a transcript writes it): only
# after "at"/"until"/"by" or before am/pm, and never before a unit ("at 2 30 minute turns").
_SPACED_CLOCK = re.compile(
    r"\b(?:(at|until|till|by) )?(\d{1,2}) ([0-5]\d)\b(?=( ?(?:am|pm)\b)?( \w+)?)"
)
_UNIT_WORDS = frozenset({"minute", "minutes", "min", "mins", "hour", "hours", "second", "seconds"})


def _joined(m: re.Match[str]) -> str:
    before, hour, minute, meridiem, after = m.groups()
    said_as_clock = (before or meridiem) and 1 <= int(hour) <= 23
    if not said_as_clock or (after or "").strip() in _UNIT_WORDS:
        return m[0]
    return f"{before} {hour}:{minute}" if before else f"{hour}:{minute}"


def spaced_clock(text: str) -> str:
    """ "remind us at 7 30" -> "remind us at 7:30": a clock time written as two numbers, the way
    a transcript or a hurried typist puts it, read as the templates' "7:30"."""
    return _SPACED_CLOCK.sub(_joined, text)
