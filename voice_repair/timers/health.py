"""Store writes that may fail (a full or read-only disk), and making the store whole again.

Every write of the engine goes through ``_persist``: a failure is logged once (what is wrong, what
to do) and the engine goes on from memory; the ticker tries again every ``RETRY_SECONDS``, and
the first write that works after failures writes all that memory holds (``_write_all``).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from ..errors import TimerStoreError
from .clock import Clock
from .jobs import JobBoard, StoredJob
from .plan import Recovery
from .readonly import StoreSnapshot, lock_without_writing, read_store, storage_problem, what_to_do
from .store import STORE_NAME, PauseRow, RoundRow, SideStore, prepare_folder

__all__ = ["RETRY_SECONDS", "STORE_ERRORS", "StoreHealthMixin"]

log = logging.getLogger("voice_repair.timers.engine")  # one logger for the engine's lines

STORE_ERRORS = (SQLAlchemyError, sqlite3.Error, OSError)
"""What a failing store write raises."""

RETRY_SECONDS = 30.0
"""While the store cannot be written, how often (real seconds) the ticker tries again."""


class StoreHealthMixin:
    """``TimerEngine``'s store writes, apart so each module stays readable. The engine provides
    what is declared here."""

    data_dir: Path
    clock: Clock
    _lock: threading.RLock
    _closing: bool
    _jobs: JobBoard | None
    _mem: dict[str, StoredJob]
    _unsure: set[str]
    _pause: PauseRow | None
    _round: RoundRow | None
    _store_failing: bool
    _memory_only: str | None
    _retry_at: float
    _folder_lock: object | None
    _offset: float
    _started_mono: float

    if TYPE_CHECKING:  # only declared: a stub here would hide EffectsMixin's real one

        def _recover(self, stored: StoreSnapshot, writable: bool) -> Recovery: ...
        def _open_store(self) -> Path | None: ...
        def _close_store(self) -> None: ...
        def _board(self) -> JobBoard: ...
        def _side_store(self) -> SideStore: ...
        def _frame(self) -> tuple[str, float]: ...

    # ----- store writes -----------------------------------------------------------------------

    def _start_in_memory(self, problem: str) -> Recovery:
        """Read the store, never to write it (``TimerEngine.start`` says why); returns the
        restart's plan (how many events were too late to keep)."""
        if self._folder_lock is None:
            self._folder_lock = lock_without_writing(self.data_dir)
        self._memory_only = problem
        snapshot = read_store(self.data_dir / STORE_NAME)
        self._offset = self.clock.wall() - self.clock.mono()
        self._started_mono = self.clock.mono()
        plan = self._recover(snapshot, writable=False)
        self._retry_at = self.clock.mono() + RETRY_SECONDS
        log.error(
            "Timer folder %s is %s: starting with timers in memory only. The %d stored "
            "event(s) are kept this run; new ones will not survive a restart unless the folder "
            "can be written again before it (tried every %.0f s). %s (or choose another folder "
            "with --data-dir DIR).",
            self.data_dir,
            problem,
            len(self._mem),
            RETRY_SECONDS,
            what_to_do(problem),
        )
        return plan

    def _persist(self, write: Callable[[], object]) -> bool:
        """Run one store write; on failure log once and go on from memory. True if written.

        The first write that works again after failures also writes what was kept in memory
        only meanwhile (``_write_all``): the store is whole again. A store that could not be
        opened for writing at start-up (``_memory_only``) is not written this run at all.
        """
        if self._memory_only is not None:
            return False
        try:
            write()
            if self._store_failing:
                self._write_all()
        except STORE_ERRORS as e:
            if not self._store_failing:
                self._store_failing = True
                self._retry_at = self.clock.mono() + RETRY_SECONDS
                problem = storage_problem(self.data_dir, e) or "failing"
                log.error(
                    "Timer store in %s cannot be written (the disk is %s: %s): running timers "
                    "go on from memory, and new ones will not survive a restart until this is "
                    "fixed. %s; the timers are stored again as soon as it can be written.",
                    self.data_dir,
                    problem,
                    e,
                    what_to_do(problem),
                )
            return False
        if self._store_failing:
            self._store_failing = False
            log.warning(
                "Timer store in %s can be written again: %d pending event(s) stored again",
                self.data_dir,
                len(self._mem),
            )
        return True

    def _retry_store(self) -> None:
        """On the ticker: while the store cannot be written, try again every RETRY_SECONDS."""
        failing = self._store_failing or self._memory_only is not None
        if not failing or self.clock.mono() < self._retry_at:
            return
        with self._lock:
            if self._closing:
                return
            self._retry_at = self.clock.mono() + RETRY_SECONDS
            if self._memory_only is not None:
                self._open_store_again()
            elif self._store_failing and self._jobs is not None:
                self._persist(lambda: None)

    def _open_store_again(self) -> None:
        """After a start from memory: open the store for writing if the folder takes writes
        now, and make it hold what memory holds (what this run said is then gone from it)."""
        try:
            self._folder_lock = prepare_folder(self.data_dir, self._folder_lock)
            self._open_store()
            self._write_all()
            self._side_store().forget_fired(keep=self._unsure)  # no other job it names is left
        except (TimerStoreError, *STORE_ERRORS) as e:
            self._close_store()
            log.debug("Timer folder %s still cannot be written: %s", self.data_dir, e)
            return
        self._memory_only = None
        log.warning(
            "Timer folder %s can be written again: %d pending event(s) stored",
            self.data_dir,
            len(self._mem),
        )

    def _write_all(self) -> None:
        """Make the store hold exactly what memory holds (after writes failed for a while):
        the pause and round rows, every pending job (in today's clock frame), nothing else."""
        side, board = self._side_store(), self._board()
        if self._pause is None:
            side.clear_pause()
        else:
            side.set_pause(self._pause, self._frame())
        if self._round is None:
            side.clear_round()
        else:
            side.set_round(self._round)
        stored = {job.job_id for job in board.jobs()}
        for job in self._mem.values():
            board.add(job if job.frame is None else replace(job, frame=self._frame()))
        for job_id in stored - self._mem.keys():
            board.remove(job_id)
