"""Saying a due event once: the two-phase claim around the words, then the job removed.

``TimerEngine``'s firing, apart so each module stays readable: the ticker (or a stored job run
by hand) calls ``_due``; memory decides whether the event is still current, the store's claim
guards it across a restart, and a kill between the claim and the mark "spoken" makes the next
start say it again, marked as a repeat (``store.py``, ``restart.py``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from ..models import TimerEvent
from .effects import _local
from .jobs import JobBoard, StoredJob
from .restart import pause_key
from .rounds import round_key
from .store import PauseRow, RoundRow, SideStore

__all__ = ["FiringMixin"]

log = logging.getLogger("voice_repair.timers.engine")  # one logger for the engine's lines


class FiringMixin:
    """``TimerEngine``'s firing. The engine provides what is declared here."""

    on_event: Callable[[TimerEvent], None]
    _lock: threading.RLock
    _closing: bool
    _started: bool
    _mem: dict[str, StoredJob]
    _unsure: set[str]
    _pause: PauseRow | None
    _round: RoundRow | None
    _side: SideStore | None
    _jobs: JobBoard | None
    _offset: float
    _started_mono: float

    if TYPE_CHECKING:  # only declared: the engine and its other parts have the real ones

        def _now(self) -> float: ...
        def _persist(self, write: Callable[[], object]) -> bool: ...
        def _board(self) -> JobBoard: ...

    def _fire_stored(self, job: StoredJob) -> None:
        """A stored job run by hand (``jobs.fire``): the same as the ticker firing it."""
        self._due(job.job_id)

    def _due(self, job_id: str) -> None:
        """Speak a due event once: claim it in the guard (committed), call ``on_event``, mark
        it spoken (committed), then remove its job. A kill before the mark makes the next start
        say it again, marked ``repeat`` (see ``store``): said twice, honestly, is better than
        never."""
        with self._lock:
            job = self._mem.get(job_id)
            if self._closing or not self._started or job is None:
                return  # stopping: it stays stored for the next start
            del self._mem[job_id]
            now = self._now()
            repeat = job_id in self._unsure  # claimed by an earlier run, when it was current
            # Memory decides what is current; the claim is the guard for restarts.
            fresh = repeat or self._pause_key_matches(job)
            if fresh and not repeat:
                side = self._side
                self._persist(lambda: side.claim(job_id, now, job.pause, job.last))
            if job.last and fresh and job.pause is not None:
                if job_id.startswith("turns:"):
                    self._round = None
                else:
                    self._pause = None
            if not fresh:
                log.info("Skipped %s: its pause or round was ended or changed", job.kind)
                return
        event = TimerEvent(
            kind=job.kind,
            due=datetime.fromtimestamp(job.due).astimezone(),
            late_seconds=max(0.0, now - job.due),
            number=job.number,
            late=job.due - self._offset < self._started_mono,  # due before this run began
            repeat=repeat,
        )
        late = event.late_seconds
        again = ", said again: cut by a stop after its claim" if repeat else ""
        log.info("Timer event %s (due %s, %.3f s late)%s", job.kind, _local(job.due), late, again)
        self.on_event(event)
        with self._lock:
            self._unsure.discard(job_id)
            side = self._side
            if side is not None:
                self._persist(lambda: side.mark_spoken(job_id))
            if self._jobs is not None:
                self._persist(lambda: self._board().remove(job_id))

    def _pause_key_matches(self, job: StoredJob) -> bool:
        if job.pause is None:
            return True
        if job.job_id.startswith("turns:"):
            return self._round is not None and round_key(self._round) == job.pause
        return self._pause is not None and pause_key(self._pause) == job.pause
