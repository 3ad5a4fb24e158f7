"""A record of the echo path, for the barge-in bench only: never on unless asked.

Why it exists: live, SpeexDSP removed 0.1-0.3 dB of the assistant's own voice, offline tens of
dB on the same kind of signal. To tell why (the reference missing the player's gaps, the test
room's loopback jumping, a misaligned reference, the filter's settings), the bench needs the
very samples the canceller got, replayed offline (``bench/echoreplay.py``).

It writes audio, so it is off unless the environment variable ``VOICE_REPAIR_ECHO_RECORD``
names a folder (the bench sets it to a temporary one, removed afterwards). In that folder:
``near.s16`` (the microphone, 16 kHz mono int16, every 10 ms frame the canceller saw),
``far.s16`` (the reference it was handed for the same frames), ``blocks.tsv`` (per microphone
block: its time, its length in samples and the delay in use) and ``played.tsv`` (per block the
player handed over: the callback's clock, when PortAudio said it would sound, its length, and
whether the server reported an underrun just before it). Nothing is written otherwise.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

__all__ = ["ENV", "EchoRecord", "from_env"]

ENV = "VOICE_REPAIR_ECHO_RECORD"


class EchoRecord:
    """Appends the echo path's inputs to files in ``folder`` (see the module docstring)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._near = open(folder / "near.s16", "ab")  # noqa: SIM115 (open for the process)
        self._far = open(folder / "far.s16", "ab")  # noqa: SIM115
        self._blocks = open(folder / "blocks.tsv", "a")  # noqa: SIM115
        self._played = open(folder / "played.tsv", "a")  # noqa: SIM115
        self._pending: list[str] = []
        self._lock = threading.Lock()

    def block(self, at: float, near: np.ndarray, far: np.ndarray, delay: float) -> None:
        """A microphone block (recorded from ``at``) and the reference the canceller got."""
        self._near.write(np.ascontiguousarray(near, dtype="<i2").tobytes())
        self._far.write(np.ascontiguousarray(far, dtype="<i2").tobytes())
        self._blocks.write(f"{at:.6f}\t{near.size}\t{delay:.6f}\n")
        with self._lock:
            pending, self._pending = self._pending, []
        self._played.writelines(pending)
        self.flush()  # the process may end any time; a bench can afford the writes

    def played(self, now: float, sound_at: float, frames: int, underrun: bool) -> None:
        """From the audio callback: kept in memory, written by the next ``block``."""
        line = f"{now:.6f}\t{sound_at:.6f}\t{frames}\t{int(underrun)}\n"
        with self._lock:
            self._pending.append(line)

    def flush(self) -> None:
        for f in (self._near, self._far, self._blocks, self._played):
            f.flush()


_RECORD: EchoRecord | None = None
_CHECKED = False


def from_env() -> EchoRecord | None:
    """The process's record when ``VOICE_REPAIR_ECHO_RECORD`` names a folder, else None."""
    global _RECORD, _CHECKED
    if not _CHECKED:
        _CHECKED = True
        folder = os.environ.get(ENV, "")
        if folder:
            _RECORD = EchoRecord(Path(folder))
    return _RECORD
