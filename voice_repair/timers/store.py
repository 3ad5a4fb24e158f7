"""The timer engine's own bookkeeping, kept in the same SQLite file as APScheduler's jobs.

APScheduler stores *what* will fire and *when*. Two things it cannot know are kept here:

- the running pause (id, deadline, total minutes, generation), so status, extend and end still
  work after a restart, and the clock frame its deadline was written in (``vr_meta``
  ``pause_frame``, in the same transaction; absent in older stores);
- the ``fired`` guard, in two phases: a job id is written here (claimed, ``spoken`` 0) and
  committed before its event is spoken, and marked ``spoken`` once it was, before its job is
  removed. A job that is claimed and spoken is never spoken again (a kill between speaking and
  the removal of the job). A job claimed but not marked spoken was cut by a kill somewhere
  between the claim and the end of its words: the next start says it again, with words that
  admit it may be a repeat (issue 22), rather than never. Stores written before have no
  ``spoken`` column: their claims count as spoken, as they were meant then.

This module also owns the start-up checks of the data folder: it must be creatable and writable,
used by one process at a time, and a store file SQLite cannot read is moved aside (kept, never
deleted) so the assistant can start with an empty one.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from ..errors import TimerStoreError

__all__ = [
    "STORE_NAME",
    "READ_FIRED",
    "READ_PAUSE",
    "READ_PAUSE_FRAME",
    "READ_ROUND",
    "PauseRow",
    "RoundRow",
    "SideStore",
    "move_aside_if_corrupt",
    "parse_frame",
    "prepare_folder",
    "read_claims",
    "take_lock",
]

log = logging.getLogger(__name__)

STORE_NAME = "timers.sqlite"
"""File name of the store inside the data folder (APScheduler's table and ours)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vr_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vr_pause (
    slot INTEGER PRIMARY KEY CHECK (slot = 1),
    pause_id TEXT NOT NULL,
    deadline REAL NOT NULL,
    total_minutes INTEGER NOT NULL,
    generation INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS vr_round (
    slot INTEGER PRIMARY KEY CHECK (slot = 1),
    round_id TEXT NOT NULL,
    turn_minutes INTEGER NOT NULL,
    reflect_minutes INTEGER NOT NULL,
    generation INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS vr_fired (
    job_id TEXT PRIMARY KEY,
    fired_at REAL NOT NULL,
    spoken INTEGER NOT NULL DEFAULT 1
);
"""
_ADD_SPOKEN = "ALTER TABLE vr_fired ADD COLUMN spoken INTEGER NOT NULL DEFAULT 1"


READ_PAUSE = "SELECT pause_id, deadline, total_minutes, generation FROM vr_pause"
READ_PAUSE_FRAME = "SELECT value FROM vr_meta WHERE key='pause_frame'"
READ_ROUND = "SELECT round_id, turn_minutes, reflect_minutes, generation FROM vr_round"
READ_FIRED = "SELECT job_id FROM vr_fired"
"""The store's reads, shared with ``readonly.read_store`` (which reads without a ``SideStore``)."""


def read_claims(con: sqlite3.Connection) -> tuple[set[str], set[str]]:
    """(claimed and spoken, claimed but not marked spoken) job ids; an older store's claims
    (no ``spoken`` column) are all spoken."""
    columns = {row[1] for row in con.execute("PRAGMA table_info(vr_fired)")}
    if "spoken" not in columns:
        return {r[0] for r in con.execute(READ_FIRED)}, set()
    spoken, unsure = set(), set()
    for job_id, said in con.execute("SELECT job_id, spoken FROM vr_fired"):
        (spoken if said else unsure).add(job_id)
    return spoken, unsure


@dataclass(frozen=True)
class PauseRow:
    """The running pause as stored (there is at most one)."""

    pause_id: str
    """Random id, part of every job id of this pause."""
    deadline: float
    """POSIX timestamp (real seconds) of the end of the pause."""
    total_minutes: int
    """Assistant minutes asked for, extensions included."""
    generation: int
    """Bumped on every extension; a job of an older generation is stale and never spoken."""


@dataclass(frozen=True)
class RoundRow:
    """The running round of turns as stored (at most one). Which part it is in, and when that
    part ends, is read from its pending jobs: one per part, each ending it."""

    round_id: str
    """Random id, part of every job id of this round."""
    turn_minutes: int
    """Assistant minutes of each speaker's turn."""
    reflect_minutes: int
    """Assistant minutes of each listener's say-back."""
    generation: int
    """Bumped on every change ("switch", "more time"); older jobs are stale, never spoken."""


def parse_frame(value: str) -> tuple[str, float] | None:
    """The stored ``pause_frame`` ("<boot id> <offset>"), or None if it cannot be read."""
    boot, _, offset = value.partition(" ")
    try:
        return (boot, float(offset))
    except ValueError:
        return None


def prepare_folder(data_dir: Path, lock: object | None = None) -> object:
    """Create the data folder, prove it writable and take the single-process lock.

    Returns the open lock file; keep it open for as long as the engine runs (the kernel drops the
    lock when the process dies, SIGKILL included, so a restart never finds a stale lock).
    ``lock``: the lock this process already holds (taken without writing): kept, not retaken.
    """
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        probe = data_dir / f".write-test-{uuid.uuid4().hex[:8]}"
        try:
            probe.write_bytes(b"ok")
        finally:  # created but not written (a full disk): not left behind
            with contextlib.suppress(FileNotFoundError):
                probe.unlink()
        if lock is not None:
            return lock
        lock = open(data_dir / "timers.lock", "a+b")  # noqa: SIM115 - held for the engine's life
    except OSError as e:
        from .folder import folder_mistake

        wrong, fix = folder_mistake(data_dir, e)
        raise TimerStoreError(
            f"{wrong[0].upper()}{wrong[1:]}. Timers and reminders are kept there so they survive "
            f"a restart. To fix it, {fix}."
        ) from e
    return take_lock(lock, data_dir)


def take_lock(lock: IO[bytes], data_dir: Path) -> IO[bytes]:
    """Lock the open ``timers.lock`` file for this process (one voice-repair per folder)."""
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as e:
        lock.close()
        raise TimerStoreError(
            f"Another voice-repair is already using the timer folder {data_dir}. Stop it first, "
            "or give this one its own folder with --data-dir DIR."
        ) from e
    return lock


def move_aside_if_corrupt(path: Path) -> Path | None:
    """Move an unreadable store out of the way (renamed with a timestamp); return where to.

    SQLite reports a garbage or truncated file either on the first query ("file is not a
    database") or in its quick check ("database disk image is malformed"); both are caught here,
    before APScheduler opens the file, so the assistant can still start and keep new promises.
    """
    if not path.exists():
        return None
    problem = _check(path)
    if problem is None:
        return None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    path.rename(target)
    for suffix in ("-wal", "-shm", "-journal"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            extra.rename(target.with_name(target.name + suffix))
    log.warning(
        "Timer store %s could not be read (%s); moved it to %s and started with no timers.",
        path,
        problem,
        target,
    )
    return target


def _check(path: Path) -> str | None:
    try:
        con = sqlite3.connect(path)
        try:
            rows = con.execute("PRAGMA quick_check").fetchall()
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as e:
        return str(e)
    if rows != [("ok",)]:
        return "; ".join(str(r[0]) for r in rows[:3])
    return None


class SideStore:
    """Our three small tables, on one connection shared by the caller and the job threads."""

    def __init__(self, path: Path) -> None:
        try:
            self._con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            # WAL: APScheduler's connection and ours read without blocking each other's writes.
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.executescript(_SCHEMA)
            if not any(r[1] == "spoken" for r in self._con.execute("PRAGMA table_info(vr_fired)")):
                self._con.execute(_ADD_SPOKEN)  # a store written before the two-phase claim
            row = self._con.execute("SELECT value FROM vr_meta WHERE key='store_id'").fetchone()
            if row is None:
                self.store_id = uuid.uuid4().hex
                self._con.execute(
                    "INSERT INTO vr_meta(key, value) VALUES ('store_id', ?)", (self.store_id,)
                )
            else:
                self.store_id = str(row[0])
        except sqlite3.Error as e:
            raise TimerStoreError(
                f"Cannot write the timer store {path}: {e}. Fix the folder's permissions or "
                "choose another one with --data-dir DIR."
            ) from e
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close, folding the write-ahead log back into the main file so it stands alone."""
        with self._lock:
            try:
                self._con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as e:  # another connection still reading: the log stays, safely
                log.debug("Timer store checkpoint skipped: %s", e)
            self._con.close()

    def pause(self) -> PauseRow | None:
        with self._lock:
            row = self._con.execute(READ_PAUSE).fetchone()
        return PauseRow(*row) if row else None

    def pause_frame(self) -> tuple[str, float] | None:
        """The clock frame the pause's deadline was written in (None: an older store)."""
        with self._lock:
            row = self._con.execute(READ_PAUSE_FRAME).fetchone()
        return None if row is None else parse_frame(str(row[0]))

    def set_pause(self, pause: PauseRow, frame: tuple[str, float] | None = None) -> None:
        """Store the pause and the frame of its deadline together (one transaction)."""
        with self._lock:
            con = self._con
            with _transaction(con):
                con.execute(
                    "INSERT OR REPLACE INTO vr_pause VALUES (1, ?, ?, ?, ?)",
                    (pause.pause_id, pause.deadline, pause.total_minutes, pause.generation),
                )
                con.execute("DELETE FROM vr_meta WHERE key='pause_frame'")
                if frame is not None:
                    con.execute(
                        "INSERT INTO vr_meta(key, value) VALUES ('pause_frame', ?)",
                        (f"{frame[0]} {frame[1]!r}",),
                    )

    def clear_pause(self) -> None:
        with self._lock:
            self._con.execute("DELETE FROM vr_pause")

    def round(self) -> RoundRow | None:
        with self._lock:
            row = self._con.execute(READ_ROUND).fetchone()
        return RoundRow(*row) if row else None

    def set_round(self, row: RoundRow) -> None:
        with self._lock:
            self._con.execute(
                "INSERT OR REPLACE INTO vr_round VALUES (1, ?, ?, ?, ?)",
                (row.round_id, row.turn_minutes, row.reflect_minutes, row.generation),
            )

    def clear_round(self) -> None:
        with self._lock:
            self._con.execute("DELETE FROM vr_round")

    def claims(self) -> tuple[set[str], set[str]]:
        """(spoken, claimed but not marked spoken) job ids: see ``read_claims``."""
        with self._lock:
            return read_claims(self._con)

    def forget_fired(self, keep: set[str] | frozenset[str] = frozenset()) -> None:
        """Empty the guard but for the claims in ``keep`` (events to say again, whose jobs are
        still stored); only safe once no other job it names is left in APScheduler's store."""
        kept = sorted(keep)
        marks = ", ".join("?" * len(kept))
        with self._lock:
            self._con.execute(f"DELETE FROM vr_fired WHERE job_id NOT IN ({marks})", kept)

    def mark_spoken(self, job_id: str) -> None:
        """The second phase: ``job_id``'s words were handed over whole; never say it again."""
        with self._lock, _fast_commit(self._con), _transaction(self._con) as con:
            con.execute("UPDATE vr_fired SET spoken = 1 WHERE job_id = ?", (job_id,))

    def claim(
        self, job_id: str, now: float, pause_key: tuple[str, int] | None, ends_pause: bool
    ) -> bool:
        """Record ``job_id`` as claimed (not yet spoken), in one committed transaction; False:
        do not speak it (claimed before).

        ``pause_key`` (pause id, generation) is given for pause events: the event is stale when
        the pause was ended or extended since it was scheduled. ``ends_pause``: this is the
        pause's last event, so the pause is over once it is spoken. A round's events (job ids
        ``turns:...``) give the round's key and are checked against the round row the same way.
        """
        is_round = job_id.startswith("turns:")
        table, column = ("vr_round", "round_id") if is_round else ("vr_pause", "pause_id")
        with self._lock, _fast_commit(self._con), _transaction(self._con) as con:
            if con.execute("SELECT 1 FROM vr_fired WHERE job_id=?", (job_id,)).fetchone():
                return False
            if pause_key is not None:
                row = con.execute(f"SELECT {column}, generation FROM {table}").fetchone()
                if row is None or tuple(row) != tuple(pause_key):
                    return False
                if ends_pause:
                    con.execute(f"DELETE FROM {table}")
            con.execute("INSERT INTO vr_fired VALUES (?, ?, 0)", (job_id, now))
        return True


@contextlib.contextmanager
def _fast_commit(con: sqlite3.Connection) -> Iterator[None]:
    """Commit without waiting for the disk (``synchronous=NORMAL``), for the claim only.

    Between the claim and the words a SIGKILL loses the event, so that gap must be as short as
    can be: a committed WAL write survives the process being killed, and the ``fsync`` that
    ``FULL`` adds (milliseconds on a busy SD card) would sit inside the gap. The price: after a
    *power cut* the last claim may be rolled back and its event said a second time. Every other
    write (the pause row) keeps ``FULL``: rolled back, it would lose a pause.
    """
    con.execute("PRAGMA synchronous=NORMAL")
    try:
        yield
    finally:
        con.execute("PRAGMA synchronous=FULL")


@contextlib.contextmanager
def _transaction(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, committed at the end, rolled back on any error (a full disk
    fails the COMMIT itself, so that is inside too)."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield con
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
