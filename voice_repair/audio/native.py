"""What PortAudio prints straight to fd 2 on a failed open, kept out of the journal.

PortAudio prints "Expression 'ret' failed in ..." for every failed ALSA open, straight to the
process's standard error, where no Python setting reaches it. A microphone retried every 10 s
while it is unplugged, or a reply whose speaker stream opens while the sound server restarts,
would put those lines in the journal. ``native_stderr_to_debug`` points fd 2 into a pipe while a
stream is opened or closed; the C libraries' lines go to the debug log, every other line is
passed on to the real standard error at once.

**One redirection, shared.** fd 2 is one per process, and two threads open streams
independently: the microphone's reopening (``service.resilience.keep_listening``) and the
speaker's worker (``Player``). Each redirecting fd 2 on its own would save the *other's* pipe as
"the real standard error" when their blocks overlap, and the last to leave would point fd 2 at a
dead pipe for good (every later error silently lost). So the first block to enter points fd 2
away, later ones only count themselves in, and the last to leave puts it back, under one lock.
A per-thread redirection is impossible (file descriptors are per process), and holding a lock
for the whole block instead of counting would make a speaker's open wait behind a microphone
reopening that hangs in PortAudio (``service/abandon.py``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

__all__ = ["native_stderr_to_debug", "saved_stderr"]

log = logging.getLogger(__name__)

_NATIVE_NOISE = (b"Expression '", b"ALSA lib ")
"""Starts of the lines PortAudio and libasound print straight to fd 2 on a failed open."""

_NATIVE_KEEP = 256 * 1024
"""At most this much noise is kept for the debug log per redirection, bytes."""


@dataclass
class _Redirect:
    """fd 2 pointed into a pipe, and the thread that empties it."""

    saved: int
    """A dup of the real standard error, put back when the last block leaves."""
    write_end: int
    reader: threading.Thread
    noise: list[bytes] = field(default_factory=list)
    """The C libraries' lines, logged (debug) when the redirection ends."""


_lock = threading.Lock()
_users = 0
_current: _Redirect | None = None


def saved_stderr() -> int | None:
    """The real standard error's descriptor while fd 2 points away (None when it does not):
    a process about to exit from inside a hung block puts it back for its last words."""
    current = _current
    return None if current is None else current.saved


@contextlib.contextmanager
def native_stderr_to_debug() -> Iterator[None]:
    """While the block runs, lines the C libraries print to fd 2 go to the debug log.

    Safe from several threads at once (one shared redirection, see the module's docstring).
    The pipe is emptied *while* the block runs, by a thread: when the sound server dies during
    an attempt, PortAudio's own thread prints error after error, and once the pipe (64 KiB) was
    full it blocked in write() while the block waited to join it; the service hung for good,
    active but deaf (found by tests/service/test_service_live.py). That thread forwards other
    lines itself and never takes a lock (a logging lock held by a thread blocked on the full
    pipe would deadlock it); the noise is logged by the block that ends the redirection.
    """
    global _users, _current
    with _lock:
        if _users == 0:
            _current = _start()
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            ended = _current if _users == 0 else None
            if ended is not None:
                _current = None
                _end(ended)
        if ended is not None:
            # Ends at end of file; a child process that inherited fd 2 could hold it open
            # longer. Outside the lock: another thread's open need not wait for it.
            ended.reader.join(timeout=1.0)
            for line in list(ended.noise):
                log.debug("native: %s", line.decode(errors="replace").rstrip())


def _start() -> _Redirect:
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    saved = os.dup(2)
    out = os.dup(saved)  # the reader's own: it may outlive the redirection (see _end)
    noise: list[bytes] = []
    reader = threading.Thread(
        target=_drain, args=(read_end, out, noise), name="native-stderr", daemon=True
    )
    redirect = _Redirect(saved, write_end, reader, noise)
    reader.start()
    os.dup2(write_end, 2)
    return redirect


def _end(redirect: _Redirect) -> None:
    sys.stderr.flush()
    os.dup2(redirect.saved, 2)
    os.close(redirect.saved)
    os.close(redirect.write_end)


def _drain(read_end: int, out: int, noise: list[bytes]) -> None:
    """Empty the pipe: noise kept (bounded) for the debug log, any other line passed on."""
    kept = 0
    partial = b""
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        while block := pipe.read(65536):
            *lines, partial = (partial + block).split(b"\n")
            for line in lines:
                kept += _sort(line + b"\n", out, noise, kept)
    if partial:
        _sort(partial, out, noise, kept)
    os.close(out)


def _sort(line: bytes, out: int, noise: list[bytes], kept: int) -> int:
    """Pass ``line`` on or keep it as noise; returns the bytes kept."""
    if line.startswith(_NATIVE_NOISE) or not line.strip():
        if kept < _NATIVE_KEEP:  # a spinning thread's flood is read, not kept
            noise.append(line)
            return len(line)
        return 0
    with contextlib.suppress(OSError):
        os.write(out, line)
    return 0
