"""When each block the player hands over will sound: one steady timeline, not a guess per block.

The echo canceller's reference must line up with the echo sample for sample. It used to be laid
down block by block at PortAudio's estimate for each block (``now + outputBufferDacTime -
currentTime``, read in the audio callback). Through the ALSA ``pulse`` plugin on a busy machine
that estimate strays: in a live record (``bench bargein -- --record``, load 8-13) a third of
the blocks (2329 of 6477) were put more than 3 ms away from where the previous block ended (p95
36 ms), so the reference was a patchwork of pieces shifted by 5-40 ms where the sound
between two underruns was continuous: against what the speaker really played
(``speaker.monitor``) the microphone lined up within 0.1 ms in 100 ms windows (correlation
0.93-0.99), against the reference it scattered (0.15-0.99), and SpeexDSP removed 0.8 dB of
it. Laid on one timeline, the reference lined up with the echo (correlation 0.9 or more) in
42-59% of those windows against 18-19% before, at load 19-28 (README "Why the canceller
removed nothing").

A stream's samples are played one after the other at its rate: sample ``n`` sounds at
``origin + n / rate``. So only ``origin`` is estimated: the median of the per-block estimates
since the stream last lost its place (an underrun the server reported: the samples after it
sound later: the server left a gap, so did the echo, and the reference must have the same
gap), which a stray estimate does not move. Just after such a loss the median is of a few
estimates, so the origin follows it while it moves by more than ``MOVE_S``.
"""

from __future__ import annotations

from collections import deque

import numpy as np

__all__ = ["PlayClock"]

KEEP = 64
"""Per-block estimates the median is taken over (about 0.6 s of 10 ms blocks)."""
MOVE_S = 0.002
"""The median must move by more than this to move the timeline (each move shifts the
reference under the canceller, which then learns the room again)."""


class PlayClock:
    """``time.monotonic()`` at which the next block handed to the stream begins to sound."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._frames = 0
        """Samples handed over since the stream's timeline was last lost (silence included)."""
        self._estimates: deque[float] = deque(maxlen=KEEP)
        self.origin: float | None = None
        """When sample 0 (of the current timeline) sounds; None before the first block."""
        self.resets = 0
        """How often the timeline was lost (underruns reported) since the stream opened."""

    def block(self, sound_at: float, frames: int, underrun: bool) -> float:
        """A block of ``frames`` handed over now, which PortAudio says sounds at ``sound_at``;
        ``underrun``: the server reported missing samples before it. Returns when it sounds on
        the steady timeline."""
        if underrun or self.origin is None:
            if self.origin is not None:
                self.resets += 1
            self._frames = 0
            self._estimates.clear()
            self.origin = None
        self._estimates.append(sound_at - self._frames / self.rate)
        median = float(np.median(self._estimates))
        if self.origin is None or abs(median - self.origin) > MOVE_S:
            self.origin = median
        at = self.origin + self._frames / self.rate
        self._frames += frames
        return at
