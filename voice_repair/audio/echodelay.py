"""How late the assistant's voice reaches the microphone: the echo canceller's alignment.

WebRTC's AEC3 cancels well only when the reference it is handed lines up with the echo to
within a few tens of milliseconds; its own delay search did not find a 150 ms offset here
(5 dB of cancellation instead of 70). The offset between "the player says this sounded at t" and
"the microphone heard it at t + d" is the sound server's buffering plus the room, and it moved
by 400 ms between the first and later output streams of one process (PulseAudio 16, ALSA
plugin). So it is measured all the time, from the audio itself: while the assistant speaks,
every half second, the last two seconds of microphone audio are cross-correlated with what was
played (at 4 kHz, over delays up to ``MAX_DELAY_S``); a clear peak becomes the new delay.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .measure import normalized_correlation

__all__ = ["DelayTracker"]

MAX_DELAY_S = 1.5
"""The longest speaker-to-microphone delay searched, seconds."""
EARLY_S = 0.1
"""How far the echo may seem to come *before* the played time (a clock estimate off)."""
HISTORY_S = 2.0
"""Microphone audio correlated at each estimate, seconds."""
MIN_HISTORY_S = 0.6
"""Microphone audio needed for a first estimate, seconds."""
EVERY_S = 0.5
"""How often the delay is estimated while the assistant speaks, seconds."""
MIN_CORRELATION = 0.4
"""A normalized correlation peak below this is not trusted (the person talking over it)."""
SURE_CORRELATION = 0.8
"""A peak this clear is taken at once; weaker ones must be found twice in a row."""
AGREE_S = 0.003
"""Two estimates this close agree."""
RATE = 16000
"""The microphone's rate, Hz (``echo.RATE``)."""
MOVED_S = 0.008
"""A change of delay bigger than this moves the alignment (and restarts AEC3's learning); a
smaller one is the same echo path measured again and changes nothing. Each estimate wanders by
a millisecond or two, and SpeexDSP's filter, which models the room after the alignment sample
by sample, had to learn the room again at every such step: live it removed 0-2 dB of the echo
where, once aligned for good, it removes 7-17 dB (README "Its own voice")."""
GAP_S = 0.005
"""Microphone audio that does not follow the last block within this much (blocks the
microphone dropped, a new stream) starts the history afresh. Kept, the old samples were laid
on the new timeline as if no time had passed, and the echo in them correlated with what was
played a whole gap earlier: between two streams 1.2 s apart the delay was taken to be 1271 ms
for a second (``tests/live/test_echo_process.py``), where the room's was 60 ms; live, the
estimate jumped to 0.27-1.2 s between replies (README, twelfth session)."""
DECIMATE = 4
"""16 kHz -> 4 kHz for the search: 0.25 ms steps, a sixteenth of the work."""
FAR_S = 0.03
"""Once a delay is in use, an estimate further than this from it moves the alignment only when
the next estimate agrees with it, however clear its peak; meanwhile the search is bounded to
within this of the delay in use. The room's delay is fixed (one output stream for the player's
life), yet live the estimate moved between replies by 30-175 ms (README, thirteenth session),
and each move made the canceller learn the room again (1.4 dB removed near two missed stops).
A real move (a new stream after the sound server came back) is still followed, one estimate
(``EVERY_S``) later."""


class PlayedAudio(Protocol):
    """What the tracker needs of ``echo.PlayedAudio``."""

    def window(self, t0: float, n: int) -> np.ndarray: ...

    def last_end(self) -> float: ...


class DelayTracker:
    """The current speaker-to-microphone delay, re-estimated while speech plays."""

    def __init__(self, played: PlayedAudio, initial_s: float = 0.05) -> None:
        self._played = played
        self.delay = initial_s
        """Seconds from "played at t" (``PlayedAudio``) to heard in the microphone."""
        self.confidence = 0.0
        """The normalized correlation of the last accepted estimate."""
        self._near = np.zeros(0, dtype=np.float32)
        self._near_end = 0.0
        self._since = 0.0
        self._candidate: float | None = None
        self._settled = False
        """An estimate was accepted: the delay is the room's, not ``initial_s``'s guess."""

    def observe(self, near: np.ndarray, at: float) -> bool:
        """``near``: microphone samples recorded from ``at`` on. True when the delay moved
        (by more than ``MOVED_S``): what the canceller learned of the old alignment is wrong."""
        keep = int(HISTORY_S * RATE)
        if self._near.size and abs(at - self._near_end) > GAP_S:
            self.forget()
        self._near = np.concatenate([self._near, near.astype(np.float32)])[-keep:]
        self._near_end = at + near.size / RATE
        self._since += near.size / RATE
        if self._since < EVERY_S or self._near.size < MIN_HISTORY_S * RATE:
            return False
        if self._played.last_end() < self._near_end - HISTORY_S:
            return False  # nothing played in the window: nothing to learn
        self._since = 0.0
        found = self._estimate()
        if found is None:
            return False
        # A new delay needs two estimates in a row that agree, or one clear peak: a person
        # talking over the assistant makes a single estimate unreliable.
        delay, score = found.best
        candidate, self._candidate = self._candidate, delay
        agreed = candidate is not None and abs(delay - candidate) <= AGREE_S
        if self._settled and abs(delay - self.delay) > FAR_S and not agreed:
            if found.near is None:  # far, once: nothing near the delay in use either
                return False
            delay, score = found.near  # far, once: the search bounded around the delay in use
        if not (agreed or score >= SURE_CORRELATION):
            return False
        self.confidence = score
        self._settled = True
        if abs(delay - self.delay) <= MOVED_S:
            return False  # the same path, measured again: the alignment the canceller learned on
        self.delay = delay
        return True

    def forget(self) -> None:
        """The microphone's history is not continuous with what comes next (a gap, a new
        stream): keep the delay, start the history again."""
        self._near = np.zeros(0, dtype=np.float32)
        self._since = 0.0
        self._candidate = None

    def _estimate(self) -> _Found | None:
        n = self._near.size
        start = self._near_end - n / RATE
        span = int((MAX_DELAY_S + EARLY_S) * RATE)
        ref = self._played.window(start - MAX_DELAY_S, n + span).astype(np.float32)
        near = _decimate(self._near)
        ref = _decimate(ref)
        if not ref.any() or not near.any():
            return None
        # score[j]: how well the echo lines up with the reference at shift j.
        score = normalized_correlation(near, ref)
        shifts = score.size
        best = int(np.argmax(score))
        if score[best] < MIN_CORRELATION:
            return None
        delays = MAX_DELAY_S - np.arange(shifts) * DECIMATE / RATE
        near = np.flatnonzero(np.abs(delays - self.delay) <= FAR_S)
        bounded = None
        if near.size:
            j = int(near[np.argmax(score[near])])
            if score[j] >= MIN_CORRELATION:
                bounded = (float(delays[j]), float(score[j]))
        return _Found((float(delays[best]), float(score[best])), bounded)


@dataclass(frozen=True)
class _Found:
    """One estimate: (delay s, normalized correlation) of the whole search's peak, and of the
    peak within ``FAR_S`` of the delay in use (None when none there passes
    ``MIN_CORRELATION``)."""

    best: tuple[float, float]
    near: tuple[float, float] | None


def _decimate(x: np.ndarray) -> np.ndarray:
    """A crude 4:1 decimation (the mean of each four samples): enough to find a peak."""
    usable = x[: x.size // DECIMATE * DECIMATE]
    return usable.reshape(-1, DECIMATE).mean(axis=1)
