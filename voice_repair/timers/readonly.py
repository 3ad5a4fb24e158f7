"""A data folder that cannot take writes: what is wrong with it, and what its store holds.

Used when the folder is full or read-only (a Raspberry Pi's SD card turned read-only by the kernel
after a storage error, a full disk, a quota): at start-up the store is read here without writing
a byte, so the engine can keep this run's promises from memory, and a write that fails while
running is named here ("full", "read-only") for the one log line. Anything else (permissions, a
file where the folder should be) is a setup mistake, not a storage problem: ``storage_problem``
says None and the caller refuses to start, naming the folder.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sqlite3
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .jobs import StoredJob, read_jobs
from .store import (
    READ_PAUSE,
    READ_PAUSE_FRAME,
    READ_ROUND,
    PauseRow,
    RoundRow,
    parse_frame,
    read_claims,
    take_lock,
)

__all__ = [
    "StoreSnapshot",
    "lock_without_writing",
    "read_store",
    "storage_problem",
    "what_to_do",
]

log = logging.getLogger(__name__)

_ERRNOS = {
    errno.ENOSPC: "full",
    errno.EDQUOT: "full",
    errno.EROFS: "read-only",
    errno.EIO: "failing (input/output error)",
}
_SQLITE = {"database or disk is full": "full", "readonly database": "read-only"}


_FIX = {
    "full": "Free some space on that disk",
    "read-only": "The system may have made the disk read-only after a storage error (see "
    "`dmesg`): check the disk or SD card, make it writable again",
}


def what_to_do(problem: str) -> str:
    """The first step of the fix for a ``storage_problem``, as a sentence without its stop."""
    return _FIX.get(problem, "Check that disk")


@dataclass(frozen=True)
class StoreSnapshot:
    """What a store holds, as the engine's start-up recovery needs it."""

    pause: PauseRow | None = None
    pause_frame: tuple[str, float] | None = None
    jobs: list[StoredJob] = field(default_factory=list)
    fired: set[str] = field(default_factory=set)
    """Jobs claimed and spoken: never said again."""
    round: RoundRow | None = None
    unsure: set[str] = field(default_factory=set)
    """Jobs claimed but not marked spoken (a kill cut them): said again, marked as a repeat."""


def storage_problem(data_dir: Path, error: BaseException) -> str | None:
    """ "full", "read-only" or "failing ..." if ``error`` comes from storage that cannot take
    writes; None for any other failure (permissions, a file in the way, a second instance).

    SQLite often says only "disk I/O error": then a probe file is written to learn the errno.
    """
    chain: list[BaseException] = []
    seen: BaseException | None = error
    while seen is not None and len(chain) < 10:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    for e in chain:
        if isinstance(e, OSError) and e.errno in _ERRNOS:
            return _ERRNOS[e.errno]
        for words, problem in _SQLITE.items():
            if isinstance(e, sqlite3.Error) and words in str(e):
                return problem
    if any(isinstance(e, OSError) for e in chain):
        return None  # e.g. EACCES, ENOTDIR, EWOULDBLOCK: a setup mistake or another instance
    if any(isinstance(e, sqlite3.Error) or _is_sqlalchemy(e) for e in chain):
        return _probe(data_dir)
    return None


def _is_sqlalchemy(error: BaseException) -> bool:
    return type(error).__module__.startswith("sqlalchemy")


def _probe(data_dir: Path) -> str | None:
    """Write and flush a small file in the folder: the errno says what is wrong, if anything."""
    probe = data_dir / f".write-test-{uuid.uuid4().hex[:8]}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, b"\0" * 4096)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as e:
        return _ERRNOS.get(e.errno or 0)
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()
    return None


def lock_without_writing(data_dir: Path) -> object | None:
    """Take the single-process lock on an existing lock file, opened read-only.

    Returns the open file (keep it open), or None when there is no lock file to lock (a folder
    that was never used cannot hold promises another instance could say too). Raises
    ``TimerStoreError`` when another voice-repair holds the lock.
    """
    try:
        lock = open(data_dir / "timers.lock", "rb")  # noqa: SIM115 - held for the engine's life
    except OSError:
        return None
    return take_lock(lock, data_dir)


def read_store(path: Path) -> StoreSnapshot:
    """Everything the store holds, read without writing (an empty snapshot if there is no
    store or it cannot be read; the file is left as it is either way)."""
    if not path.is_file():
        return StoreSnapshot()
    wal, shm = (path.with_name(path.name + suffix) for suffix in ("-wal", "-shm"))
    before = {p for p in (wal, shm) if p.exists()}
    # ``immutable`` reads the main file alone and creates nothing: right when no write-ahead
    # log is left over. After a kill there may be one, holding the last writes: ``mode=ro``
    # reads it, but needs the ``-shm`` index, which a read-only or full folder may not take.
    left_over = wal.exists() and wal.stat().st_size > 0
    problem: Exception | None = None
    try:
        for flags in ("mode=ro", "immutable=1") if left_over else ("immutable=1",):
            try:
                with contextlib.closing(sqlite3.connect(f"file:{path}?{flags}", uri=True)) as con:
                    return _snapshot(con)
            except sqlite3.Error as e:
                problem = e
    finally:
        for made in {wal, shm} - before:  # whatever SQLite created here is not ours to leave
            with contextlib.suppress(OSError):
                made.unlink()
    log.warning("Timer store %s could not be read (%s): starting with no timers", path, problem)
    return StoreSnapshot()


def _snapshot(con: sqlite3.Connection) -> StoreSnapshot:
    tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    pause = frame = None
    fired: set[str] = set()
    unsure: set[str] = set()
    if "vr_pause" in tables:
        row = con.execute(READ_PAUSE).fetchone()
        pause = PauseRow(*row) if row else None
    if "vr_meta" in tables:
        row = con.execute(READ_PAUSE_FRAME).fetchone()
        frame = parse_frame(str(row[0])) if row else None
    if "vr_fired" in tables:
        fired, unsure = read_claims(con)
    jobs = read_jobs(con) if "apscheduler_jobs" in tables else []
    rnd = None
    if "vr_round" in tables:
        row = con.execute(READ_ROUND).fetchone()
        rnd = RoundRow(*row) if row else None
    return StoreSnapshot(pause, frame, jobs, fired, rnd, unsure)
