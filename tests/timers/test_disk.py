"""The data folder fills up or turns read-only, while the assistant runs or before it starts.

Real file systems, so these need root (skipped otherwise, saying so): a 1 MiB tmpfs for a full
disk, and an 8 MiB ext4 image on a loop device for a read-only one. A tmpfs with files open for
writing refuses ``remount,ro`` (so does a read-only bind mount: "mount point is busy"); what
really turns a Raspberry Pi's data folder read-only under a running process is the kernel, after
a storage error, on a file system mounted ``errors=remount-ro``: ``mount -o remount,abort`` is
that error on demand. It cannot be made writable again without unmounting (as on the Pi: a
reboot and a disk check), so "writable again" is tested with the full disk, emptied.

What must hold while running: one clear log line, the pause already running ends on time from
memory, a new reminder and a new pause still come in this run with a warning that they will not
survive a restart, nothing raises; once the store can be written again it holds what memory
holds. At start-up (full or read-only): the engine starts from memory (``TimerEngine.start``
says why), keeps what the store held and never writes to it.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import functools
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from heard import Heard
from stopping import ROOT, Chat, write_config
from timing import budget

from voice_repair.errors import TimerStoreError
from voice_repair.models import (
    AddReminder,
    EndRound,
    ExtendTurn,
    StartPause,
    StartRound,
    SwitchTurn,
)
from voice_repair.timers import health
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
    with unmounted_at_the_end(mount):
        yield mount


@pytest.fixture
def ext4_disk(tmp_path: Path):
    """An 8 MiB ext4 file system on a loop device at ``tmp_path/ext4``, mounted as a Pi mounts
    its SD card (``errors=remount-ro``); unmounted afterwards."""
    mount = tmp_path / "ext4"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a loop device needs root")
    image = tmp_path / "ext4.img"
    with open(image, "wb") as f:
        f.truncate(8 << 20)
    made = subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot make an ext4 image (mkfs.ext4, e2fsprogs): {made.stderr!r}")
    options = "loop,errors=remount-ro"
    done = subprocess.run(["mount", "-o", options, str(image), str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a loop device here: {done.stderr.decode().strip()}")
    with unmounted_at_the_end(mount):
        yield mount


@contextlib.contextmanager
def unmounted_at_the_end(mount: Path) -> Iterator[None]:
    """Unmount ``mount`` however the test ends, and at the process's exit should the teardown
    never run (a worker stopped mid-test). A run killed outright leaves it mounted: the next
    run's start unmounts it (``stalemounts.py``); left, it failed the service tests."""
    off = functools.partial(subprocess.run, ["umount", "-l", str(mount)], capture_output=True)
    atexit.register(off)
    try:
        yield
    finally:
        off()
        atexit.unregister(off)


def storage_error(mount: Path) -> None:
    """What the kernel does after an SD card's write error: the file system turns read-only
    under the running process (``errors=remount-ro``), open files included."""
    subprocess.run(["mount", "-o", "remount,abort", str(mount)], check=True, capture_output=True)
    with pytest.raises(OSError) as err:
        (mount / "probe").write_bytes(b"x")
    assert err.value.errno == errno.EROFS


def read_only(mount: Path) -> None:
    """Remount a tmpfs read-only (only possible while no file on it is open for writing)."""
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)


def store_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


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


def applied(engine: TimerEngine, effect, minutes: float) -> tuple[float, float]:
    """Apply ``effect`` and return when what it sets is due: (earliest, latest), the moments
    before and after the call plus its ``minutes``. A test checks each event against its own
    request, not one start time before other steps (filling a disk, a ``mount`` under load):
    what those steps took is measured, and only the event's own lateness is budgeted."""
    before = time.monotonic()
    engine.apply(effect)
    return before + minutes * MIN, time.monotonic() + minutes * MIN


def on_time(at: float, due: tuple[float, float], ready: float | None = None) -> bool:
    """Said at its due time, within ``budget(ON_TIME)``, and not before it. ``ready``: said by
    a restarted engine, which started then: what was due before is said at its start, and the
    due time crossed the restart on the wall clock, so it may come up to the budget early."""
    earliest, latest = due
    if ready is None:
        return earliest <= at < latest + budget(ON_TIME)
    return earliest - budget(ON_TIME) < at < max(latest, ready) + budget(ON_TIME)


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
        reminder = applied(engine, AddReminder(in_minutes=2), 2)  # memory only, with a warning
        pause = applied(engine, StartPause(3), 3)  # ends the first pause, starts another
        heard.wait(3)
        kinds = [(e.kind, round(at - started, 1)) for at, e in heard.events]
        assert [k for k, _ in kinds] == ["reminder.due", "pause.finished", "pause.reminder"]
        reminder_at, end_at = heard.events[0][0], heard.events[1][0]
        assert on_time(reminder_at, reminder), kinds
        assert on_time(end_at, pause), kinds
        assert len(errors(caplog)) == 1, errors(caplog)
        assert "cannot be written" in errors(caplog)[0] and str(small_disk) in errors(caplog)[0]
        warned = [r.getMessage() for r in caplog.records if "memory only" in r.getMessage()]
        assert len(warned) == 2, warned  # the reminder and the new pause
    finally:
        engine.shutdown()


def warnings_of(caplog, words: str) -> list[str]:
    """Lines at WARNING level (not the error line) that contain ``words``."""
    found = [r for r in caplog.records if r.levelno == logging.WARNING]
    return [r.getMessage() for r in found if words in r.getMessage()]


def test_promises_go_on_from_memory_when_the_disk_turns_read_only(ext4_disk, caplog):
    caplog.set_level(logging.INFO, logger="voice_repair.timers")
    heard = Heard()
    settings = TimerSettings(MIN, nudges_at=(), repeat_count=1)
    engine = TimerEngine(ext4_disk / "data", settings, heard)
    engine.start()
    try:
        started = time.monotonic()
        # Stored while the disk is fine, and replaced below before it ends: 40 minutes (4 s),
        # not 4, whose warning (0.3 s) came first at a load average of 20, while the remount
        # and the reminders took 0.6 s (2026-12-07).
        engine.apply(StartPause(40))
        first = applied(engine, AddReminder(in_minutes=1), 1)  # stored: from memory all the same
        storage_error(ext4_disk)
        second = applied(engine, AddReminder(in_minutes=2), 2)  # memory only, with a warning
        heard.wait_for("reminder.due", 3)
        pause = applied(engine, StartPause(3), 3)  # ends the first pause, starts another
        heard.wait(4)
        kinds = [(e.kind, round(at - started, 2)) for at, e in heard.events]
        assert [k for k, _ in kinds] == [
            "reminder.due",
            "reminder.due",
            "pause.finished",
            "pause.reminder",
        ], kinds
        for (at, _), due in zip(heard.events, (first, second, pause), strict=False):
            assert on_time(at, due), kinds
        assert len(errors(caplog)) == 1, errors(caplog)
        assert "read-only" in errors(caplog)[0] and str(ext4_disk) in errors(caplog)[0]
        assert len(warnings_of(caplog, "memory only")) == 2  # the new reminder and pause
    finally:
        engine.shutdown()


def test_what_was_kept_in_memory_is_stored_once_the_disk_has_room_again(
    small_disk, caplog, monkeypatch
):
    monkeypatch.setattr(health, "RETRY_SECONDS", 0.2)
    caplog.set_level(logging.INFO, logger="voice_repair.timers")
    data = small_disk / "data"
    engine = TimerEngine(data, TimerSettings(MIN), Heard())
    engine.start()
    try:
        engine.apply(AddReminder(in_minutes=100))  # stored
        fill(small_disk)
        engine.apply(AddReminder(in_minutes=50))  # memory only
        engine.apply(StartPause(40))  # memory only
        (small_disk / "filler").unlink()
        deadline = time.monotonic() + 3
        while not warnings_of(caplog, "can be written again") and time.monotonic() < deadline:
            time.sleep(0.05)  # the ticker tries again every RETRY_SECONDS
        assert warnings_of(caplog, "can be written again"), caplog.text
    finally:
        engine.shutdown()
    again = TimerEngine(data, TimerSettings(MIN), Heard())
    again.start()
    try:
        assert again.pending_reminders() == 2
        status = again.pause_status()
        assert status is not None and status.total_minutes == 40 and not status.ringing
    finally:
        again.shutdown()


def leave_reminder(data: Path, minutes: int) -> tuple[float, float]:
    """Store a reminder due in ``minutes`` and stop; returns when it is due (``applied``)."""
    engine = TimerEngine(data, TimerSettings(MIN), Heard())
    engine.start()
    due = applied(engine, AddReminder(in_minutes=minutes), minutes)
    engine.shutdown()
    return due


@pytest.mark.parametrize("trouble", ["full", "read-only"])
def test_a_full_or_read_only_folder_at_start_up_starts_from_memory(small_disk, trouble, caplog):
    caplog.set_level(logging.INFO, logger="voice_repair.timers")
    data = small_disk / "data"
    due = leave_reminder(data, 3)
    if trouble == "full":
        fill(small_disk)
    else:
        read_only(small_disk)
    before = store_bytes(data)
    heard = Heard()
    engine = TimerEngine(data, TimerSettings(MIN, nudges_at=(), repeat_count=1), heard)
    report = engine.start()
    ready = time.monotonic()  # filling, remounting and starting may outlast the reminder's time
    try:
        assert report.memory_only == trouble
        # What the store held is kept: still pending, or already said by this engine when the
        # filling or remounting and the start outlasted its three minutes (0.3 s): at a load
        # average of 10-13 it was said 0.38 s late at the start, and the count found none.
        # Either way it is said once (the four events below) and on time (``on_time``).
        pending = engine.pending_reminders()
        if pending == 0:
            heard.wait_for("reminder.due", timeout=budget(1))
        else:
            assert pending == 1, "what the store held is kept"
        engine.apply(AddReminder(in_minutes=1))  # memory only, with a warning
        engine.apply(StartPause(2))
        heard.wait(4)
        kinds = [e.kind for _, e in heard.events]
        assert sorted(kinds) == ["pause.finished", "pause.reminder", "reminder.due", "reminder.due"]
        assert [k for k in kinds if k.startswith("pause.")] == ["pause.finished", "pause.reminder"]
        # Which reminder is the stored one: by its due time, not its place in the order (a
        # start-up slower than a tenth of a second puts the new one, due in a minute, first).
        wall = time.time() - time.monotonic()
        at, _ = min(
            ((t, e) for t, e in heard.events if e.kind == "reminder.due"),
            key=lambda heard_event: abs(heard_event[1].due.timestamp() - wall - due[0]),
        )
        assert on_time(at, due, ready), "the stored reminder came on time"
        assert len(errors(caplog)) == 1, errors(caplog)
        assert trouble in errors(caplog)[0] and str(data) in errors(caplog)[0]
        assert "restart" in errors(caplog)[0]
        assert len(warnings_of(caplog, "memory only")) == 2
    finally:
        engine.shutdown()
    assert store_bytes(data) == before, "the store is never written"


def test_a_round_of_turns_stored_before_a_read_only_start_goes_on_from_memory(small_disk):
    """The round row is read with the rest: its parts still come, on time.

    A slow remount or start (at a load average of 15) can outlast the first parts; then the
    restart's rule holds (``plan.recovery``): of a round's parts overdue at the start only the
    latest is said, late, and the rest of the round follows on time."""
    data = small_disk / "data"
    first = TimerEngine(data, TimerSettings(MIN), Heard())
    first.start()
    turn_end = applied(first, StartRound(3, 1), 3)
    first.shutdown()
    read_only(small_disk)
    heard = Heard()
    engine = TimerEngine(data, TimerSettings(MIN), heard)
    try:
        starting = time.monotonic()
        assert engine.start().memory_only == "read-only"
        ready = time.monotonic()
        status = engine.round_status()
        if time.monotonic() < turn_end[0] + 5 * MIN:  # its last part is still to come
            assert status is not None, "the stored round is running"
        heard.wait_for("turns.finished", 5.0)  # the round's last part, however it began
        time.sleep(2 * MIN)  # and nothing after it
    finally:
        engine.shutdown()
    parts = ["turns.reflect", "turns.switch", "turns.reflect", "turns.finished"]
    dues = [(turn_end[0] + k * MIN, turn_end[1] + k * MIN) for k in (0, 1, 4, 5)]
    kinds = [e.kind for _, e in heard.events]
    skipped = len(parts) - len(kinds)
    assert kinds == parts[skipped:], f"the round's parts in order, from one on: {kinds}"
    surely_overdue = sum(latest < starting for _, latest in dues)
    if skipped:  # the part said first was overdue too: the latest of those overdue
        assert all(earliest <= ready for earliest, _ in dues[: skipped + 1]), (
            f"{skipped} parts skipped, though not all were due when the round was read"
        )
    assert skipped >= surely_overdue - 1, "of the parts overdue at the start, only the latest"
    assert on_time(heard.events[0][0], dues[skipped], ready), "the first part said is on time"


def test_a_round_started_switched_and_ended_from_memory_raises_nothing(small_disk):
    """After a start from memory there is no store to write: every round effect works on."""
    data = small_disk / "data"
    fill(small_disk)
    heard = Heard()
    engine = TimerEngine(data, TimerSettings(MIN), heard)
    try:
        assert engine.start().memory_only == "full"
        engine.apply(StartRound(3, 1))
        engine.apply(ExtendTurn(1))
        engine.apply(SwitchTurn())
        assert engine.round_status() is not None and engine.round_status().part == 1
        engine.apply(EndRound())
        assert engine.round_status() is None
        time.sleep(6 * MIN)
        assert heard.events == [], "an ended round says nothing"
    finally:
        engine.shutdown()


def test_a_start_from_memory_stores_everything_once_the_disk_has_room(
    small_disk, caplog, monkeypatch
):
    monkeypatch.setattr(health, "RETRY_SECONDS", 0.2)
    caplog.set_level(logging.INFO, logger="voice_repair.timers")
    data = small_disk / "data"
    leave_reminder(data, 1)
    fill(small_disk)
    heard = Heard()
    engine = TimerEngine(data, TimerSettings(MIN), heard)
    assert engine.start().memory_only == "full"
    try:
        heard.wait_for("reminder.due", 3)  # the stored one, said from memory
        engine.apply(AddReminder(in_minutes=100))  # memory only
        (small_disk / "filler").unlink()
        deadline = time.monotonic() + 3
        while not warnings_of(caplog, "can be written again") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert warnings_of(caplog, "can be written again"), caplog.text
        engine.apply(AddReminder(in_minutes=200))  # stored as usual, no warning
        assert len(warnings_of(caplog, "memory only")) == 1
    finally:
        engine.shutdown()
    again_heard = Heard()
    again = TimerEngine(data, TimerSettings(MIN, grace_minutes=100), again_heard)
    report = again.start()
    try:
        assert report.memory_only is None and report.dropped == 0
        assert again.pending_reminders() == 2, "both new reminders were stored"
        time.sleep(2 * MIN)
        assert again_heard.events == [], "the reminder said from memory is not said again"
    finally:
        again.shutdown()


def test_a_second_engine_on_a_full_folder_is_still_refused(small_disk):
    first = TimerEngine(small_disk / "data", TimerSettings(MIN), Heard())
    first.start()
    try:
        fill(small_disk)
        with pytest.raises(TimerStoreError, match="already using"):
            TimerEngine(small_disk / "data", TimerSettings(MIN), Heard()).start()
    finally:
        first.shutdown()


KILLED_MID_RUN = """
import os, sys
from voice_repair.errors import TimerStoreError
from voice_repair.models import (
    AddReminder,
    EndRound,
    ExtendTurn,
    StartPause,
    StartRound,
    SwitchTurn,
)
from voice_repair.timers.engine import TimerEngine, TimerSettings
engine = TimerEngine(sys.argv[1], TimerSettings(60), lambda event: None)
engine.start()
engine.apply(AddReminder(in_minutes=5))
engine.apply(StartPause(10))
os._exit(0)  # as a kill leaves it: the last writes only in the write-ahead log
"""


def test_a_store_left_by_a_kill_is_read_whole_from_a_read_only_folder(small_disk):
    data = small_disk / "data"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = [sys.executable, "-c", KILLED_MID_RUN, str(data)]
    subprocess.run(child, check=True, timeout=60, cwd=ROOT, env=env)
    assert (data / "timers.sqlite-wal").stat().st_size > 0
    read_only(small_disk)
    before = store_bytes(data)
    engine = TimerEngine(data, TimerSettings(60), Heard())
    report = engine.start()
    try:
        assert report.memory_only == "read-only"
        assert engine.pending_reminders() == 1
        status = engine.pause_status()
        assert status is not None and status.total_minutes == 10
    finally:
        engine.shutdown()
    assert store_bytes(data) == before


def test_chat_on_a_full_folder_says_so_and_still_keeps_a_pause(small_disk, tmp_path):
    data = small_disk / "data"
    leave_reminder(data, 600)
    fill(small_disk)
    config = write_config(tmp_path, grace_minutes=10)
    chat = Chat.start(data, config, MIN)
    try:
        assert chat.wait_ready(20), chat.log
        chat.send("I need a pause")
        chat.close_input()
        assert chat.wait_exit(20) is not None, chat.dump()
        assert chat.popen.returncode == 0, chat.log
        sources = [line["source"] for _, line in chat.said]
        assert sources[:2] == ["startup", "pause.start"], chat.said
        assert "full" in chat.said[0][1]["text"]
        assert chat.bad_lines() == [], chat.log
        lines = [line for _, line in chat.log if "ERROR" in line or "Traceback" in line]
        assert len(lines) == 1 and "memory only" in lines[0], chat.log
    finally:
        chat.kill()
