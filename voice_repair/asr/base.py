"""The one small interface both speech engines offer, and the phrase handling they share.

A recognizer is fed audio blocks as they arrive and answers with the utterances it has decided on.
It never sees the intent matcher: ``app.py`` hands it the product's sentences (from the matcher's
sampler) and hands its ``Utterance.text`` back to the matcher.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

from ..errors import ModelError
from ..models import AudioChunk, Utterance

__all__ = ["Recognizer", "normalize_phrases", "phrase_trie", "word_distance"]

_WORD = re.compile(r"^[^\W\d_](?:[^\W\d_]|')*$")
"""A spoken word: letters of any script (vosk models exist for Korean, ...), apostrophes inside."""


@runtime_checkable
class Recognizer(Protocol):
    """Streaming speech-to-text restricted to the product's phrases."""

    name: str
    """Engine name, ``pocketsphinx`` or ``vosk``."""
    sample_rate: int
    """Samples per second ``accept`` expects (16000)."""
    missing_words: list[str]
    """Grammar words the model cannot pronounce; phrases containing them are not recognised."""

    def accept(self, chunk: AudioChunk) -> list[Utterance]:
        """Feed audio; return the utterances decided during this chunk (usually none)."""
        ...

    def flush(self) -> list[Utterance]:
        """End of stream: decide on whatever speech is still buffered."""
        ...

    def reset(self) -> None:
        """Drop buffered audio without deciding (half-duplex: we were speaking)."""
        ...


def normalize_phrases(phrases: Iterable[str]) -> list[str]:
    """Lower-case, collapse spaces, drop duplicates (keeping order), check the words are plain.

    Raises ModelError for a phrase with digits or punctuation: the grammar needs words as spoken
    ("ten", not "10"), and silently dropping such a phrase would make a command unrecognisable.
    """
    seen: dict[str, None] = {}
    bad = []
    for p in phrases:
        words = p.lower().replace("’", "'").split()
        if not words:
            continue
        if not all(_WORD.match(w) for w in words):
            bad.append(p)
            continue
        seen.setdefault(" ".join(words), None)
    if bad:
        shown = "; ".join(repr(b) for b in bad[:5])
        raise ModelError(
            f"{len(bad)} phrase(s) for the speech grammar contain digits or punctuation: {shown}. "
            "Write numbers as words in the intent templates (e.g. 'ten', not '10')."
        )
    if not seen:
        raise ModelError("No phrases to listen for: the intent templates produced no sentences.")
    return list(seen)


def phrase_trie(phrases: Sequence[str]) -> tuple[int, list[tuple[int, int, str]]]:
    """A prefix tree of the phrases as word transitions ``(from, to, word)``.

    State 0 is the start and state 1 the single final state, so phrases that share a beginning
    ("i need a pause", "i need ten minutes") share states and the search stays small however many
    sentences the sampler produces. Returns (number of states, transitions).
    """
    nodes: dict[tuple[int, str], int] = {}
    edges: set[tuple[int, int, str]] = set()
    n_states = 2
    for phrase in phrases:
        words = phrase.split()
        state = 0
        for i, word in enumerate(words):
            if i == len(words) - 1:
                edges.add((state, 1, word))
            else:
                if (state, word) not in nodes:
                    nodes[(state, word)] = n_states
                    n_states += 1
                nxt = nodes[(state, word)]
                edges.add((state, nxt, word))
                state = nxt
    return n_states, sorted(edges)


def word_distance(a: Sequence[str], b: Sequence[str]) -> int:
    """Word-level edit distance (insertions, deletions, substitutions)."""
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        prev, row[0] = row[0], i
        for j in range(1, len(b) + 1):
            cur = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] != b[j - 1]))
            prev = cur
    return row[len(b)]
