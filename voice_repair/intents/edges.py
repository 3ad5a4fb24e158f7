"""The words a template can begin and end with, per intent: a cheap filter for tolerant matching.

Finding a request inside a longer sentence tries many parts of it; most parts cannot be a
template at all because no template starts or ends with their first or last word. Walking the
parsed templates once at load gives those two word sets, so only plausible parts reach hassil.
The sets may say yes too often (a value of a list that starts in the middle of a word), never
no to a part a template could match: a wrong yes costs one hassil call, a wrong no a request.
"""

from __future__ import annotations

from dataclasses import dataclass

from hassil import ListReference, RuleReference
from hassil.expression import Alternative, Expression, Group, Permutation, TextChunk
from hassil.intents import Intents, RangeSlotList, TextSlotList

__all__ = ["Edges", "template_edges"]

NUMBER = "<number>"
"""Stands for any number, in digits or words (a range list)."""

_NUMBER_WORDS = frozenset(
    [
        "a",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "hundred",
    ]
)


@dataclass(frozen=True)
class Edges:
    """Words a template of any intent can begin with and end with."""

    first: frozenset[str]
    last: frozenset[str]

    def plausible(self, words: list[str]) -> bool:
        """Whether some template could match exactly these words (by their two ends)."""
        return bool(words) and _known(words[0], self.first) and _known(words[-1], self.last)


def _known(word: str, edge: frozenset[str]) -> bool:
    if word in edge:
        return True
    return NUMBER in edge and (word.isdigit() or word in _NUMBER_WORDS)


def template_edges(intents: Intents) -> Edges:
    """The first and last words of every template of ``intents`` (skip words count as both)."""
    skip = {word for phrase in intents.skip_words for word in phrase.split()}
    first, last = set(skip), set(skip)
    for intent in intents.intents.values():
        for data in intent.data:
            rules = {**intents.expansion_rules, **data.expansion_rules}
            for sentence in data.sentences:
                for at_start, words in ((True, first), (False, last)):
                    found, _ = _edge(sentence.expression, at_start, intents, rules, set())
                    words |= found
    return Edges(frozenset(first), frozenset(last))


def _edge(
    expr: Expression, at_start: bool, intents: Intents, rules: dict, seen: set[str]
) -> tuple[set[str], bool]:
    """(words ``expr`` can begin or end with, whether it can be empty)."""
    if isinstance(expr, TextChunk):
        words = expr.text.lower().split()
        if not words:
            return set(), True
        return {words[0] if at_start else words[-1]}, False
    if isinstance(expr, RuleReference):
        rule = rules.get(expr.rule_name)
        if rule is None or expr.rule_name in seen:
            return set(), True
        return _edge(rule.expression, at_start, intents, rules, seen | {expr.rule_name})
    if isinstance(expr, ListReference):
        return _list_edge(expr.list_name, at_start, intents, rules, seen)
    if isinstance(expr, (Alternative, Permutation)):
        words: set[str] = set()
        empty = isinstance(expr, Alternative) and expr.is_optional
        for item in expr.items:
            item_words, item_empty = _edge(item, at_start, intents, rules, seen)
            words |= item_words
            empty = empty or (item_empty and isinstance(expr, Alternative))
        return words, empty
    if isinstance(expr, Group):  # a sequence: up to the first part that cannot be empty
        words = set()
        for item in expr.items if at_start else reversed(expr.items):
            item_words, item_empty = _edge(item, at_start, intents, rules, seen)
            words |= item_words
            if not item_empty:
                return words, False
        return words, True
    return set(), True


def _list_edge(
    name: str, at_start: bool, intents: Intents, rules: dict, seen: set[str]
) -> tuple[set[str], bool]:
    slot_list = intents.slot_lists.get(name)
    if isinstance(slot_list, RangeSlotList):
        return {NUMBER}, False
    if not isinstance(slot_list, TextSlotList):
        return set(), True
    words: set[str] = set()
    empty = False
    for value in slot_list.values:
        value_words, value_empty = _edge(value.text_in, at_start, intents, rules, seen)
        words |= value_words
        empty = empty or value_empty
    return words, empty
