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

__all__ = ["SlotReader"]

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
        {"sentences": ["{day_words:time}"]},
        {"sentences": ["(tonight|this evening|later tonight)"], "slots": {"time": "tonight"}},
    ],
}
"""What a stretch of words must be to give a slot: the expansion rules of ``_common.yaml``, and
the day words the reminder templates take ("tomorrow morning", "tonight") with their values.
"For" before a clock time ("a reminder for 9 am tomorrow") makes it a time, never nine minutes."""
_LONGEST = 8
"""Words in the longest stretch tried ("an hour and forty five minutes" is seven)."""
_DIGIT = re.compile(r"\d")


class SlotReader:
    """Built once from the loaded templates; ``read`` is a pure function of the words."""

    def __init__(self, templates: Intents) -> None:
        self._intents = Intents.from_dict(
            {
                "language": templates.language,
                "intents": {name: {"data": blocks} for name, blocks in _RULES.items()},
            }
        )
        self._intents.slot_lists = templates.slot_lists
        self._intents.expansion_rules = templates.expansion_rules
        self._starts = _first_words(templates) | {"at", "for"}
        self._numbers = _number_words(0, 200, templates.language)

    def read(self, said: str, wanted: set[str]) -> dict[str, object]:
        """The template values (``minutes``, ``time_hour``, ...) of the one length or time said.

        ``wanted``: which of ``minutes`` and ``time`` the request can take. Empty when none is
        said, or when different values are (no guessing between them).
        """
        words = said.split()
        found: dict[str, dict[str, object]] = {}
        taken = [False] * len(words)
        for size in range(min(_LONGEST, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                if any(taken[start : start + size]) or not self._may_start(words[start]):
                    continue
                result = recognize(" ".join(words[start : start + size]), self._intents)
                if result is None or result.intent.name not in wanted:
                    continue
                if start and self._is_number(words[start - 1]):
                    return {}  # "a two hour timer" read as "hour": part of a number, not a guess
                values = {k: e.value for k, e in result.entities.items()}
                if result.intent.name in found and found[result.intent.name] != values:
                    return {}
                found[result.intent.name] = values
                taken[start : start + size] = [True] * size
        if len(found) != 1:  # "in ten minutes at eight": which one? the default, not a guess
            return {}
        return next(iter(found.values()))

    def _may_start(self, word: str) -> bool:
        return word in self._starts or bool(_DIGIT.search(word))

    def _is_number(self, word: str) -> bool:
        """A number said just before a reading means the reading took only its tail."""
        return word in self._numbers or bool(_DIGIT.search(word))


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
