"""Python-level allocation snapshots of a process the soak starts (``--tracemalloc DIR``).

Put on the child's ``PYTHONPATH`` with ``VR_TRACEMALLOC_DIR`` set, this watches that folder
from a daemon thread: for each ``<name>.req`` the soak writes there (at the end of a cycle), it
writes ``<name>.snap`` (a ``tracemalloc`` snapshot) and removes the request. Tracing starts at
the first request, not at start-up: traced, the start-up's imports and grammar took over five
minutes of CPU; and what a snapshot then holds is exactly what was allocated since the end of
the first cycle and is still held, which is what growth is made of. Why: the resident memory
read from ``/proc`` cannot say what grew; comparing snapshots by line can, for what Python
allocates (numpy's arrays included; not ctranslate2's or onnxruntime's own arenas).

Only for benches: it slows every allocation and costs memory of its own, which is written
next to each snapshot (``<name>.overhead``: bytes) so that it can be taken off the RSS.
"""

from __future__ import annotations

import os
import threading
import time
import tracemalloc
from pathlib import Path

FRAMES = 8
"""Frames kept per allocation: enough to see who called numpy or the standard library."""


def _watch(folder: Path) -> None:
    while True:
        for req in sorted(folder.glob("*.req")):
            if not tracemalloc.is_tracing():
                tracemalloc.start(FRAMES)
            snap = tracemalloc.take_snapshot()
            snap.dump(str(req.with_suffix(".part")))
            os.replace(req.with_suffix(".part"), req.with_suffix(".snap"))
            req.with_suffix(".overhead").write_text(str(tracemalloc.get_tracemalloc_memory()))
            req.unlink()
        time.sleep(1.0)


_FOLDER = os.environ.get("VR_TRACEMALLOC_DIR")
if _FOLDER:
    threading.Thread(target=_watch, args=(Path(_FOLDER),), name="tracemalloc", daemon=True).start()
