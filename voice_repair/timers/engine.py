"""Pause timers and reminders that keep their promise across restarts, clock jumps and full disks.

The running engine keeps every pending event in memory (``_mem``, due times on the jump-free wall
clock ``_now``) and fires it from its ``Ticker``; the store is what a restart reads. Everything in
assistant minutes is scaled by ``minute_seconds`` (``--minute``), the grace too;
``AddReminder(at=...)`` is never scaled. The rules are in the package docstring (``timers``).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from ..errors import TimerStoreError
from ..models import Effect, PauseStatus, TimerEvent
from .clock import JUMP_SECONDS, Clock, SystemClock
from .effects import EffectsMixin
from .firing import FiringMixin
from .health import STORE_ERRORS, StoreHealthMixin
from .jobs import JobBoard, StoredJob
from .plan import Recovery, TimerSettings
from .readonly import StoreSnapshot, storage_problem
from .restart import StartupReport, report, restore
from .rounds import RoundMixin
from .store import STORE_NAME, PauseRow, RoundRow, SideStore, move_aside_if_corrupt, prepare_folder
from .ticker import Ticker

__all__ = ["STOP_SECONDS", "StartupReport", "TimerEngine", "TimerSettings"]

log = logging.getLogger(__name__)

STOP_SECONDS = 1.5
"""The longest ``shutdown`` waits for an event being handed to the speaker."""


class TimerEngine(StoreHealthMixin, EffectsMixin, RoundMixin, FiringMixin):
    """Schedules pause events and reminders and calls ``on_event`` when they come.

    ``on_event`` runs on the ticker thread; keep it short (queue the words). It may call
    ``pause_status``/``pending_reminders``/``apply``: they read memory, never the scheduler.
    """

    def __init__(
        self,
        data_dir: Path,
        settings: TimerSettings,
        on_event: Callable[[TimerEvent], None],
        clock: Clock | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.settings = settings
        self.on_event = on_event
        self.clock: Clock = clock or SystemClock()
        self._lock = threading.RLock()
        self._jobs: JobBoard | None = None
        self._side: SideStore | None = None
        self._folder_lock: object | None = None
        self._ticker: Ticker | None = None
        self._mem: dict[str, StoredJob] = {}
        """Pending events by job id, due times in the current frame: what fires."""
        self._held: list[StoredJob] = []
        """Reminders taken off the clock after a danger reply (``HoldReminders``): memory only,
        so a restart brings none of them back."""
        self._pause: PauseRow | None = None
        self._round: RoundRow | None = None
        self._unsure: set[str] = set()
        """Pending jobs claimed by an earlier run and maybe not spoken: said again, marked."""
        self._offset = 0.0
        """Wall minus steady clock as last seen: ``_now`` is the jump-free wall clock."""
        self._started_mono = 0.0
        self._closing = False
        self._started = False
        self._store_failing = False
        self._memory_only: str | None = None
        """Why the store could not be opened for writing at start-up; None when it could."""
        self._retry_at = 0.0

    # ----- life cycle -------------------------------------------------------------------------

    def start(self) -> StartupReport:
        """Open (or recover) the store, drop what is too late, and start firing.

        A data folder that is full or read-only does not stop the assistant: a home speaker
        that refuses to start answers nobody (not even "I need a pause" in the middle of a
        fight), and its owner would only see that it is silent. It starts from memory instead:
        what the store holds is read (never written: nothing in it is lost or changed) and kept
        this run, new promises work (and are stored if the folder can be written again later in
        the run: tried every ``health.RETRY_SECONDS``), and ``StartupReport.memory_only`` says
        why, for the app to say once; one error line says what to do. A folder that cannot
        be used for any other reason (permissions, a file in the way, another instance) is a
        setup mistake: ``TimerStoreError`` names the folder and the fix.
        """
        # Any way out of the process (an exception, sys.exit, Ctrl-C landing before the caller
        # could wrap us in try/finally) goes through shutdown, before the interpreter freezes
        # the ticker: an event it has claimed is said, not cut off.
        atexit.register(self.shutdown)
        try:
            try:
                self._folder_lock = prepare_folder(self.data_dir)
                return self._start()
            except (TimerStoreError, *STORE_ERRORS) as e:
                problem = storage_problem(self.data_dir, e)
                if problem is None:
                    raise
                self._close_store()
                plan = self._start_in_memory(problem)
                self._run_ticker(plan.dropped)
                return report(plan, recovered_store=None, memory_only=problem)
        except STORE_ERRORS as e:
            self.shutdown()
            raise TimerStoreError(
                f"Cannot use the timer store in {self.data_dir}: {e}. Free some disk space or "
                "fix the folder's permissions, or choose another folder with --data-dir DIR."
            ) from e
        except BaseException:
            self.shutdown()
            raise

    def _open_store(self) -> Path | None:
        """Open the store for writing (an unreadable one moved aside first: returns where)."""
        path = self.data_dir / STORE_NAME
        recovered = move_aside_if_corrupt(path)
        self._side = SideStore(path)
        tz = datetime.now().astimezone().tzinfo
        self._jobs = JobBoard(path, self._side.store_id, self._fire_stored, tz)
        self._jobs.open()
        return recovered

    def _start(self) -> StartupReport:
        recovered = self._open_store()
        self._offset = self.clock.wall() - self.clock.mono()
        self._started_mono = self.clock.mono()
        side, board = self._side_store(), self._board()
        spoken, unsure = side.claims()
        snapshot = StoreSnapshot(
            side.pause(), side.pause_frame(), board.jobs(), spoken, side.round(), unsure
        )
        plan = self._recover(snapshot, writable=True)
        self._run_ticker(plan.dropped)
        return report(plan, recovered_store=recovered)

    def _run_ticker(self, dropped: int) -> None:
        self._ticker = Ticker(self.clock.mono, self._due, self._check_clock)
        for job in self._mem.values():
            self._ticker.set(job.job_id, job.due - self._offset)
        pending = len(self._mem)  # counted before the ticker can fire (and forget) a late one
        self._started = True
        self._ticker.start()
        if dropped:
            log.info("%d timer event(s) came due while down and were too late to speak", dropped)
        log.info("Timer engine running: %d event(s) pending", pending)

    def _close_store(self) -> None:
        """Close what a failed start opened (the folder lock stays)."""
        if self._jobs is not None:
            self._jobs.shutdown()
            self._jobs = None
        if self._side is not None:
            with contextlib.suppress(*STORE_ERRORS):
                self._side.close()
            self._side = None

    def shutdown(self) -> None:
        """Stop firing within ``STOP_SECONDS``; pending events stay in the store."""
        atexit.unregister(self.shutdown)
        with self._lock:
            self._closing = True  # from now on nothing is claimed: what is not spoken is kept
        if self._ticker is not None:
            if not self._ticker.stop(STOP_SECONDS):
                log.warning("An event was still being handed over at stop; not waiting longer")
            self._ticker = None
        with self._lock:
            self._close_store()
        if self._folder_lock is not None:
            self._folder_lock.close()  # type: ignore[attr-defined]
            self._folder_lock = None

    def _recover(self, stored: StoreSnapshot, writable: bool) -> Recovery:
        """What the store holds, made this run's memory (``restart.restore``); the store is
        cleaned too if ``writable``."""
        board, side = (self._board(), self._side_store()) if writable else (None, None)
        got = restore(stored, self.clock, self._now(), self._grace(), board, side)
        self._mem, self._pause, self._round = got.jobs, got.pause, got.round
        self._unsure = got.unsure
        return got.plan

    # ----- effects ----------------------------------------------------------------------------

    def apply(self, effect: Effect) -> None:
        """Carry out one timer effect from a handler (range checks are the handler's).

        Never fails for the store's sake: what cannot be written is kept in memory for this run
        (and logged as such).
        """
        with self._lock:
            if not self._started and not self._closing:
                raise RuntimeError("TimerEngine.start() has not been called")
            if self._closing:  # a request racing the stop: nothing can be kept any more
                log.warning("Timer request %s ignored: stopping", type(effect).__name__)
                return
            self._apply(effect)

    # ----- clock ------------------------------------------------------------------------------

    def _now(self) -> float:
        """The wall clock without jumps not yet seen by ``_check_clock``."""
        return self.clock.mono() + self._offset

    def _grace(self) -> float:
        return self.settings.seconds(self.settings.grace_minutes)

    def _check_clock(self) -> None:
        """On the ticker, before each wait: a jumped wall clock moves wall-clock reminders and
        the wall-clock due times of durations, never when a duration ends."""
        self._retry_store()
        delta = self.clock.wall() - self._now()
        if abs(delta) <= JUMP_SECONDS:
            return
        with self._lock:
            self._offset += delta
            for job_id, job in list(self._mem.items()):
                if not job.wall_anchored:
                    self._mem[job_id] = replace(job, due=job.due + delta)
            if self._pause is not None:
                self._pause = replace(self._pause, deadline=self._pause.deadline + delta)
            self._reschedule()
        log.warning("The wall clock jumped by %+.0f s: pauses keep their length", delta)

    def _reschedule(self) -> None:
        if self._ticker is not None:
            for job in self._mem.values():
                self._ticker.set(job.job_id, job.due - self._offset)

    # ----- queries ----------------------------------------------------------------------------

    def pause_status(self) -> PauseStatus | None:
        """The running or ringing pause, or None; remaining time is in assistant minutes."""
        with self._lock:
            pause = self._pause
            if pause is None:
                return None
            left = pause.deadline - self._now()
        return PauseStatus(
            remaining_minutes=max(0.0, left / self.settings.minute_seconds),
            total_minutes=pause.total_minutes,
            ringing=left <= 0,
        )

    def pending_reminders(self) -> int:
        """How many ``reminder.due`` events are still to come."""
        with self._lock:
            return sum(1 for job_id in self._mem if job_id.startswith("reminder:"))

    def reminders(self) -> tuple[datetime, ...]:
        """When each pending reminder is due (local time), soonest first; held ones excluded."""
        with self._lock:
            dues = sorted(j.due for j in self._mem.values() if j.kind == "reminder.due")
        return tuple(datetime.fromtimestamp(d).astimezone() for d in dues)

    def held_reminders(self) -> tuple[datetime, ...]:
        """When each reminder a danger reply holds (``HoldReminders``) was due, soonest first."""
        with self._lock:
            dues = sorted(j.due for j in self._held)
        return tuple(datetime.fromtimestamp(d).astimezone() for d in dues)

    # ----- helpers ----------------------------------------------------------------------------

    def _board(self) -> JobBoard:
        if self._jobs is None:
            raise RuntimeError("TimerEngine.start() has not been called")
        return self._jobs

    def _side_store(self) -> SideStore:
        if self._side is None:
            raise RuntimeError("TimerEngine.start() has not been called")
        return self._side
