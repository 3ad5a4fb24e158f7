"""Nearest-sentence snapping: a near-miss transcript onto a sentence the templates can say.

An open recognizer (Whisper ``tiny.en``) hears "plus for half an hour" for "pause for half an
hour" and "and the pause" for "end the pause": one short word wrong, and the matcher, rightly
strict, finds nothing. Snapping the text onto the nearest known sentence fixes those, but text
distance alone also turns everyday talk into requests: on typed sentences (a perfect
transcript) rapidfuzz ratio >= 80 alone snapped 10 of 152 everyday sentences ("stop the car" ->
stop, "we're ready to order" -> end the pause). So a snap must pass every one of these tests:

* **close as text**: rapidfuzz ``ratio`` of the whole strings >= ``min_ratio``;
* **never across a word heard clearly**: every word the recognizer gave a probability >=
  ``clear_prob`` stays, unchanged and in order, in the sentence snapped to;
* **unsure words change only into look-alikes**: an unsure word may be replaced only by a word
  spelled much like it (``word_ratio``: "plus" -> "pause" 67, "and" -> "end" 67; "go" ->
  "talk" 0, "about" -> "at" 57), dropped only when hardly heard (``drop_prob``); words may be
  added (a recognizer merges words: "reme" for "read me"); ``max_edits`` edits in all;
* **long enough**: transcripts of fewer than ``min_words`` words are never snapped (one word
  carries too little evidence: "top" is not "stop");
* **nothing added in front of a clear start**: the front of a request says what it asks, so
  words are added before the first word heard only when that word itself changes into a
  look-alike (a merge: "reme" for "read me"); "the pause" snapped onto "end the pause" turned a
  bare fragment into a request (and could as well have been the opposite one);
* **slots are never made up**: a number, or another word that carries a length or a time
  ("half", "noon", "tomorrow", "pm"), is never added and never comes from a look-alike ("more
  minutes" is not "ten more minutes", "then" is not "ten"); a request whose length was not heard
  gets its default from the matcher, not a number from the nearest sentence.

Measured on a scratch set (2026-11-29; Whisper tiny.en transcripts with word probabilities;
candidates: the product grammar, about 730 sentences). Commands: 272 recordings, 81 product
sentences (``bench/asr.py``'s 20 and every 12th grammar sentence) in Piper, espeak-ng en-us and
flite slt, and 29 of them in flite rms. Everyday talk: 427 recordings, 143 sentences (the
bench's 60 and the whole must-not-match list ``intents/en/tests/_none.yaml``) in Piper,
espeak-ng and slt. All clean. Understood / false activations:

=======================================================  =================  =======
no snapping                                              227/272            0/427
plain rapidfuzz ratio >= 80 (text distance alone)        259/272            25/427
these defaults (80, clear 0.8, look-alike 60, drop 0.2)  247/272            0/427
look-alike 50 instead of 60                              252/272            1/427
look-alike 40                                            253/272            1/427
clear 0.6 / 0.7 / 0.9 (others default)                   245 / 247 / 247    0/427 each
=======================================================  =================  =======

The look-alike 50 false activation was "i'm afraid so" (espeak) snapped onto a safety
request, "i'm afraid of him"; at 50 a command also went wrong ("remind us to talk about it"
onto a reminder "at eight"). ``min_ratio`` 70 and ``max_edits`` 3 changed nothing here.

This service takes candidate sentences and gives a scored snap; it knows nothing of recognizers
(the wiring, ``live.understanding.Understanding``, hands it the words and their probabilities). The
matcher, with its safety scan, runs on the raw transcript first; snapping is only tried when the
raw text matched nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

__all__ = ["NearestSentence", "Snap"]

_NO = 10**6
"""Cost of an alignment that is not allowed."""
_SLOT_TEXT = """zero one two three four five six seven eight nine ten eleven twelve thirteen
    fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty
    ninety hundred half quarter couple few noon midnight tonight tomorrow morning afternoon
    evening night am pm o'clock hour hours"""
_SLOT_WORDS = frozenset(_SLOT_TEXT.split())
"""Words that carry a slot (a length or a time): never added or changed into by a snap."""
_DROP = 2
"""Cost of dropping a hardly heard word: two edits, so that dropping one and adding another
(a substitution that skips the look-alike test) exceeds ``max_edits``. Seen on the bench:
"i'm going to take a look" (10 dB white noise, flite awb) snapped onto "i'm going to take a
break" by dropping "look" and adding "break"."""


@dataclass(frozen=True)
class Snap:
    """A transcript moved onto a known sentence."""

    sentence: str
    """The known sentence (spoken form, as the grammar sampler gives it)."""
    ratio: float
    """rapidfuzz ratio (0..100) between the transcript and ``sentence``."""
    edits: int
    """Words replaced, dropped or added to get there (never a clearly heard one)."""


class NearestSentence:
    """Snaps transcripts onto the nearest of ``sentences``; see the module docstring."""

    def __init__(
        self,
        sentences: Sequence[str],
        min_ratio: float = 80.0,
        clear_prob: float = 0.8,
        max_edits: int = 2,
        min_words: int = 2,
        word_ratio: float = 60.0,
        drop_prob: float = 0.2,
    ) -> None:
        self.sentences = list(dict.fromkeys(s for s in sentences if s))
        self.min_ratio = min_ratio
        self.clear_prob = clear_prob
        self.max_edits = max_edits
        self.min_words = min_words
        self.word_ratio = word_ratio
        self.drop_prob = drop_prob
        self._split = [s.split() for s in self.sentences]

    def snap(self, words: Sequence[tuple[str, float]]) -> Snap | None:
        """The nearest allowed sentence for ``words`` ((word, probability 0..1) pairs), or
        None when no known sentence passes every test."""
        if len(words) < self.min_words or not self.sentences:
            return None
        text = " ".join(w for w, _ in words)
        found = process.extract(
            text, self.sentences, scorer=fuzz.ratio, score_cutoff=self.min_ratio, limit=10
        )
        best: Snap | None = None
        for sentence, ratio, i in found:
            edits = self._edits(words, self._split[i])
            if edits > self.max_edits:
                continue
            cand = Snap(sentence, round(float(ratio), 1), edits)
            if best is None or (cand.ratio, -cand.edits) > (best.ratio, -best.edits):
                best = cand
        return best

    def _edits(self, heard: Sequence[tuple[str, float]], target: Sequence[str]) -> int:
        """Fewest allowed word edits from ``heard`` to ``target`` (``_NO`` when none is allowed:
        a clearly heard word would have to change)."""
        m = len(target)
        row = [0] * (m + 1)  # heard[:0] -> target[:j]: add j words (see the first word below)
        for j in range(1, m + 1):
            row[j] = row[j - 1] + 1 if _may_add(target[j - 1]) else _NO
        for i, (word, p) in enumerate(heard):
            unsure = p < self.clear_prob
            droppable = p < self.drop_prob
            new = [row[0] + _DROP if droppable else _NO] + [_NO] * m
            for j in range(1, m + 1):
                wanted = target[j - 1]
                best = new[j - 1] + 1 if _may_add(wanted) else _NO
                if word == wanted and (i or j == 1):  # words added in front only for a merge:
                    best = min(best, row[j - 1])  # "reme" -> "read me", never "the" -> "end the"
                elif word != wanted and unsure and _may_become(word, wanted, self.word_ratio):
                    best = min(best, row[j - 1] + 1)  # an unsure word into a look-alike
                if droppable:
                    best = min(best, row[j] + _DROP)  # drop a word it hardly heard
                new[j] = min(best, _NO)
            row = new
        return row[m]


def _may_add(word: str) -> bool:
    return word not in _SLOT_WORDS and not _digit(word)


def _digit(word: str) -> bool:
    return any(ch.isdigit() for ch in word)


def _may_become(word: str, wanted: str, word_ratio: float) -> bool:
    """An unsure word may turn into a look-alike, unless either carries a slot."""
    if wanted in _SLOT_WORDS or _digit(wanted) or word in _SLOT_WORDS or _digit(word):
        return False
    return fuzz.ratio(word, wanted) >= word_ratio
