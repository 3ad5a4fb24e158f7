"""What the echo path heard of the person over its voice: a recognizer "stop" there, judged.

Everyday talk said over the assistant's speech cut 3 of 8 replies in the eleventh session's
``bench bargein`` (none before): not the stop spotter, but the recognizer reading the talk as
"stop", 2.2-3.4 s after it ended. The recognizer hears the talk and its own echo as one long
stretch and, held to the product's phrases, may take it for the closest one. The echo path
knows better what the person said there: its detector (``audio.duck``) hands on each stretch of
their speech above the echo, and ``live.bargein`` judges each one (a stop phrase, too short,
too long for a stop, a fragment of longer speech, a short stretch that is not a stop).

A stop the recognizer read over its voice is *not acted on* when the echo path heard a sentence
there, and no stop: a stretch too long for a stop, a fragment of longer speech, or more than
``SENTENCE_S`` of the person's speech in all around the recognizer's reading. A bare "stop" the
spotter missed (one short stretch, or none heard above the echo) still reaches the session as
before. A reading where every stretch the echo path heard was its own voice (``"echo"``: the
microphone there followed what it played) is its own voice read as a stop, not acted on either.
Times only; nothing of what was said is kept or logged.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

__all__ = ["AROUND_S", "Overheard", "SENTENCE_S", "Stretch"]

SENTENCE_S = 1.2
"""More of the person's speech than this around a reading is a sentence, not a stop phrase:
"stop talking", the longest, is about 1 s; a stretch heard is often shorter than what was said
(the quiet parts stay under the echo)."""
AROUND_S = 0.5
"""Stretches this close to the recognizer's reading count as its speech (the two clocks and
the detector's hang time differ by a few hundred milliseconds)."""
SENTENCE_VERDICTS = ("long", "joined")
"""The barge-in's verdicts that mean longer speech than a stop: too long, a fragment."""


@dataclass(frozen=True)
class Stretch:
    """One stretch of the person's speech over its voice, as the barge-in judged it."""

    start: float
    """``time.monotonic()`` of its first frame above the echo."""
    end: float
    verdict: str
    """"stop", "not" (the spotter heard no stop), "short", "long", "joined" or "echo" (its
    own voice, ``live.bargein.ECHO_MATCH``)."""


class Overheard:
    """The last stretches heard over its voice, and the judgement of a recognizer's stop."""

    def __init__(self, keep: int = 64) -> None:
        self._stretches: deque[Stretch] = deque(maxlen=keep)

    def note(self, start: float, end: float, verdict: str) -> None:
        self._stretches.append(Stretch(start, end, verdict))

    def near(self, start: float, end: float) -> list[Stretch]:
        """Stretches within ``AROUND_S`` of ``start``-``end`` (monotonic seconds)."""
        lo, hi = start - AROUND_S, end + AROUND_S
        return [s for s in list(self._stretches) if s.end > lo and s.start < hi]

    def sentence(self, start: float, end: float) -> str | None:
        """Why the speech from ``start`` to ``end`` (monotonic), read as a stop by the
        recognizer over its voice, was a sentence and no stop; None when it may be a stop."""
        near = self.near(start, end)
        if any(s.verdict == "stop" for s in near):
            return None
        if near and all(s.verdict == "echo" for s in near):
            return f"{len(near)} stretches heard there, each its own voice"
        total = sum(s.end - s.start for s in near)
        longer = [s.verdict for s in near if s.verdict in SENTENCE_VERDICTS]
        if longer or total > SENTENCE_S:
            return f"{len(near)} stretches of the person's speech, {total:.2f} s, " + (
                f"{', '.join(longer)}" if longer else "longer than a stop phrase"
            )
        return None

    def describe(self, start: float, end: float) -> str:
        """The stretches near ``start``-``end``, for a log line (times and verdicts only)."""
        near = self.near(start, end)
        if not near:
            return "none heard above the echo"
        return ", ".join(f"{s.verdict} {s.end - s.start:.2f} s at {s.start - start:+.2f}"
                         for s in near)  # fmt: skip
