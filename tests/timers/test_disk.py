"""The data folder fills up while the assistant runs (a real 1 MiB tmpfs mount).

Needs root (to mount a small tmpfs): skipped otherwise. A folder the kernel turns read-only fails
SQLite's writes the same way (an ``OperationalError`` on the open connections) and takes the same
path; it is not simulated here: a tmpfs with files open for writing refuses ``remount,ro``, and a
read-only bind mount leaves the open connections writing. What must hold: one clear log line, the
pause already running ends on time from memory, a new reminder still comes in this run with a
warning that it will not survive a restart, and nothing raises.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import subprocess
import time
from pathlib import Path

import pytest
from heard import Heard

from voice_repair.models import AddReminder, StartPause
from voice_repair.timers.engine import TimerEngine, TimerSettings

MIN = 0.1
ON_TIME = 0.25


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 1 MiB tmpfs at ``tmp_path/disk``, unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)])
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder: Path) -> None:
    """Write until the disk is full (ENOSPC)."""
    with open(folder / "filler", "wb") as f, contextlib.suppress(OSError):
        while True:
            f.write(b"\0" * 65536)
            f.flush()
    with pytest.raises(OSError) as err:
        (folder / "probe").write_bytes(b"\0" * 65536)
    assert err.value.errno == errno.ENOSPC


def errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def test_promises_go_on_from_memory_when_the_disk_is_full(small_disk, caplog):
    caplog.set_level(logging.INFO, logger="voice_repair.timers")
    heard = Heard()
    settings = TimerSettings(MIN, nudges_at=(), repeat_count=1)
    engine = TimerEngine(small_disk / "data", settings, heard)
    engine.start()
    try:
        started = time.monotonic()
        engine.apply(StartPause(5))  # stored while there is room
        fill(small_disk)
        engine.apply(AddReminder(in_minutes=2))  # cannot be stored: memory only, with a warning
        engine.apply(StartPause(3))  # ends the first pause and starts another, from memory
        heard.wait(3)
        kinds = [(e.kind, round(at - started, 1)) for at, e in heard.events]
        assert [k for k, _ in kinds] == ["reminder.due", "pause.finished", "pause.reminder"]
        reminder_at, end_at = heard.events[0][0], heard.events[1][0]
        assert 2 * MIN <= reminder_at - started < 2 * MIN + ON_TIME, kinds
        assert 3 * MIN <= end_at - started < 3 * MIN + ON_TIME, kinds
        assert len(errors(caplog)) == 1, errors(caplog)
        assert "cannot be written" in errors(caplog)[0] and str(small_disk) in errors(caplog)[0]
        warned = [r.getMessage() for r in caplog.records if "memory only" in r.getMessage()]
        assert len(warned) == 2, warned  # the reminder and the new pause
    finally:
        engine.shutdown()
