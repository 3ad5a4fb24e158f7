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
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Protocol, TypeVar

import numpy as np

from ..audio.chime import chime
from ..errors import AudioDeviceError
from ..speech.engines import TextToSpeech
from .abandon import CallAbandoned, HungCalls
from .native import native_stderr_to_debug, route_alsa_errors, saved_stderr

__all__ = [
    "Backoff",
    "ChimeFallbackTTS",
    "Closable",
    "keep_listening",
    "native_stderr_to_debug",
    "EXIT_STUCK",
    "route_alsa_errors",
]

log = logging.getLogger(__name__)


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
"""Opening a microphone takes milliseconds (a device re-scan well under a second, even on a
Raspberry Pi); this long means it never will, seconds. The attempt is then left behind."""

CLOSE_SECONDS = 3.0
"""Closing a stream takes milliseconds; one not closed after this long is left behind, seconds."""

STOP_CLOSE_SECONDS = 0.5
"""The same when stopping: a stop ends the process within 1.5 s even if the close hangs."""

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
    calls: HungCalls | None = None,
    close_after: float = CLOSE_SECONDS,
) -> None:
    """Open the microphone and ``listen(mic)`` on it, again and again, until ``stop_event``.

    ``open_mic`` and ``listen`` raise ``AudioDeviceError`` when the device is missing or has
    stalled; anything else is a real bug and propagates. Only the first failure of an outage
    is logged (a warning), and its end (with how long it lasted); retries in between are
    debug lines, so a microphone unplugged for a week does not fill the journal.
    ``on_retry`` runs before each reopening attempt (e.g. to re-scan devices).

    Closing, re-scanning and opening run through ``calls`` (``abandon.HungCalls``): a sound
    server that stops answering makes PortAudio's close (or open) wait for ever, so a call not
    done after ``close_after`` (``stuck_after``) seconds is left behind on its thread, one
    warning says so, and a new stream is opened, in this process, once the server answers
    again. ``on_retry`` is skipped while a left-behind call still hangs (a re-scan
    re-initialises PortAudio, which closes every stream, the hung one too). Only when
    ``calls.limit`` calls hang at once does ``on_stuck`` run (by default: exit non-zero, so
    ``Restart=`` starts a fresh process).
    """
    backoff = backoff or Backoff()
    calls = calls or HungCalls(on_stuck=on_stuck or _give_up)
    down_since: float | None = None

    def reopen() -> M:
        if down_since is not None and on_retry is not None:
            if calls.pending:
                log.debug("device re-scan put off: a stream left behind still hangs")
            else:
                on_retry()
        return open_mic()

    while not stop_event.is_set():
        mic: M | None = None
        try:
            # A retry: PortAudio's own complaint is noise. Redirected here, not on the call's
            # thread, so a call left behind cannot keep standard error pointed away.
            with native_stderr_to_debug():
                mic = calls.run(reopen, stuck_after, "opening the microphone", _close, stop_event)
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
                seconds = STOP_CLOSE_SECONDS if stop_event.is_set() else close_after
                with native_stderr_to_debug(), contextlib.suppress(CallAbandoned):
                    calls.run(mic.close, min(seconds, close_after), "closing the microphone")
        stop_event.wait(backoff.next())


def _close(mic: Closable) -> None:
    """Close a microphone that opened after its attempt was left behind."""
    mic.close()


def _give_up() -> None:
    """``HungCalls``' limit was reached: several calls hang at once, none came back."""
    saved = saved_stderr()
    if saved is not None:  # hung inside native_stderr_to_debug: the last line must get out
        os.dup2(saved, 2)
    log.error(
        "the sound library hung again and again without recovering; exiting so the service "
        "manager starts a fresh process"
    )
    _exit_for_a_fresh_start()


def _exit_for_a_fresh_start() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()
    os._exit(EXIT_STUCK)  # the stuck threads cannot be joined, so no orderly shutdown either


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
