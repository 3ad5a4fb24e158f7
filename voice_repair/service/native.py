"""What the C sound libraries print, kept out of the journal.

libasound and PortAudio write their complaints straight to the process's standard error, where
no Python setting reaches them; a microphone retried every 10 s for a week would fill the
journal with them. ``route_alsa_errors`` hands ALSA's to the debug log; ``native_stderr_to_debug``
catches what is printed to fd 2 during one attempt.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
import sys
import threading
from collections.abc import Iterator

__all__ = ["native_stderr_to_debug", "route_alsa_errors"]

log = logging.getLogger(__name__)

_ALSA_HANDLER = ctypes.CFUNCTYPE(
    None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
)
_alsa_handler_ref: object = None


def route_alsa_errors() -> bool:
    """Send ALSA library messages to this log (debug level) instead of raw standard error.

    libasound prints every failed open ("Unable to create stream: No such entity") straight to
    stderr, so a microphone retried every 10 s for a week of absence would fill the journal
    despite ``keep_listening`` logging the outage once. Returns False where libasound is not
    loaded (no ALSA: nothing to quiet). The format arguments are variadic and not read; the
    message's format string, function and error code are enough for debugging.
    """
    global _alsa_handler_ref
    name = ctypes.util.find_library("asound")
    if name is None:
        return False
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return False

    def handler(file: bytes, line: int, function: bytes, err: int, fmt: bytes) -> None:
        log.debug(
            "ALSA %s: %s (error %d)",
            (function or b"?").decode(errors="replace"),
            (fmt or b"").decode(errors="replace"),
            err,
        )

    _alsa_handler_ref = _ALSA_HANDLER(handler)  # kept alive: ALSA holds the pointer
    lib.snd_lib_error_set_handler(_alsa_handler_ref)
    return True


_NATIVE_NOISE = (b"Expression '", b"ALSA lib ")
"""Starts of the lines PortAudio and libasound print straight to fd 2 on a failed open."""

_saved_stderr: list[int] = []
"""The real standard error (a dup of it) while ``native_stderr_to_debug`` points fd 2 away."""

_NATIVE_KEEP = 256 * 1024
"""At most this much of what fd 2 received during one attempt is kept for the log, bytes."""


@contextlib.contextmanager
def native_stderr_to_debug() -> Iterator[None]:
    """While the block runs, lines the C libraries print to fd 2 go to the debug log.

    PortAudio prints "Expression 'ret' failed in ..." for every failed ALSA open, straight to
    the process's standard error, where no Python setting reaches it; retried every 10 s while
    a microphone is unplugged, that would fill the journal. So fd 2 points into a pipe for the
    few milliseconds of an attempt, and afterwards every other line written there meanwhile
    (another thread's log line, say) is passed on to the real standard error unchanged.

    The pipe is emptied *while* the block runs, by a thread: when the sound server dies during
    an attempt, PortAudio's own thread prints error after error, and once the pipe (64 KiB)
    was full it blocked in write() while the block waited to join it; the service hung for
    good, active but deaf (found by tests/service/test_service_live.py).
    """
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    saved = os.dup(2)
    _saved_stderr.append(saved)
    chunks: list[bytes] = []

    def drain() -> None:
        kept = 0
        with os.fdopen(read_end, "rb", buffering=0) as pipe:
            while block := pipe.read(65536):
                if kept < _NATIVE_KEEP:  # a spinning thread's flood is read, not kept
                    chunks.append(block)
                    kept += len(block)

    reader = threading.Thread(target=drain, name="native-stderr", daemon=True)
    reader.start()
    try:
        os.dup2(write_end, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        _saved_stderr.remove(saved)
        os.close(saved)
        os.close(write_end)
        # Ends at end of file; a child process that inherited fd 2 could hold it open longer.
        reader.join(timeout=1.0)
        captured = b"".join(chunks)
        for line in captured.splitlines(keepends=True):
            if line.startswith(_NATIVE_NOISE) or not line.strip():
                log.debug("native: %s", line.decode(errors="replace").rstrip())
            else:
                os.write(2, line)
