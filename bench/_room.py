"""A private PulseAudio room for the live benchmarks (``acoustic``, ``soak``), in a temporary
folder that is removed afterwards, with a folder for the test speech and one for the product."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "audio"))

from pulse import PulseServer  # noqa: E402

__all__ = ["Room", "private_room"]


@dataclass(frozen=True)
class Room:
    pulse: PulseServer
    speech: Path
    """Where the test speech is written."""
    run: Path
    """The product's own folder (settings, data, log)."""


@contextmanager
def private_room() -> Iterator[Room]:
    """A started private sound server; stopped (and every file removed) on the way out."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        room = Room(PulseServer(base / "pulse"), base / "speech", base / "run")
        room.speech.mkdir()
        room.run.mkdir()
        room.pulse.start()
        try:
            yield room
        finally:
            room.pulse.stop()
