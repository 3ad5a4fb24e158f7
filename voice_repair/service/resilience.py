"""Staying up for months: a microphone that comes and goes, a speech engine that fails.

A home speaker is left alone. USB microphones get unplugged and plugged back, the sound server
restarts after an update, and nobody reads a log. So the live loop never gives up on the
microphone: ``keep_listening`` reopens it with a growing wait (0.5 s doubling to 10 s, so a
missing device costs almost nothing), logs the loss once and the return once, and carries on.
The timer engine runs on its own thread meanwhile, so a pause started before the outage still
ends on time.

A text-to-speech engine that raises must not silence the assistant either: ``ChimeFallbackTTS``
plays the chime instead of the words, so a reminder or the end of a pause is still noticed.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Protocol, TypeVar

import numpy as np

from ..audio.chime import chime
from ..errors import AudioDeviceError
from ..speech.engines import TextToSpeech

__all__ = [
    "Backoff",
    "ChimeFallbackTTS",
    "Closable",
    "keep_listening",
    "native_stderr_to_debug",
    "exit_if_stuck",
    "EXIT_STUCK",
    "route_alsa_errors",
]

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


class Backoff:
    """Waits between retries: ``first`` seconds, doubling up to ``limit``; ``reset()`` after a
    success. The cap keeps a returning device noticed within ``limit`` seconds."""

    def __init__(self, first: float = 0.5, limit: float = 10.0, factor: float = 2.0) -> None:
        if not 0 < first <= limit or factor < 1:
            raise ValueError("need 0 < first <= limit and factor >= 1")
        self.first, self.limit, self.factor = first, limit, factor
        self._next = first

    def next(self) -> float:
        """The wait before the next attempt (and grow the one after)."""
        wait = self._next
        self._next = min(self.limit, self._next * self.factor)
        return wait

    def reset(self) -> None:
        self._next = self.first


class Closable(Protocol):
    def close(self) -> None: ...


M = TypeVar("M", bound=Closable)


STUCK_SECONDS = 10.0
"""Opening or closing a microphone takes milliseconds (a device re-scan well under a second,
even on a Raspberry Pi); this long means it never will, seconds."""

EXIT_STUCK = 75
"""Exit status when the audio library hung (EX_TEMPFAIL: try again; Restart=on-failure does)."""


def keep_listening(
    open_mic: Callable[[], M],
    listen: Callable[[M], None],
    stop_event: threading.Event,
    backoff: Backoff | None = None,
    on_retry: Callable[[], None] | None = None,
    stuck_after: float = STUCK_SECONDS,
    on_stuck: Callable[[], None] | None = None,
) -> None:
    """Open the microphone and ``listen(mic)`` on it, again and again, until ``stop_event``.

    ``open_mic`` and ``listen`` raise ``AudioDeviceError`` when the device is missing or has
    stalled; anything else is a real bug and propagates. Only the first failure of an outage
    is logged (a warning), and its end (with how long it lasted); retries in between are
    debug lines, so a microphone unplugged for a week does not fill the journal.
    ``on_retry`` runs before each reopening attempt (e.g. to re-scan devices).

    Closing, re-scanning and opening run under ``exit_if_stuck``: when the sound server dies
    in the middle of them, PortAudio's thread can spin forever and the call never returns.
    Then only a fresh process helps (``on_stuck``, by default: exit non-zero for Restart=).
    """
    backoff = backoff or Backoff()
    down_since: float | None = None
    while not stop_event.is_set():
        mic: M | None = None
        try:
            with exit_if_stuck(stuck_after, "reopening the microphone", on_stuck):
                if down_since is not None and on_retry is not None:
                    on_retry()
                mic = open_mic()
            if down_since is not None:
                log.warning(
                    "microphone is back after %.1f s",
                    time.monotonic() - down_since,
                )
                down_since = None
            backoff.reset()
            listen(mic)
            if stop_event.is_set():
                return
            raise AudioDeviceError("the microphone stream ended")
        except AudioDeviceError as exc:
            if stop_event.is_set():
                return
            if down_since is None:
                down_since = time.monotonic()
                log.warning("microphone lost (%s); retrying until it is back", exc)
            else:
                log.debug("microphone still unavailable: %s", exc)
        finally:
            if mic is not None:
                # A dead stream's PortAudio thread may print without end while it is closed.
                closing = exit_if_stuck(stuck_after, "closing the microphone", on_stuck)
                with closing, native_stderr_to_debug():
                    mic.close()
        stop_event.wait(backoff.next())


def _exit_for_a_fresh_start() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()
    os._exit(EXIT_STUCK)  # the stuck thread cannot be joined, so no orderly shutdown either


@contextlib.contextmanager
def exit_if_stuck(
    seconds: float, what: str, on_stuck: Callable[[], None] | None = None
) -> Iterator[None]:
    """Run the block; if it has not finished after ``seconds``, log why and call ``on_stuck``
    (default: exit with ``EXIT_STUCK``, so the service manager starts a fresh process; the
    timers are in the SQLite store and survive that)."""
    done = threading.Event()

    def watch() -> None:
        if not done.wait(seconds):
            if _saved_stderr:  # hung inside native_stderr_to_debug: this line must get out
                os.dup2(_saved_stderr[-1], 2)
            log.error(
                "%s has not finished after %.0f s (the sound library hung); exiting so the "
                "service manager starts a fresh process",
                what,
                seconds,
            )
            (on_stuck or _exit_for_a_fresh_start)()

    watcher = threading.Thread(target=watch, name="audio-watchdog", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()


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


class ChimeFallbackTTS:
    """A ``TextToSpeech`` that plays the chime when the real engine raises.

    Logs once when the engine starts failing (with the error) and once when it works again, not
    once per line: a broken voice on a Pi would otherwise log every reminder forever.
    """

    def __init__(self, tts: TextToSpeech, sample_rate: int = 22050) -> None:
        self._tts = tts
        self._sample_rate = sample_rate
        self._failing = False
        self._lock = threading.Lock()

    def render(self, text: str) -> tuple[np.ndarray, int]:
        try:
            out = self._tts.render(text)
        except Exception as exc:  # any engine failure: the chime is better than silence
            with self._lock:
                if not self._failing:
                    self._failing = True
                    log.error("speech engine failed (%s): playing the chime instead", exc)
            return chime(self._sample_rate), self._sample_rate
        with self._lock:
            if self._failing:
                self._failing = False
                log.warning("speech engine works again")
        return out
