"""The process's one pyttsx3 espeak-ng engine, and the one lock for every call into libespeak-ng.

Why: pyttsx3 runs libespeak-ng in its asynchronous mode, whose own thread calls back into
Python through a ctypes callback that the driver installs each time a pyttsx3 engine is built.
pyttsx3 keeps its engine only weakly: when the last user let it go and another one was built,
the callback was swapped (the old one freed) while libespeak-ng's thread could still be in it.
Measured with four threads each building an engine, rendering a phrase and letting it go
(``tests/speech/test_espeak_threads.py``): of four 40-second runs one process died of a
segmentation fault and one hung, where the audio phase of the sixth session's merge saw the
same (a segfault in a thread with no Python frame, a hang with a thread in libespeak-ng). So
the engine is built once, under ``ESPEAK_NG``, and kept for the life of the process, and every
call that reaches libespeak-ng (building it, setting a property, rendering) holds that lock.

Piper does not enter libespeak-ng: its phonemizer (``piper.espeakbridge``) carries its own copy
of espeak-ng, linked in, and Piper serialises it with a lock of its own; two Pipers, and Piper
beside pyttsx3, ran side by side without a fault (the same test), so Piper stays off this lock
and a reply in one engine never waits for a sentence in the other.
"""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["ESPEAK_NG", "shared_engine"]

ESPEAK_NG = threading.RLock()
"""Held by every call into libespeak-ng through pyttsx3 (re-entrant: a render sets the
engine's properties while it holds it)."""

_engine: Any = None
"""The one pyttsx3 engine, held strongly so that pyttsx3 never builds another (and never swaps
libespeak-ng's callback under its thread)."""


def shared_engine() -> Any:
    """The process's pyttsx3 espeak-ng engine, built on first use. Raises what
    ``pyttsx3.init`` raises (the caller says what to install)."""
    global _engine
    with ESPEAK_NG:
        if _engine is None:
            import pyttsx3

            _engine = pyttsx3.init("espeak")
        return _engine
