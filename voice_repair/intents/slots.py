"""Reading a length or a clock time out of any sentence, with the templates' own number lists.

The semantic net decides only *which* request a sentence is; the numbers in it must be read, never
guessed from the nearest example ("give us twenty minutes" is near "give us ten minutes"). This
reader finds the longest stretch of words that the shared expansion rules of
``sentences/_common.yaml`` read as a length (``<duration>``, ``<more_duration>``, "for
<bare_minutes>", ...) or a clock time ("at <clock>"), so "can we take like ten minutes" gives
ten and "remind us at 9 pm to talk" gives 21:00, exactly as a template would. When two different
values are found ("ten or twenty minutes") nothing is read: the request gets its default.
"""

from __future__ import annotations

import re

from hassil import recognize
from hassil.intents import Intents, RangeSlotList, TextSlotList

from .tolerant import tidy

__all__ = ["SlotReader", "corrected"]

_RULES: dict[str, list[dict[str, object]]] = {
    "minutes": [
        {"sentences": ["<duration>", "<duration_adjective>", "<more_duration>"]},
        {"sentences": ["for <bare_minutes>"]},
    ],
    "time": [
        {
            "sentences": [
                "<at_clock>",
                "[for] <clock_bare> {clock_half:time_meridiem} [{clock_day:time_day}]",
                "for <clock>",
                "[for] {clock_day:time_day} at <clock_bare> [{clock_half:time_meridiem}]",
            ]
        },
        {
            "sentences": [
                "[at|for] {spoken_past:time_minute} {clock_hour_words:time_hour} "
                "[{clock_half:time_meridiem}|{clock_day:time_day}|{clock_part:time_day}]",
                "[for] <clock_bare> {clock_part:time_day}",
            ]
        },
        {"sentences": ["{day_words:time}", "{spoken_day_part:time}"]},
        {"sentences": ["(tonight|later tonight)"], "slots": {"time": "tonight"}},
    ],
}
"""What a stretch of words must be to give a slot: the expansion rules of ``_common.yaml``, and
the day words the reminder templates take ("tomorrow morning", "tonight") with their values.
"For" before a clock time ("a reminder for 9 am tomorrow") makes it a time, never nine minutes."""
_SPOKEN: dict[str, list[tuple[str, str | int]]] = {
    "spoken_past": [
        *(("five past", 5), ("ten past", 10), ("twenty past", 20), ("twenty five past", 25)),
        ("half", 30),
    ],
    "spoken_day_part": [
        *(("this evening", "today evening"), ("later this evening", "today evening")),
        *(("this afternoon", "today 15:00"), ("later this afternoon", "today 15:00")),
        *(("tomorrow afternoon", "tomorrow 15:00"), ("afternoon tomorrow", "tomorrow 15:00")),
        *(("after lunch", "today 14:00"), ("after lunch today", "today 14:00")),
        *(("after lunch tomorrow", "tomorrow 14:00"), ("tomorrow after lunch", "tomorrow 14:00")),
        *(("in the afternoon", "15:00"), ("tomorrow in the afternoon", "tomorrow 15:00")),
        *(
            ("tomorrow in the morning", "tomorrow morning"),
            ("morning tomorrow", "tomorrow morning"),
        ),
        *(
            ("tomorrow in the evening", "tomorrow evening"),
            ("evening tomorrow", "tomorrow evening"),
        ),
    ],
}
"""What people say of a time that the templates' lists do not hold, read here only (a guess's
slots; the templates stay as they are): minutes past the hour other than a quarter or a half
("ten past nine"), the British "half six" (6:30), and the afternoon, which the reminder handler
has no setting for, as 3 pm ("remind us tomorrow afternoon" was read as plain "tomorrow", that
is, the evening), and "after lunch" as 2 pm (it was the bare "tomorrow" too). "This evening" is
the evening of today, as "tonight" is."""
_LONGEST = 8
"""Words in the longest stretch tried ("an hour and forty five minutes" is seven)."""
_DIGIT = re.compile(r"\d")
_SMALL = [
    *("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    *("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
    *("eighteen", "nineteen"),
]
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90}
_COUNT = (
    r"(?:\d+|(?:a |an )?(?:couple of|few)|half an?|an?|a quarter of an?|"
    rf"(?:{'|'.join(_TENS)})(?: (?:{'|'.join(_SMALL[:9])}))?|{'|'.join(_SMALL)})"
)
_UNIT = r"(?: (?:minutes?|mins?|hours?))"
_CORRECTION = re.compile(
    rf"\b{_COUNT}({_UNIT})? (?:(?:no|nah|sorry|wait|actually|i mean|or rather|rather|make it|"
    rf"scratch that|let's say|let's make it) ?)+ ?({_COUNT})({_UNIT})?\b"
)
"""A length said and corrected at once ("ten no fifteen minutes", "15 minutes no 20", "a couple
of minutes no actually make it twelve"): the second is meant, with the unit said for either."""
_BARE = re.compile(
    r"\b(?:take|gimme|give (?:me|us|it|him|her|them)|(?:i|we) need|another|an extra|extra) "
    rf"(?:a |another )?({_COUNT})(?: (?:please|now|then|okay|ok|yeah|mate|love|babe))*$"
)
"""A length said as a bare number at the end of a short idiom ("take five", "give us ten"): the
templates' own phrases say minutes, so do these."""
_BY = re.compile(
    rf"\b(?:extend|stretch|lengthen|increase|push|make)\b(?: [a-z']+){{0,3}} by ({_COUNT})"
    r"(?: (?:please|now|then|okay|ok|more|mate|love|babe))*$"
)
"""A length said as a bare number after "by" at the end of lengthening ("stretch the break by
five"): minutes, as after "take"."""
_UNITS = frozenset({"second", "seconds", "minute", "minutes", "hour", "hours"})
_TIMER = frozenset({"timer", "timers", "countdown"})


def _at(words: list[str], i: int) -> str:
    return words[i] if 0 <= i < len(words) else ""


def _names_the_timer(words: list[str], start: int, end: int) -> bool:
    """ "the one hour timer", "timer for 1 hour": the length says which timer, not how much."""
    if _at(words, end) in _TIMER:
        return True
    return (_at(words, start) in ("for", "of") and _at(words, start - 1) in _TIMER) or (
        _at(words, start - 1) in ("for", "of") and _at(words, start - 2) in _TIMER
    )


class SlotReader:
    """Built once from the loaded templates; ``read`` is a pure function of the words."""

    def __init__(self, templates: Intents) -> None:
        self._intents = Intents.from_dict(
            {
                "language": templates.language,
                "intents": {name: {"data": blocks} for name, blocks in _RULES.items()},
            }
        )
        self._intents.slot_lists = {**templates.slot_lists, **_spoken_lists()}
        self._intents.expansion_rules = templates.expansion_rules
        self._starts = _first_words(self._intents) | {"at", "for"}
        self._numbers = _number_words(0, 200, templates.language)

    def read(self, said: str, wanted: set[str]) -> dict[str, object]:
        """The template values (``minutes``, ``time_hour``, ...) of the one length or time said.

        ``wanted``: which of ``minutes`` and ``time`` the request can take. Empty when none is
        said, when different values are (no guessing between them), or when a reading is only
        part of a longer length ("for 1" of "for 1 and a half hours", "for 45" of "for 45
        seconds"). A length that names the timer ("add five minutes to the one hour timer",
        "timer for 1 hour") gives way to another length said beside it.
        """
        words = said.split()
        readings: list[tuple[int, int, str, dict[str, object]]] = []
        cuts: list[tuple[int, int]] = []
        taken = [False] * len(words)
        for size in range(min(_LONGEST, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                if any(taken[start : start + size]) or not self._may_start(words[start]):
                    continue
                result = recognize(" ".join(words[start : start + size]), self._intents)
                if result is None or result.intent.name not in wanted:
                    continue
                if self._cut(words, start, start + size):
                    cuts.append((start, start + size))  # part of a longer length, unless ...
                    continue
                values = {k: e.value for k, e in result.entities.items()}
                readings.append((start, start + size, result.intent.name, values))
                taken[start : start + size] = [True] * size
        for first, last in cuts:  # ... a whole reading covers those words ("for [1 hour]")
            if not any(r[0] < last and first < r[1] for r in readings):
                return {}  # "a two hour timer" read as "hour": part of a length, not a guess
        ends = {r[1] for r in readings} | {r[1] + 1 for r in readings if _at(words, r[1]) == "and"}
        if any(r[0] in ends for r in readings):
            return {}  # "1 hour 15 minutes and 30 seconds": one length in parts, not two
        apart = [r for r in readings if not _names_the_timer(words, r[0], r[1])]
        if apart and len(apart) < len(readings):
            readings = apart
        found: dict[str, dict[str, object]] = {}
        for _, _, name, values in readings:
            if name in found and found[name] != values:
                return {}
            found[name] = values
        if len(found) != 1:  # "in ten minutes at eight": which one? the default, not a guess
            return {}
        return next(iter(found.values()))

    def read_spoken(self, said: str, wanted: set[str]) -> dict[str, object]:
        """``read`` over a sentence as spoken, for a request the semantic net decided: fillers
        dropped ("at like um half eight"), a length corrected at once read as corrected
        (``corrected``), and a bare number after "take" or "give us" at the end of it read as
        minutes ("take five", "stretch the break by five"). The templates read the same
        sentences the same way."""
        text = tidy(corrected(said))
        found = self.read(text, wanted)
        if not found and "minutes" in wanted and (bare := _BARE.search(text)):
            found = self.read(f"{text[: bare.end(1)]} minutes", wanted)
        if not found and "minutes" in wanted and (by := _BY.search(text)):
            found = self.read(f"{by[1]} minutes", wanted)
        return found

    def _cut(self, words: list[str], start: int, end: int) -> bool:
        """Whether the words around ``words[start:end]`` show it is only part of a length: a
        number just before it, a unit just after it ("for 45 seconds"), or a bare number
        going on ("for 1 and a half hours", "for twenty five")."""
        if start and self._is_number(words[start - 1]):
            return True
        after = _at(words, end)
        if after in _UNITS:
            return True
        if words[end - 1] in _UNITS or words[end - 1] == "more":
            return False  # the reading ended on its unit: what follows is not part of it
        going_on = _at(words, end + 1)
        return self._is_number(after) or (
            after == "and" and (going_on in ("a", "half") or self._is_number(going_on))
        )

    def _may_start(self, word: str) -> bool:
        return word in self._starts or bool(_DIGIT.search(word))

    def _is_number(self, word: str) -> bool:
        """A number said just before a reading means the reading took only its tail."""
        return word in self._numbers or bool(_DIGIT.search(word))


def _spoken_lists() -> dict[str, TextSlotList]:
    """``_SPOKEN`` as hassil slot lists."""
    return {
        name: TextSlotList.from_tuples([(said, value) for said, value in values], name=name)
        for name, values in _SPOKEN.items()
    }


def _first_words(templates: Intents) -> set[str]:
    """Every word a number list value can begin with ("twenty", "half", "an", "a", ...)."""
    words: set[str] = set()
    for slot_list in templates.slot_lists.values():
        if isinstance(slot_list, TextSlotList):
            for value in slot_list.values:
                text = getattr(value.text_in, "text", "")
                if text.split():
                    words.add(text.split()[0].lower())
        elif isinstance(slot_list, RangeSlotList) and slot_list.words:
            words |= _number_words(slot_list.start, slot_list.stop, templates.language)
    return words


def _number_words(start: int, stop: int, language: str) -> set[str]:
    """First words of the numbers ``start``..``stop`` spelled out, as hassil spells them."""
    try:
        from unicode_rbnf import RbnfEngine
    except ImportError:  # hassil brings it; without it digits and text lists still work
        return set()
    engine = RbnfEngine.for_language(language)
    firsts: set[str] = set()
    for n in range(start, min(stop, 200) + 1):
        for text in engine.format_number(n).text_by_ruleset.values():
            firsts.add(text.replace("-", " ").split()[0].lower())
    return firsts


def corrected(said: str) -> str:
    """A normalised sentence with a length corrected at once replaced by the correction, which
    keeps the unit said with either number: "ten no fifteen minutes" -> "fifteen minutes",
    "15 minutes no 20" -> "20 minutes" (an hour corrected to more than four is minutes:
    "an hour no forty five")."""

    def one(m: re.Match[str]) -> str:
        count, unit = m[2], (m[3] or m[1] or "").strip()
        if unit.startswith("hour") and not m[3] and _value(count) not in range(1, 5):
            unit = "minutes"
        return f"{count} {unit}".strip()

    return _CORRECTION.sub(one, said)


def _value(count: str) -> int | None:
    """The value of a small count in words or digits (None when not a plain number)."""
    if count.isdigit():
        return int(count)
    words = count.split()
    total = 0
    for word in words:
        if word in _TENS:
            total += _TENS[word]
        elif word in _SMALL:
            total += _SMALL.index(word) + 1
        else:
            return None
    return total
