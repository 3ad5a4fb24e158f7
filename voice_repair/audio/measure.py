"""Measurements of audio that the echo path's parts share (numbers only, never audio kept).

The delay search (``echodelay``) and the own-voice check (``echomatch``) both ask how closely
the microphone follows what was played, at every offset; the canceller's meter (``erle``) and
the own-voice check both ask how many dB the canceller took out. One definition each, so the
numbers logged and the numbers decided on mean the same thing.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["db_removed", "energy", "normalized_correlation"]


def energy(x: np.ndarray) -> float:
    """The sum of squares of ``x``, in float64 (16-bit samples overflow narrower types)."""
    return float(np.sum(np.square(x, dtype=np.float64)))


def db_removed(before: float, after: float) -> float:
    """How much less energy ``after`` holds than ``before``, dB (one unit of energy added to
    each, so silence on either side is a finite number)."""
    return 10.0 * math.log10((before + 1.0) / (after + 1.0))


def normalized_correlation(near: np.ndarray, ref: np.ndarray, least: float = 0.0) -> np.ndarray:
    """For each offset ``j`` of ``near`` along ``ref`` (longer), ``|sum_i near[i] * ref[i + j]|``
    over the two stretches' norms: 1 when ``ref`` there is ``near`` scaled. An offset whose
    norm product is ``least`` or under scores 0 (silence is no match). Computed through the FFT
    in the arrays' own precision; the norms in float64."""
    shifts = ref.size - near.size + 1
    if near.size == 0 or shifts < 1:
        return np.zeros(0)
    size = 1 << int(np.ceil(np.log2(ref.size + near.size)))
    corr = np.fft.irfft(np.conj(np.fft.rfft(near, size)) * np.fft.rfft(ref, size), size)
    sums = np.concatenate([[0.0], np.cumsum(ref.astype(np.float64) ** 2)])
    window = np.sqrt(np.maximum(sums[near.size : near.size + shifts] - sums[:shifts], 0.0))
    norm = math.sqrt(float(np.sum(near.astype(np.float64) ** 2))) * window
    return np.where(norm > least, np.abs(corr[:shifts]) / np.maximum(norm, max(least, 1e-9)), 0.0)
