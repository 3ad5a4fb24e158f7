"""How much of its own voice the canceller took out: echo return loss enhancement, per reply.

A diagnostic for the log (numbers only, never audio): while the assistant's voice plays and
nobody talks over it (the voice not ducked), the microphone's energy before and after the
canceller is summed; once nothing has played for ``QUIET_S`` the reply's figure is logged, in
the first ``EARLY_S`` of it and over the whole of it (the adaptive filter learns the room as
the reply goes on, and a "stop" comes early). ``bench bargein -- --keep-log`` reads it.
"""

from __future__ import annotations

import logging

import numpy as np

from .measure import db_removed, energy

__all__ = ["ErleMeter"]

log = logging.getLogger(__name__)

ACTIVE_RMS = 100.0
"""A reference frame louder than this (RMS, 16-bit) counts as its voice playing."""
QUIET_S = 1.0
"""Nothing played for this long ends a reply's measurement."""
EARLY_S = 2.0
"""Seconds of voice the early figure covers."""
MIN_S = 0.5
"""A reply with less voice than this is not reported."""
FRAME_S = 0.01


class ErleMeter:
    """Fed every 10 ms frame: microphone in, canceller out, reference, whether ducked."""

    def __init__(self) -> None:
        self._sums = [0.0, 0.0, 0.0, 0.0]  # early in, early out, all in, all out
        self._frames = 0
        self._quiet = 0.0

    def frame(self, near: np.ndarray, out: np.ndarray, far: np.ndarray, ducked: bool) -> None:
        playing = float(np.sqrt(np.mean(np.square(far, dtype=np.float64)))) > ACTIVE_RMS
        if not playing:
            self._quiet += FRAME_S
            if self._quiet >= QUIET_S and self._frames:
                self._report()
            return
        self._quiet = 0.0
        if ducked:
            return
        e_in, e_out = energy(near), energy(out)
        if self._frames * FRAME_S < EARLY_S:
            self._sums[0] += e_in
            self._sums[1] += e_out
        self._sums[2] += e_in
        self._sums[3] += e_out
        self._frames += 1

    def _report(self) -> None:
        seconds = self._frames * FRAME_S
        if seconds >= MIN_S:
            log.info(
                "echo removed: %.1f dB in the first %.1f s, %.1f dB over %.1f s of its voice",
                db_removed(*self._sums[:2]), min(seconds, EARLY_S),
                db_removed(*self._sums[2:]), seconds,
            )  # fmt: skip
        self._sums = [0.0, 0.0, 0.0, 0.0]
        self._frames = 0
