"""Pause timers and reminders that keep their promise across a restart (SIGKILL included).

APScheduler 3 keeps every pending event as a one-shot job with an absolute, timezone-aware run
date in a SQLite file in the data folder (``jobs.py``); the pause itself and the ``fired`` guard
live in the same file (``store.py``); what a pause schedules is decided in ``plan.py``.
Everything in assistant minutes is scaled by ``minute_seconds`` (``--minute``), the grace too, so a
whole pause, its repeats and a restart can be watched in seconds. ``AddReminder(at=...)`` is a
wall-clock time and is never scaled.

On start the engine looks at the store before letting APScheduler run: jobs already spoken (the
guard) or stale (an ended or extended pause) are removed, events that came due while it was down
and are later than the grace are dropped and counted, and of several overdue events of one pause
only the most telling is kept (the end if it is among them, else the latest), so a restart never
reads out a stale nudge right before "the pause is over".
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from ..errors import TimerStoreError
from ..models import (
    AddReminder,
    Effect,
    EndPause,
    ExtendPause,
    PauseStatus,
    StartPause,
    StopAlarm,
    TimerEvent,
)
from .jobs import JobBoard, StoredJob
from .plan import Pending, TimerSettings, nudge_times, pause_events, recovery
from .store import STORE_NAME, PauseRow, SideStore, move_aside_if_corrupt, prepare_folder

__all__ = ["StartupReport", "TimerEngine", "TimerSettings"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StartupReport:
    """What ``start`` found, for the app to say once."""

    dropped: int
    """Events that came due while down, later than the grace: not spoken."""
    recovered_store: Path | None
    """Where an unreadable store was moved to (kept for inspection), or None."""


def _now() -> datetime:
    return datetime.now().astimezone()


class TimerEngine:
    """Schedules pause events and reminders and calls ``on_event`` when they come.

    ``on_event`` runs on a scheduler worker thread; keep it short (queue the words). It may call
    ``pause_status``/``pending_reminders``/``apply``.
    """

    def __init__(
        self, data_dir: Path, settings: TimerSettings, on_event: Callable[[TimerEvent], None]
    ) -> None:
        self.data_dir = Path(data_dir)
        self.settings = settings
        self.on_event = on_event
        self._lock = threading.RLock()
        self._jobs: JobBoard | None = None
        self._side: SideStore | None = None
        self._folder_lock: object | None = None
        self._started_at = 0.0

    # ----- life cycle -------------------------------------------------------------------------

    def start(self) -> StartupReport:
        """Open (or recover) the store, drop what is too late, and start firing."""
        self._folder_lock = prepare_folder(self.data_dir)
        try:
            return self._start()
        except (SQLAlchemyError, sqlite3.Error, OSError) as e:
            self.shutdown()
            raise TimerStoreError(
                f"Cannot use the timer store in {self.data_dir}: {e}. Free some disk space or "
                "fix the folder's permissions, or choose another folder with --data-dir DIR."
            ) from e
        except BaseException:
            self.shutdown()
            raise

    def _start(self) -> StartupReport:
        path = self.data_dir / STORE_NAME
        recovered = move_aside_if_corrupt(path)
        self._side = SideStore(path)
        grace = self.settings.seconds(self.settings.grace_minutes)
        self._jobs = JobBoard(path, self._side.store_id, grace, self._fire, _now().tzinfo)
        self._jobs.start_paused()
        self._started_at = _now().timestamp()
        dropped = self._recover(grace)
        self._jobs.resume()
        if dropped:
            log.info("%d timer event(s) came due while down and were too late to speak", dropped)
        return StartupReport(dropped=dropped, recovered_store=recovered)

    def shutdown(self) -> None:
        """Stop firing; pending events stay in the store for the next start."""
        if self._jobs is not None:
            self._jobs.shutdown()
            self._jobs = None
        if self._side is not None:
            self._side.close()
            self._side = None
        if self._folder_lock is not None:
            self._folder_lock.close()  # type: ignore[attr-defined]
            self._folder_lock = None

    def _recover(self, grace: float) -> int:
        """Clean the store before the scheduler runs (see ``plan.recovery``)."""
        side = self._side_store()
        pause = side.pause()
        jobs = [Pending(j.job_id, j.kind, j.due, j.pause) for j in self._board().jobs()]
        plan = recovery(jobs, side.fired_ids(), _key(pause), _now().timestamp(), grace)
        for job_id in plan.remove:
            self._board().remove(job_id)
        side.forget_fired()  # no job it names is left
        if pause is not None and not self._pause_jobs():
            side.clear_pause()
        return plan.dropped

    # ----- effects ----------------------------------------------------------------------------

    def apply(self, effect: Effect) -> None:
        """Carry out one timer effect from a handler (range checks are the handler's).

        Raises ``TimerStoreError`` when the store cannot be written: the caller must not then
        promise what will not happen.
        """
        try:
            with self._lock:
                self._apply(effect)
        except (SQLAlchemyError, sqlite3.Error, OSError) as e:
            raise TimerStoreError(
                f"Could not save the timer in {self.data_dir}: {e}. Free some disk space or fix "
                "the folder's permissions, then ask again."
            ) from e

    def _apply(self, effect: Effect) -> None:
        if isinstance(effect, StartPause):
            self._start_pause(effect.minutes)
        elif isinstance(effect, ExtendPause):
            self._extend_pause(effect.minutes)
        elif isinstance(effect, EndPause):
            self._end_pause()
        elif isinstance(effect, StopAlarm):
            status = self.pause_status()
            if status is not None and status.ringing:
                self._end_pause()
        elif isinstance(effect, AddReminder):
            self._add_reminder(effect)
        else:
            raise TypeError(f"not a timer effect: {effect!r}")

    def _start_pause(self, minutes: int) -> None:
        assert minutes >= 1, minutes
        self._end_pause()  # at most one pause; the handler ends a ringing one first anyway
        s = self.settings
        now = _now().timestamp()
        pause = PauseRow(uuid.uuid4().hex[:12], now + s.seconds(minutes), minutes, 0)
        nudges = nudge_times(s, now, minutes)
        # Jobs first, then the row that makes them live: killed in between, the start-up clean-up
        # removes them as stale, so there is never a half-scheduled pause.
        self._schedule_pause(pause, nudges, minutes)
        self._side_store().set_pause(pause)
        log.info("Pause of %d minutes started, ends %s", minutes, _local(pause.deadline))

    def _extend_pause(self, minutes: int) -> None:
        assert minutes >= 1, minutes
        side = self._side_store()
        old = side.pause()
        if old is None:
            return
        now = _now().timestamp()
        ringing = now >= old.deadline
        base = now if ringing else old.deadline
        total = old.total_minutes + minutes
        end = base + self.settings.seconds(minutes)
        new = PauseRow(old.pause_id, end, total, old.generation + 1)
        shift = new.deadline - old.deadline
        old_jobs = self._pause_jobs()
        nudges = [j.due + shift for j in old_jobs if j.kind == "pause.nudge"]
        # New jobs, then the row (this makes them the live ones), then the old jobs go: a kill at
        # any point leaves either the old pause or the extended one, never a pause with no end.
        # Once ringing, it is a fresh countdown of ``minutes`` (no nudges: they are all past).
        self._schedule_pause(new, [] if ringing else nudges, minutes if ringing else total)
        side.set_pause(new)
        for job in old_jobs:
            self._board().remove(job.job_id)
        log.info("Pause extended by %d minutes, ends %s", minutes, _local(new.deadline))

    def _end_pause(self) -> None:
        side = self._side_store()
        if side.pause() is None:
            return
        side.clear_pause()  # first: any job still on its way is now stale and stays silent
        for job in self._pause_jobs():
            self._board().remove(job.job_id)
        log.info("Pause ended")

    def _schedule_pause(self, pause: PauseRow, nudges: list[float], countdown: int) -> None:
        now = _now().timestamp()
        events = pause_events(self.settings, pause.deadline, nudges, countdown, now)
        for e in events:
            job_id = f"pause:{pause.pause_id}:{pause.generation}:{e.kind}:{e.number}"
            last = e is events[-1]
            self._board().add(StoredJob(job_id, e.kind, e.number, e.due, _key(pause), last))

    def _add_reminder(self, effect: AddReminder) -> None:
        if effect.at is not None:
            assert effect.at.tzinfo is not None, "AddReminder.at must be timezone-aware"
            due = effect.at.timestamp()
        else:
            assert effect.in_minutes is not None and effect.in_minutes >= 1, effect
            due = _now().timestamp() + self.settings.seconds(effect.in_minutes)
        job_id = f"reminder:{uuid.uuid4().hex[:12]}"
        self._board().add(StoredJob(job_id, "reminder.due", 0, due, None, False))
        log.info("Reminder set for %s", _local(due))

    # ----- queries ----------------------------------------------------------------------------

    def pause_status(self) -> PauseStatus | None:
        """The running or ringing pause, or None; remaining time is in assistant minutes."""
        pause = self._side_store().pause()
        if pause is None:
            return None
        left = pause.deadline - _now().timestamp()
        return PauseStatus(
            remaining_minutes=max(0.0, left / self.settings.minute_seconds),
            total_minutes=pause.total_minutes,
            ringing=left <= 0,
        )

    def pending_reminders(self) -> int:
        """How many ``reminder.due`` events are still to come."""
        return len(self._board().jobs("reminder:"))

    # ----- firing -----------------------------------------------------------------------------

    def _fire(self, job: StoredJob) -> None:
        """Speak a due job once: claim it in the guard (committed), then call ``on_event``."""
        kind, due = job.kind, job.due
        with self._lock:
            if self._side is None:
                return
            now = _now().timestamp()
            try:
                fresh = self._side.claim(job.job_id, now, job.pause, job.last)
            except sqlite3.Error as e:  # better said twice after a crash than never
                log.error("Could not record timer event %s as spoken (%s); speaking it", kind, e)
                fresh = True
            if not fresh:
                log.info("Skipped %s: already spoken, or its pause was ended or extended", kind)
                return
        late = due < self._started_at
        event = TimerEvent(
            kind=kind,
            due=datetime.fromtimestamp(due).astimezone(),
            late_seconds=max(0.0, _now().timestamp() - due),
            number=job.number,
            late=late,
        )
        log.info("Timer event %s (due %s, %.3f s late)", kind, _local(due), event.late_seconds)
        self.on_event(event)

    # ----- helpers ----------------------------------------------------------------------------

    def _pause_jobs(self) -> list[StoredJob]:
        return self._board().jobs("pause:")

    def _board(self) -> JobBoard:
        if self._jobs is None:
            raise RuntimeError("TimerEngine.start() has not been called")
        return self._jobs

    def _side_store(self) -> SideStore:
        if self._side is None:
            raise RuntimeError("TimerEngine.start() has not been called")
        return self._side


def _key(pause: PauseRow | None) -> tuple | None:
    return (pause.pause_id, pause.generation) if pause else None


def _local(ts: float) -> str:
    return datetime.fromtimestamp(ts).astimezone().isoformat(timespec="milliseconds")
