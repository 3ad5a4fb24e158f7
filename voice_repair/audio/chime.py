"""The soft two-tone chime played before reminders and the end of a pause.

Generated in code rather than shipped as a file, so it has no licence to track and can be made at
whatever sample rate the output stream uses.
"""

from __future__ import annotations

import numpy as np

__all__ = ["chime", "CHIME_SECONDS"]

_TONES_HZ = (659.25, 880.0)
"""E5 then A5: a rising fourth, which reads as "gentle attention" rather than an alarm."""
_TONE_SECONDS = 0.22
_GAP_SECONDS = 0.04
_PEAK = 0.30
"""Peak amplitude as a fraction of full scale: audible, never startling."""

CHIME_SECONDS = len(_TONES_HZ) * _TONE_SECONDS + _GAP_SECONDS
"""Length of the chime in seconds."""


def _tone(freq: float, sample_rate: int) -> np.ndarray:
    n = round(_TONE_SECONDS * sample_rate)
    t = np.arange(n) / sample_rate
    # A fast attack and a long exponential decay sound like a soft bell; the raised-cosine
    # edges stop clicks at either end.
    envelope = np.exp(-t * 9.0)
    ramp = min(n // 2, int(0.008 * sample_rate))
    if ramp:
        edge = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, ramp))
        envelope[:ramp] *= edge
        envelope[-ramp:] *= edge[::-1]
    # A quiet octave partial makes it rounder than a bare sine.
    wave = np.sin(2 * np.pi * freq * t) + 0.25 * np.sin(4 * np.pi * freq * t)
    return wave * envelope / 1.25


def chime(sample_rate: int) -> np.ndarray:
    """The chime as int16 mono samples at ``sample_rate``."""
    if sample_rate < 8000:
        raise ValueError(f"sample rate {sample_rate} Hz is too low for the chime (need >= 8000)")
    gap = np.zeros(round(_GAP_SECONDS * sample_rate))
    first, second = (_tone(f, sample_rate) for f in _TONES_HZ)
    signal = np.concatenate([first, gap, second]) * _PEAK
    return np.round(signal * 32767).astype(np.int16)
