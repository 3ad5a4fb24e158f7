"""The memory the assistant and its player process share: samples to play, what was played.

Why a process of its own plays the speaker: in the assistant's process the PortAudio callback
(Python, sharing the interpreter with the recognizer, the echo path and the speech engines)
missed its 50 ms buffer hundreds of times a run on the shared 2-core machine: 676 underruns
and 168 audible gaps (median 66 ms) in 5.5 minutes of `bench bargein` at load 10-20, each gap
also moving the echo under the canceller; from a process of its own, 3 underruns in the same
bench (README "A player process of its own"). The player process has no other Python thread.

One memory block (``memfd``, handed to the child as a file descriptor, never a file on disk):

* a header of counters. Each slot has one writer, so no lock is needed: the assistant writes
  ``WRITE`` (samples written so far), ``CUT`` (drop everything before this), ``GAIN`` and
  ``QUIT``; the player writes ``READ`` (samples handed to PortAudio), ``UNDERRUNS``,
  ``LOG_COUNT``, ``STATE``, ``ASKED`` and ``CUT_AT``. Positions are absolute sample counts, so
  they never wrap; the ring index is ``position % RING``;
* ``log``: one row per block the player handed to PortAudio (see ``Row``), the assistant reads
  them in order; this is how it learns what was played and when it sounds;
* ``ring``: int16 mono samples at the stream's rate.

This module is imported both by the package and by ``playerproc.py`` run as a plain script, so
it imports nothing from the package.
"""

from __future__ import annotations

import mmap
import os

import numpy as np

__all__ = ["Shared", "RING", "LOG_ROWS"]

RING = 1 << 20
"""Samples the ring holds: 47 s at 22050 Hz, more than any sentence (longer ones are written as
the player frees room)."""
LOG_ROWS = 8192
"""Blocks the log holds before it wraps: minutes of audio, read every few milliseconds."""

# int64 header slots
WRITE, READ, CUT, UNDERRUNS, LOG_COUNT, STATE, QUIT = range(7)
# float64 header slots (CUT_AT: the player's clock when it last dropped samples for a cut)
ASKED, GAIN, CUT_AT = range(3)
# STATE values
STARTING, RUNNING, ENDED, FAILED = range(4)
# log columns: ring position of the block's first sample, samples taken from the ring (the
# rest of the block is silence), the block's length, the player's clock when it was handed
# over, when PortAudio said it would sound, 1 after an underrun, the gain applied
POS, TAKEN, FRAMES, NOW, SOUNDS_AT, UNDERRUN, ROW_GAIN = range(7)

_HEADER = 4096
_ROW = 8 * 8


def size() -> int:
    return _HEADER + LOG_ROWS * _ROW + RING * 2


class Shared:
    """Views on the shared block (``fd`` an open memfd of ``size()`` bytes)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.memory = mmap.mmap(fd, size())
        self.ints = np.frombuffer(self.memory, np.int64, 16, 0)
        self.floats = np.frombuffer(self.memory, np.float64, 16, 128)
        self.log = np.frombuffer(self.memory, np.float64, LOG_ROWS * 8, _HEADER).reshape(-1, 8)
        self.ring = np.frombuffer(self.memory, np.int16, RING, _HEADER + LOG_ROWS * _ROW)

    @classmethod
    def create(cls) -> Shared:
        """A new block, zeroed, gain 1; its fd is inheritable so the child can map it."""
        fd = os.memfd_create("voice-repair-player", 0)
        os.ftruncate(fd, size())
        shared = cls(fd)
        shared.floats[GAIN] = 1.0
        return shared

    def free(self) -> int:
        """Samples the writer may add now without overwriting unplayed ones."""
        return RING - int(self.ints[WRITE] - max(self.ints[READ], self.ints[CUT]))

    def write(self, samples: np.ndarray) -> None:
        """Append ``samples`` (int16, at most ``free()``) and publish them to the player."""
        at = int(self.ints[WRITE])
        i = at % RING
        head = min(samples.size, RING - i)
        self.ring[i : i + head] = samples[:head]
        self.ring[: samples.size - head] = samples[head:]
        self.ints[WRITE] = at + samples.size  # after the samples: the player reads up to here

    def read_into(self, out: np.ndarray, at: int, n: int) -> None:
        """The player: ``n`` samples from position ``at`` into ``out[:n]``."""
        i = at % RING
        head = min(n, RING - i)
        out[:head] = self.ring[i : i + head]
        out[head:n] = self.ring[: n - head]
