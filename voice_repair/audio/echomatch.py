"""How much of a stretch heard over its voice was its own voice: measured against the reference.

The detector (``duck``) takes a frame for the person's when it stands above the echo predicted
from the reference, a prediction made frame by frame from levels. Its own voice fools that
prediction at times: with SpeexDSP in the path (``tests/audio/test_end_to_end.py``, its replies
looped back into the room, README fifteenth session) a residual the canceller left at a
transient stood above the learned threshold in the hiss band for two frames, or an onset of its
voice came before the reference predicted it where the canceller removed nothing; the stop
spotter, lenient over its own speech (``live.bargein.THRESHOLD``), then heard "stop" or
"shut up" in 0.14-0.35 s of its own voice, and its reply was cut, in process and in the echo
process alike. The whole stretch tells better than its frames: the microphone over it, before
any canceller, follows the reference almost exactly when only its voice is there, and cannot
when a person talks as loud as it. Nothing is kept or written; this works on the detector's
last seconds in memory.

The match is taken twice: over the whole band, and over the hiss band (the first difference,
the band the detector's second ear listens in, ``duck._Band``). Its own voice follows the
reference in both. A person's "s" (the start of "stop") is loud only in the hiss band: a
stretch made of it and the echo around it followed the reference at 0.91-0.97 in the whole
band, which the echo's vowels fill, and at 0.28-0.54 in the hiss band (``bench bargein``'s
records, sixteenth session); judged on the whole band alone, those stops were its own echo.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .measure import db_removed, energy, normalized_correlation

__all__ = [
    "EARLY_S", "LATE_S", "PAD_S", "Against", "against_reference", "best_match", "hiss",
    "piecewise_match",
]  # fmt: skip

EARLY_S = 0.04
"""How much earlier than the reference predicts its echo may come, seconds."""
LATE_S = 0.12
"""How much later (the reverberation, a delay estimate behind: ``duck.ECHO_WINDOW``)."""
RATE = 16000
PIECE_S = 0.1
"""The microphone is matched in pieces this long, each at its own lag."""
PAD_S = 0.03
"""Microphone audio around a stretch's frames taken into ``echo_match``."""


@dataclass(frozen=True)
class Against:
    """A stretch measured against what was played (all 0 when no frame lies there)."""

    removed_db: float
    """How much the canceller took out of the microphone over the stretch, dB."""
    match: float
    """How closely the microphone follows the reference over the whole band, 0-1."""
    hiss_match: float
    """The same in the hiss band (``hiss``), 0-1."""


def hiss(x: np.ndarray) -> np.ndarray:
    """The hiss band of ``x``: its first difference (a gentle high-pass, +6 dB an octave)."""
    x = x.astype(np.float64)
    return np.diff(x, prepend=x[:1])


def against_reference(
    frames: Sequence[tuple[float, np.ndarray, np.ndarray, np.ndarray]], start: float, end: float
) -> Against:
    """``frames``: (time, the microphone before the canceller, after it, the reference) per
    10 ms frame. Measures the frames from ``start`` to ``end``: the dB the canceller removed,
    and how closely the microphone there follows the reference (``piecewise_match``), over the
    whole band and in the hiss band."""
    inside = [(m, o) for t, m, o, _ in frames if start - 1e-4 <= t < end]
    if not inside:
        return Against(0.0, 0.0, 0.0)
    removed = db_removed(sum(energy(m) for m, _ in inside), sum(energy(o) for _, o in inside))
    lo, hi = start - PAD_S, end + PAD_S
    mic = np.concatenate([m for t, m, _, _ in frames if lo - 1e-4 <= t < hi])
    far = np.concatenate([f for t, _, _, f in frames if lo - LATE_S - 1e-4 <= t < hi + EARLY_S])
    return Against(removed, piecewise_match(mic, far), piecewise_match(hiss(mic), hiss(far)))


def piecewise_match(mic: np.ndarray, far: np.ndarray) -> float:
    """``best_match`` of each ``PIECE_S`` of ``mic`` (each at its own lag: the room's delay
    may jump inside a stretch), combined as the share of the microphone's energy the reference
    explains: the square root of the energy-weighted mean of the squared matches. ``far``
    reaches ``LATE_S`` before ``mic`` and ``EARLY_S`` after it."""
    piece = round(PIECE_S * RATE)
    lead = far.size - mic.size  # LATE_S + EARLY_S of reference around the microphone's span
    if mic.size == 0 or lead < 0:
        return 0.0
    total, explained = 0.0, 0.0
    for i in range(0, mic.size, piece):
        m = mic[i : i + piece]
        if m.size < piece // 2 and i:
            m = mic[mic.size - piece // 2 :] if mic.size >= piece // 2 else m
        j = i + m.size
        energy = float(np.sum(np.square(m, dtype=np.float64)))
        r = best_match(m, far[max(0, j - m.size) : j + lead])
        total += energy
        explained += energy * r * r
    return math.sqrt(explained / total) if total > 0 else 0.0


def best_match(mic: np.ndarray, far: np.ndarray) -> float:
    """The largest normalized correlation of ``mic`` with a stretch of ``far`` (longer) as
    long, over every offset (through the FFT: a few milliseconds for a second)."""
    if mic.size == 0 or far.size < mic.size:
        return 0.0
    score = normalized_correlation(mic.astype(np.float64), far.astype(np.float64), least=1.0)
    return float(score.max()) if score.size else 0.0
