"""The APScheduler side of the timer engine: one-shot jobs in a SQLite job store.

Rules for persistent jobs, followed on purpose:

- The job function ``fire`` is top level and importable: a reference to it is what gets pickled
  into the store. Renaming it or changing its arguments breaks stores written before. It moved
  once (``voice_repair.timerjobs:fire`` before the stages became packages): ``migrate_refs``
  rewrites such jobs before APScheduler reads them, which would otherwise drop them as
  unrestorable.
- Job ids are explicit and never reused (the engine makes them unique), so the ``fired`` guard
  can key on them; ``replace_existing=True`` anyway.
- ``fire`` reaches the running engine through the module-level ``_HANDLERS`` registry, keyed by a
  random id written once into the store, so a moved data folder keeps its jobs working.
- ``misfire_grace_time`` is the grace in whole real seconds (APScheduler wants an int; the exact
  grace is applied by the engine at start-up). ``coalesce`` is on: a job has one run date, and if
  several ever piled up it should speak once.
"""

from __future__ import annotations

import contextlib
import logging
import math
import pickle
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

__all__ = ["LEGACY_FUNCS", "Handler", "JobBoard", "StoredJob", "fire", "migrate_refs"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredJob:
    """One pending event, as its job function's arguments say."""

    job_id: str
    kind: str
    """A ``TimerEvent`` kind."""
    number: int
    """1-based number of a nudge or repeat; 0 otherwise."""
    due: float
    """POSIX timestamp, real seconds."""
    pause: tuple | None
    """(pause id, generation) of a pause event; None for a reminder."""
    last: bool
    """The pause is over once this event is spoken."""


Handler = Callable[[StoredJob], None]

_HANDLERS: dict[str, Handler] = {}
"""Running engines by store id: how a job function, unpickled from the store, finds its engine."""


def fire(
    store_id: str, job_id: str, kind: str, number: int, due: float, pause: tuple | None, last: bool
) -> None:
    """The job function APScheduler stores and calls (see ``StoredJob`` for the arguments)."""
    handler = _HANDLERS.get(store_id)
    if handler is None:
        log.warning("Timer event %s came with no engine running; skipped", kind)
        return
    handler(StoredJob(job_id, kind, number, due, pause, last))


FUNC_REF = f"{fire.__module__}:{fire.__qualname__}"
"""How APScheduler writes ``fire`` into each stored job: ``voice_repair.timers.jobs:fire``."""

LEGACY_FUNCS = ("voice_repair.timerjobs:fire",)
"""Where ``fire`` lived in stores written by earlier versions."""


def migrate_refs(path: Path) -> int:
    """Point jobs stored with an earlier import path of ``fire`` at today's; returns how many.

    Runs before the scheduler opens the store. A job whose state cannot be read is left as it is:
    APScheduler reports and removes it itself, as it would have before.
    """
    if not path.is_file():
        return 0
    moved = 0
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        if "apscheduler_jobs" not in tables:
            return 0
        for job_id, blob in db.execute("SELECT id, job_state FROM apscheduler_jobs").fetchall():
            try:
                state = pickle.loads(blob)
            except Exception:  # any unreadable state is APScheduler's to report
                continue
            if isinstance(state, dict) and state.get("func") in LEGACY_FUNCS:
                state["func"] = FUNC_REF
                blob = pickle.dumps(state, pickle.HIGHEST_PROTOCOL)
                db.execute("UPDATE apscheduler_jobs SET job_state = ? WHERE id = ?", (blob, job_id))
                moved += 1
    if moved:
        log.info("Timer store: %d job(s) moved to the current job function", moved)
    return moved


class JobBoard:
    """A ``BackgroundScheduler`` on ``path`` whose jobs all call ``handler`` with a StoredJob."""

    def __init__(
        self, path: Path, store_id: str, grace_seconds: float, handler: Handler, tz: tzinfo
    ) -> None:
        self.store_id = store_id
        self._handler = handler
        migrate_refs(path)
        self._scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{path}")},
            executors={"default": ThreadPoolExecutor(4)},
            job_defaults={
                "coalesce": True,
                "misfire_grace_time": max(1, math.ceil(grace_seconds)),
            },
            timezone=tz,
        )
        self._scheduler.add_listener(self._missed, EVENT_JOB_MISSED)

    def start_paused(self) -> None:
        """Open the store without firing, so the engine can clean it first."""
        self._scheduler.start(paused=True)
        _HANDLERS[self.store_id] = self._handler

    def resume(self) -> None:
        self._scheduler.resume()

    def shutdown(self) -> None:
        """Stop firing (waiting for events being spoken); jobs stay stored."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        if _HANDLERS.get(self.store_id) is self._handler:
            del _HANDLERS[self.store_id]

    def add(self, job: StoredJob) -> None:
        self._scheduler.add_job(
            fire,
            trigger="date",
            run_date=datetime.fromtimestamp(job.due).astimezone(),
            args=(self.store_id, job.job_id, job.kind, job.number, job.due, job.pause, job.last),
            id=job.job_id,
            name=job.kind,
            replace_existing=True,
        )

    def jobs(self, prefix: str = "") -> list[StoredJob]:
        """Pending jobs whose id starts with ``prefix``, soonest first."""
        return [
            StoredJob(j.id, *j.args[2:])
            for j in self._scheduler.get_jobs()
            if j.id.startswith(prefix)
        ]

    def remove(self, job_id: str) -> None:
        with contextlib.suppress(JobLookupError):  # fired and removed by the scheduler meanwhile
            self._scheduler.remove_job(job_id)

    def _missed(self, event: JobExecutionEvent) -> None:
        log.info("Timer event %s missed its time by more than the grace; dropped", event.job_id)
