"""Sentences the templates can say, as words, for a speech recognizer's grammar and dictionary.

Both samplers use hassil's ``sample_expression``. Digit ranges (``range:`` lists such as
``minute_digits``) are typed-only and left out: a recognizer hears "ten minutes", not "10".

The full expansion is large (hundreds of thousands of sentences, mostly clock times), so a
grammar will usually ask for a limited number per intent. Taking hassil's enumeration in order
would give "remind us in two minutes", "... three minutes", ... and never reach "at eight";
the limited sampler therefore enumerates each template's *shapes* (lists left as ``{name}``),
visits them in a spread-out order, round-robin over the intent's templates, and fills each list
with its values in turn.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from hassil import (
    Group,
    ListReference,
    RangeSlotList,
    RuleReference,
    TextChunk,
    TextSlotList,
    sample_expression,
)
from hassil.expression import Expression
from hassil.intents import Intents

__all__ = ["all_phrases", "spread_phrases", "vocabulary", "WORDS_ONLY"]

WORDS_ONLY = re.compile(r"[a-z]+(?:'[a-z]+)?(?: [a-z]+(?:'[a-z]+)?)*")
"""A phrase a recognizer can be given: lower-case words, apostrophes inside words only."""

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def all_phrases(intents: Intents, order: list[str]) -> list[tuple[str, str]]:
    """Every (intent, sentence) the templates can say in words, deduplicated per intent."""
    lists = {**intents.slot_lists, **_typed_only(intents)}
    pairs: list[tuple[str, str]] = []
    with _quiet_sampler():
        for intent in order:
            seen: set[str] = set()
            for block in intents.intents[intent].data:
                for sentence in block.sentences:
                    for text in sample_expression(
                        sentence.expression, lists, intents.expansion_rules
                    ):
                        words = " ".join(text.lower().split())
                        if words not in seen and WORDS_ONLY.fullmatch(words):
                            seen.add(words)
                            pairs.append((intent, words))
    return pairs


def spread_phrases(intents: Intents, order: list[str], per_intent: int) -> list[tuple[str, str]]:
    """Up to ``per_intent`` distinct sentences per intent, spread over every template's shapes."""
    rules = intents.expansion_rules
    typed_only = set(_typed_only(intents))
    values = {
        name: [v for value in slot_list.values for v in sample_expression(value.text_in, {}, rules)]
        for name, slot_list in intents.slot_lists.items()
        if isinstance(slot_list, TextSlotList)
    }
    turn: Counter[str] = Counter()

    def fill(match: re.Match[str]) -> str:
        name = match[1]
        turn[name] += 1
        return values[name][(turn[name] - 1) % len(values[name])]

    pairs: list[tuple[str, str]] = []
    for intent in order:
        shapes = []
        for block in intents.intents[intent].data:
            for sentence in block.sentences:
                found = sample_expression(sentence.expression, {}, rules, expand_lists=False)
                usable = [
                    s
                    for s in dict.fromkeys(found)
                    if all(n in values and values[n] for n in _PLACEHOLDER.findall(s))
                    and not typed_only & set(_PLACEHOLDER.findall(s))
                ]
                shapes.append(iter(_spread(usable)))
        seen: set[str] = set()
        while shapes and len(seen) < per_intent:
            for shape_iter in list(shapes):
                shape = next(shape_iter, None)
                if shape is None:
                    shapes.remove(shape_iter)
                    continue
                words = " ".join(_PLACEHOLDER.sub(fill, shape).lower().split())
                if words not in seen and WORDS_ONLY.fullmatch(words):
                    seen.add(words)
                    pairs.append((intent, words))
                    if len(seen) >= per_intent:
                        break
    return pairs


def _spread(items: list[str]) -> list[str]:
    """All items, in an order that jumps across the list (a golden-ratio stride).

    Consecutive shapes differ only in their last alternative; a stride near 0.618 n visits
    far-apart ones first, so a short prefix already covers the template's variety.
    """
    n = len(items)
    if n <= 2:
        return items
    step = max(1, round(n * 0.618))
    while math.gcd(step, n) != 1:
        step += 1
    return [items[(k * step) % n] for k in range(n)]


def vocabulary(intents: Intents) -> set[str]:
    """Every word the spoken templates can use, found by walking them (no sampling needed)."""
    words: set[str] = set()
    for intent in intents.intents.values():
        for block in intent.data:
            for sentence in block.sentences:
                words |= _words(intents, sentence.expression, set())
    return {word for word in words if WORDS_ONLY.fullmatch(word)}


def _words(intents: Intents, expr: Expression, rules_seen: set[str]) -> set[str]:
    if isinstance(expr, TextChunk):
        return set(expr.text.lower().split())
    if isinstance(expr, Group):
        return set().union(*(_words(intents, item, rules_seen) for item in expr.items))
    if isinstance(expr, RuleReference) and expr.rule_name not in rules_seen:
        rule = intents.expansion_rules[expr.rule_name].expression
        return _words(intents, rule, rules_seen | {expr.rule_name})
    if isinstance(expr, ListReference):
        slot_list = intents.slot_lists.get(expr.list_name)
        if isinstance(slot_list, TextSlotList):
            return set().union(*(_words(intents, v.text_in, rules_seen) for v in slot_list.values))
    return set()


def _typed_only(intents: Intents) -> dict[str, TextSlotList]:
    """Digit ranges replaced by empty lists, so the sampler leaves their sentences out."""
    return {
        name: TextSlotList(name=name, values=[])
        for name, slot_list in intents.slot_lists.items()
        if isinstance(slot_list, RangeSlotList)
    }


class _DropEmptyListWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("No values for list")


@contextmanager
def _quiet_sampler() -> Iterator[None]:
    """Hassil warns for each emptied digit list; those empties are on purpose here."""
    logger = logging.getLogger("hassil.sample")
    quiet = _DropEmptyListWarnings()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)
