"""Cutting a long first sentence at its first natural pause, so a reply's first sound waits
only for its first clause.

The speaker plays a sentence once the engine has rendered all of it, and Piper renders a whole
sentence before handing any audio back. The longest first sentences of all replies (12-19
words: ``support``, ``repair.validate``, ``repair.learn``) took 4-13 s to render at ``nice 10``
with the load at 22 (README, the twelfth session), so their answers seemed lost. Rendered as two
pieces, the first clause is heard as soon as it alone is ready and the rest renders while it
plays, for any engine.

The words stay exactly the same, in the same order, punctuation included (the comma stays at
the end of the first clause); what changes is a short pause at the cut: the engines' padding is
trimmed to 40 ms on each side (``engines.trim_silence``) and ``CLAUSE_GAP_SECONDS`` is put
between, about 0.18 s in all, about a spoken comma's.

A cut is made only where it helps and cannot garble what is said: in a sentence of more than
``MIN_WORDS`` words, at ", ", ": ", "; " or " - ", with at least ``MIN_FIRST_WORDS`` words before
it and ``MIN_REST_WORDS`` after, never between two parts of a number ("five five five, one two
three four", "1, 2") and never right after a capitalised word inside the sentence (a name such
as "Riverside Counseling, ..." or "Anna, Ben and ...").
"""

from __future__ import annotations

import re

__all__ = ["first_clause_split", "CLAUSE_GAP_SECONDS", "MIN_WORDS"]

CLAUSE_GAP_SECONDS = 0.1
"""Silence put back where a sentence was cut (plus 2 x 40 ms of kept engine margin)."""

MIN_WORDS = 9
"""A sentence of this many words or fewer is rendered whole: short ones render quickly (the
"Okay." of the twelfth session's scratch run took 1.0-2.3 s at load 22) and a cut would only
add a pause."""

MIN_FIRST_WORDS = 2
"""Fewest words of a first clause ("Try:" alone is not cut off; "You could say:" is)."""

MIN_REST_WORDS = 3
"""Fewest words after the cut: a two-word tail is not worth its own rendering."""

_CUT = re.compile(r"(?<=[,:;])\s+|\s+-\s+")
"""Where a clause ends: after a comma, colon or semicolon, or around a spaced dash (which stays
with the first clause)."""

_NUMBER_WORDS = frozenset({
    "zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    "hundred", "thousand", "million",
})  # fmt: skip


def first_clause_split(sentence: str) -> list[str]:
    """``sentence`` as [first clause, rest] when it is long and has a safe natural pause, else
    [sentence]. ``" ".join(result)`` gives back the sentence's words exactly (whitespace at the
    cut becomes one space)."""
    words = sentence.split()
    if len(words) <= MIN_WORDS:
        return [sentence]
    for cut in _CUT.finditer(sentence):
        head = sentence[: cut.start()].rstrip()
        tail = sentence[cut.end() :]
        if cut.group().strip() == "-":
            head += " -"
        head_words, tail_words = head.split(), tail.split()
        if len(head_words) < MIN_FIRST_WORDS or len(tail_words) < MIN_REST_WORDS:
            continue
        if _in_number(head_words[-1], tail_words[0]) or _after_name(head_words):
            continue
        return [head, tail]
    return [sentence]


def _bare(word: str) -> str:
    return re.sub(r"[^\w']", "", word)


def _is_number(word: str) -> bool:
    bare = _bare(word).lower()
    return bool(bare) and (bare[0].isdigit() or bare in _NUMBER_WORDS)


def _in_number(before: str, after: str) -> bool:
    """The cut would fall between two parts of one number (a phone number read out, a list of
    digits)."""
    return _is_number(before) and _is_number(after)


def _after_name(head_words: list[str]) -> bool:
    """The word before the cut is capitalised and not the sentence's first word nor "I": most
    likely part of a name, which is not cut away from what it belongs to."""
    last = head_words[-1] if head_words[-1] != "-" else head_words[-2]
    bare = _bare(last)
    return len(head_words) > 1 and bare[:1].isupper() and bare not in {"I", "I'm", "I've"}
