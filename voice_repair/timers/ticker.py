"""The thread that fires due events, waiting on the steady clock.

APScheduler 3 decides when a job is due by comparing its run date with ``datetime.now()``: a wall
clock moved forward turns every pending event into a misfire ("missed by 1:00:00"), one moved back
delays them all. And its ``shutdown(wait=True)`` joins its job threads while holding the job-store
lock that those threads need to ask what is pending, which deadlocked a stop at the moment an
event fired. So APScheduler's SQLite job store keeps the promises on disk, and this one small
thread decides when they are due: on ``Clock.mono``, checking the wall clock for jumps on the way.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

__all__ = ["Ticker"]

log = logging.getLogger(__name__)

CHECK_EVERY = 0.5
"""Seconds between wall-clock checks when nothing is due sooner."""


class Ticker:
    """Calls ``on_due(key)`` once when the steady clock reaches the time set for ``key``.

    ``on_check`` runs on this thread before every wait (at least every ``CHECK_EVERY`` s): the
    engine looks for wall-clock jumps there. Both callbacks run without the ticker's lock held,
    so they may call ``set``/``cancel``.
    """

    def __init__(
        self, mono: Callable[[], float], on_due: Callable[[str], None], on_check: Callable[[], None]
    ) -> None:
        self._mono = mono
        self._on_due = on_due
        self._on_check = on_check
        self._due: dict[str, float] = {}
        self._cond = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="timer-ticker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def set(self, key: str, at: float) -> None:
        """Fire ``key`` when ``mono()`` reaches ``at`` (replaces an earlier time for it)."""
        with self._cond:
            self._due[key] = at
            self._cond.notify()

    def cancel(self, key: str) -> None:
        with self._cond:
            self._due.pop(key, None)

    def stop(self, timeout: float) -> bool:
        """Stop firing and wait up to ``timeout`` s for an event being handed over; True if done.

        A daemon thread: if a callback is stuck (it should never be), the process still exits.
        """
        with self._cond:
            self._stopping = True
            self._cond.notify()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        while True:
            try:
                self._on_check()
            except Exception:  # a check must never stop the firing
                log.exception("Timer clock check failed")
            with self._cond:
                if self._stopping:
                    return
                now = self._mono()
                key = min(self._due, key=lambda k: (self._due[k], k), default=None)
                if key is None or self._due[key] > now:
                    wait = CHECK_EVERY if key is None else min(CHECK_EVERY, self._due[key] - now)
                    self._cond.wait(wait)
                    continue
                del self._due[key]
            try:
                self._on_due(key)
            except Exception:  # one failing event must not silence the others
                log.exception("Timer event %s could not be handled", key.split(":")[0])
