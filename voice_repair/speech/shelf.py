"""The assistant's fixed sentences, rendered once per voice and kept in the cache folder.

Rendering every fixed opening sentence ahead (``cache.py``) costs Piper about two minutes of CPU
on a 2-core x86 machine (171 sentences, about 7.5 minutes of speech, 20 MB), several times that
on a Raspberry Pi: too much to pay again at every start. So each is written once to
``<cache folder>/speech/<voice digest>/<sentence digest>.npy`` and mapped from there afterwards
(the pages are the file's, shared and given back under memory pressure, not the process's own).

**What is on disk is not user data**: only sentences the content says before any request is
heard (``Session.foreseeable_lines``: fixed replies and script openings, and the pause of the
default length), never a transcript, never a line with a value from a request, never audio from
the microphone. Which files exist says nothing about what was said. A new voice, engine version
or rate gets a new folder, and the others are removed (``keep_only_this_voice``), so the folder
holds one voice's set (about 20 MB for Piper's voice).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["Shelf"]

log = logging.getLogger(__name__)


class Shelf:
    """Rendered sentences of one voice in a folder: ``get`` maps one, ``put`` writes one."""

    def __init__(self, root: Path, voice: str) -> None:
        """``root``: the cache folder's ``speech`` folder; ``voice``: the engine's ``cache_id``."""
        self.root = root
        self.folder = root / _digest(voice)[:24]

    def get(self, text: str) -> tuple[np.ndarray, int] | None:
        """The sentence's samples (read-only, mapped) and sample rate, or None."""
        path = self._path(text)
        try:
            data = np.load(path, mmap_mode="r")
        except (OSError, ValueError):  # absent, or a torn write: rendered again
            return None
        if data.dtype != np.dtype("<i2") or data.ndim != 1 or data.size < 2:
            return None
        rate = int(np.asarray(data[:2]).view("<i4")[0])
        return data[2:], rate

    def put(self, text: str, samples: np.ndarray, rate: int) -> bool:
        """Write the sentence (atomically: a reader sees all of it or none). False when the
        folder cannot be written (full, read-only): the memory copy serves this run."""
        header = np.array([rate], dtype="<i4").view("<i2")
        data = np.concatenate([header, np.asarray(samples, dtype="<i2")])
        tmp: str | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".part")
            with os.fdopen(fd, "wb") as out:
                np.save(out, data)
            os.replace(tmp, self._path(text))
        except OSError as exc:
            log.debug("rendered sentence not kept on disk (%s)", exc)
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            return False
        return True

    def keep_only_this_voice(self) -> None:
        """Remove the folders of other voices (an older engine version, another rate)."""
        try:
            others = [p for p in self.root.iterdir() if p.is_dir() and p != self.folder]
        except OSError:
            return
        for other in others:
            shutil.rmtree(other, ignore_errors=True)

    def _path(self, text: str) -> Path:
        return self.folder / f"{_digest(text)[:32]}.npy"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
