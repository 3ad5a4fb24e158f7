"""When the quick look's transcript is final though it is not a product phrase.

The quick look (``whisperdecode.py``, ``QUICK_MARGIN``) decodes a segment on a short window
first and, until the twelfth session, kept that transcript only for a product phrase heard word
for word and sure; everything else was decoded again on the usual window. So every segment of
everyday talk and of noise paid two decodes: ``python -m bench decoding -- --configs
base,quick=none --talk 20 --noise 3`` (2026-12-07, load 6-17) counted 2.01 Whisper calls per
segment of talk against 1.01 without the quick look, and 1.75x the CPU (0.98 against 0.56 s a
sentence), 1.42x on noise; commands 0.81x. Talk and noise are most of what a living-room
microphone hears.

The usual window is there to mend the short window's known faults, and on the same recordings
(5 voices, clean and the reverberant room, 20 commands and 20 everyday sentences each) those
were few and of two kinds: a request said twice over ("say that again say that again", "we need
more milk we need more milk"), and a near miss one word off a phrase ("help me come down" where
the usual window hears "calm"; awb's "in the pause", "end the pause" on the usual window). The
usual window wrote the same words as the short one for 43 of the 49 command segments the quick
look did not settle (the other six: two repetitions, "in the pause", and three missed or
understood alike either way) and for 177 of the 203 talk segments (the rest: repetitions, and
words changed in sentences that are not requests either way). So such a transcript is final too:

* it is not a repetition (no run of words said twice in a row);
* it is far from every phrase: rapidfuzz's ``ratio`` against the nearest one is below
  ``NEAR_MISS_RATIO`` (every near miss the issue names scores 75-92: "i leave the pause" 75,
  "the pause" 82, "dad my breathing" 82, "help me come down" 88, "in the pause" 88);
* and the prompt guard has nothing to check (``promptguard.py``): a prompted decode Whisper
  is unsure of goes the usual way, guard included, since over noise those are the prompt's
  own sentences written back.

An empty transcript (Whisper's silence rule, a known invention) is far from every phrase:
noise that the short window hears as nothing is not decoded again either.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process

from .promptguard import Decode

__all__ = ["NEAR_MISS_RATIO", "QuickVerdict", "repeats"]

NEAR_MISS_RATIO = 75.0
"""A transcript whose nearest phrase scores this or more (rapidfuzz ``ratio``, 0-100) is a near
miss the usual window may mend. On the bench's recordings (the module docstring) 75 let 157 of
203 unsettled talk segments and 12 of 49 command segments end on the short window, one of
those commands with other words on the usual window (rms in the room: "plus for ten in an hour"
against "plus for a half an hour", both missed); 80 let 177 and 17 end there, two of them
different (both missed either way), but "i leave the pause" (75) is espeak-ng's known near
miss of "i need a pause"; 70 only 116 and 7."""


def repeats(text: str) -> bool:
    """Whether a run of words comes twice in a row ("help me breathe help me breathe"): the
    short window's known fault, which the usual window mends."""
    words = text.split()
    for n in range(1, len(words) // 2 + 1):
        for i in range(len(words) - 2 * n + 1):
            if words[i : i + n] == words[i + n : i + 2 * n]:
                return True
    return False


class QuickVerdict:
    """Decides whether a quick look's transcript is final (the module docstring says when)."""

    def __init__(self, phrases: Iterable[str]) -> None:
        """``phrases``: the product's phrases, normalized as the transcripts are."""
        self._phrases = sorted(set(phrases))

    def nearest_ratio(self, text: str) -> float:
        """rapidfuzz ``ratio`` (0-100) of ``text`` to the nearest phrase; 0 for no text."""
        if not text or not self._phrases:
            return 0.0
        best = process.extractOne(text, self._phrases, scorer=fuzz.ratio)
        return float(best[1]) if best else 0.0

    def final(self, decode: Decode, prompted: bool) -> bool:
        """The short window's transcript stands: not a phrase's near miss, not repeated, and
        nothing for the prompt guard to check."""
        if prompted and decode.text and decode.unsure:
            return False
        return not repeats(decode.text) and self.nearest_ratio(decode.text) < NEAR_MISS_RATIO
