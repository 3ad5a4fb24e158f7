"""Calls into the sound library that may never return: run them with a deadline, and leave a
hung one behind instead of waiting for it.

PortAudio's ALSA back end closes a stream by asking the sound server to drop its buffer and
waiting for the answer (``snd_pcm_drop`` -> the ``pulse`` plugin's ``pulse_wait_operation``).
A sound server that stopped answering (hung, stopped, dying) never sends it, so the close never
returns; opening a stream against it waits the same way. Measured on this machine with
PortAudio 19.6 and PulseAudio 16 (``tests/audio/test_hung_stream.py``): while the private
server is stopped with SIGSTOP, ``close()`` hangs; a *new* stream opened on a working server
meanwhile records normally, and the hung close returns once the old server is gone. So a hung
call is not a reason to give up the process: it runs on a daemon thread that nobody joins past
its deadline, one warning says so, and the caller goes on (with a new stream).

What is left behind is bounded. Each hung call holds a thread (and the stream it was closing);
when ``limit`` of them are still hung, the library is taken to be beyond help and ``on_stuck``
runs (in the service: exit 75, so ``Restart=`` starts a fresh process, as before this module).
And while any call is still hung, PortAudio must not be re-initialised: ``Pa_Terminate`` closes
every open stream, the hung one included, and would hang the caller with it (``pending``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from ..errors import AudioDeviceError

__all__ = ["CallAbandoned", "HungCalls"]

log = logging.getLogger(__name__)

T = TypeVar("T")

_POLL_SECONDS = 0.05
"""How often a waiting ``run`` looks at its ``cancel`` event, seconds."""


class CallAbandoned(AudioDeviceError):
    """A sound-library call did not return within its deadline and was left running."""


class HungCalls:
    """Runs calls on daemon threads with a deadline; counts the ones left behind."""

    def __init__(self, limit: int = 3, on_stuck: Callable[[], None] | None = None) -> None:
        """``limit``: hung calls tolerated at once; reaching it calls ``on_stuck``."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self._on_stuck = on_stuck
        self._lock = threading.Lock()
        self._pending = 0
        self.abandoned = 0
        """Calls left behind so far (a count, for tests and the log)."""

    @property
    def pending(self) -> int:
        """Calls left behind that have not returned yet."""
        with self._lock:
            return self._pending

    def run(
        self,
        call: Callable[[], T],
        seconds: float,
        what: str,
        on_late: Callable[[T], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> T:
        """``call()``'s result, or its exception, if it ends within ``seconds``.

        Otherwise log one warning naming ``what``, leave the thread running and raise
        ``CallAbandoned``. If the abandoned call returns a value later, ``on_late(value)`` runs on
        that thread (to close a stream that opened too late to be used). ``cancel`` set (the
        process is stopping) leaves the call behind at once, without the warning: a stop must
        not wait out a deadline.
        """
        done = threading.Event()
        lock = threading.Lock()
        box: dict[str, object] = {}
        late = False

        def work() -> None:
            nonlocal late
            try:
                box["value"] = call()
            except BaseException as exc:  # handed to the caller, or logged if it left
                box["error"] = exc
            with lock:
                done.set()
                was_late = late
            if was_late:
                self._returned(what, box, on_late)

        thread = threading.Thread(target=work, name=f"audio-call: {what}", daemon=True)
        thread.start()
        deadline = time.monotonic() + seconds
        while not done.wait(min(_POLL_SECONDS, max(0.0, deadline - time.monotonic()))):
            if time.monotonic() >= deadline or (cancel is not None and cancel.is_set()):
                break
        with lock:
            if not done.is_set():
                late = True
        if not late:
            if "error" in box:
                raise box["error"]  # type: ignore[misc]
            return box["value"]  # type: ignore[return-value]
        with self._lock:
            self._pending += 1
            self.abandoned += 1
            pending = self._pending
        if cancel is not None and cancel.is_set():
            log.debug("%s left behind: stopping", what)
            raise CallAbandoned(f"{what} was left behind: stopping")
        log.warning(
            "%s did not return within %.0f s (the sound library hung): left behind, going on",
            what,
            seconds,
        )
        if pending >= self.limit and self._on_stuck is not None:
            self._on_stuck()
        raise CallAbandoned(f"{what} hung and was left behind")

    def _returned(self, what: str, box: dict[str, object], on_late: Callable | None) -> None:
        with self._lock:
            self._pending -= 1
        log.debug("%s returned after it was left behind", what)
        if "value" in box and on_late is not None:
            try:
                on_late(box["value"])
            except Exception as exc:  # a late cleanup must not kill its thread noisily
                log.debug("cleaning up after a late %s failed: %s", what, exc)
