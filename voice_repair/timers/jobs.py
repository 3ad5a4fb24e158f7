"""The APScheduler side of the timer engine: one-shot jobs in a SQLite job store.

APScheduler keeps the promises on disk; it does not fire them. Its scheduler is started paused and
stays paused: the engine's ``Ticker`` fires on the steady clock instead (see ``ticker.py`` for
why). The store's format is unchanged, so stores written before keep working, and a job written
today still names ``fire`` with the arguments it always had, plus an optional ``frame``.

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
- ``frame`` (``clock.Frame``) is given for durations only: a job without one is due at a
  wall-clock time ("at eight") or was written by an older version.
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

__all__ = [
    "LEGACY_FUNCS",
    "Handler",
    "JobBoard",
    "StoredJob",
    "fire",
    "migrate_refs",
    "read_jobs",
]

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
    frame: tuple[str, float] | None = None
    """The clock frame ``due`` was written in, for a duration; None: a wall-clock time."""

    @property
    def wall_anchored(self) -> bool:
        """Due at a wall-clock time ("at eight"): it moves with the wall clock when that jumps.
        A pause event of an older store (no frame) is still a duration."""
        return self.frame is None and not self.kind.startswith("pause.")


Handler = Callable[[StoredJob], None]

_HANDLERS: dict[str, Handler] = {}
"""Running engines by store id: how a job function, unpickled from the store, finds its engine."""


def fire(
    store_id: str,
    job_id: str,
    kind: str,
    number: int,
    due: float,
    pause: tuple | None,
    last: bool,
    frame: tuple[str, float] | None = None,
) -> None:
    """The job function written into the store (see ``StoredJob`` for the arguments).

    The engine fires from memory, not through this; it stays importable because every stored job
    names it, and running it (by hand, or by an older version) still speaks an event at most once.
    """
    handler = _HANDLERS.get(store_id)
    if handler is None:
        log.warning("Timer event %s came with no engine running; skipped", kind)
        return
    handler(StoredJob(job_id, kind, number, due, pause, last, frame))


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


def read_jobs(db: sqlite3.Connection) -> list[StoredJob]:
    """The pending jobs in APScheduler's table, read straight from SQLite (no scheduler, no
    write: for a store on a folder that cannot be written). A job whose state cannot be read is
    left out, as APScheduler would leave it out."""
    jobs = []
    for job_id, blob in db.execute("SELECT id, job_state FROM apscheduler_jobs").fetchall():
        try:
            state = pickle.loads(blob)
            jobs.append(StoredJob(job_id, *state["args"][2:]))
        except Exception:  # unreadable, or not one of ours
            log.warning("Timer store: job %s cannot be read; left in the store", job_id)
    return jobs


class _StoreOnlyScheduler(BackgroundScheduler):
    """A scheduler whose loop never runs a job: only its job store is used.

    Starting it paused is not enough: ``shutdown`` sets the state to stopped and wakes the loop,
    which then looks for due jobs once more. A due event that stopping kept for the next start
    was submitted to the stopped executor ("cannot schedule new futures after shutdown") and then
    removed from the store: lost.
    """

    def _process_jobs(self) -> None:
        return None  # wait until woken; firing is the engine's ticker's job


class JobBoard:
    """APScheduler's SQLite job store on ``path``, behind a scheduler that never fires."""

    def __init__(self, path: Path, store_id: str, handler: Handler, tz: tzinfo) -> None:
        self.store_id = store_id
        self._handler = handler
        migrate_refs(path)
        self._scheduler = _StoreOnlyScheduler(
            jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{path}")},
            job_defaults={"coalesce": True, "misfire_grace_time": None},
            timezone=tz,
        )

    def open(self) -> None:
        """Open the store; nothing is ever submitted to run (``_StoreOnlyScheduler``)."""
        self._scheduler.start(paused=True)
        _HANDLERS[self.store_id] = self._handler

    def shutdown(self) -> None:
        """Close the store; jobs stay stored. Never waits: no job ever runs on its threads."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if _HANDLERS.get(self.store_id) is self._handler:
            del _HANDLERS[self.store_id]

    def add(self, job: StoredJob) -> None:
        self._scheduler.add_job(
            fire,
            trigger="date",
            run_date=datetime.fromtimestamp(job.due).astimezone(),
            args=(self.store_id, job.job_id, job.kind, job.number, job.due, job.pause, job.last)
            + ((job.frame,) if job.frame is not None else ()),
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
        with contextlib.suppress(JobLookupError):  # already removed (an ended pause's job)
            self._scheduler.remove_job(job_id)
