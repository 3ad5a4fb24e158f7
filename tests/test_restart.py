"""Restart tests: real processes killed with SIGKILL mid-pause, started again on the same folder.

Two kinds of process: ``tests/timer_child.py`` runs the timer engine alone (it can also die at the
one moment a test cannot time from outside), and ``voice-repair chat --json`` is the whole app.
"""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHILD = Path(__file__).with_name("timer_child.py")


class Proc:
    """A child process whose stdout JSON lines are collected, with their arrival time."""

    def __init__(self, args: list[str]) -> None:
        self.popen = subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[tuple[float, dict]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            if line.startswith("{"):
                self.lines.put((time.time(), json.loads(line)))

    def send(self, text: str) -> float:
        assert self.popen.stdin is not None
        sent = time.time()
        self.popen.stdin.write(text + "\n")
        self.popen.stdin.flush()
        return sent

    def next(self, timeout: float) -> tuple[float, dict]:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            err = self.popen.stderr.read() if self.popen.poll() is not None else "(running)"
            raise AssertionError(f"no output within {timeout} s; stderr: {err}") from None

    def kill(self) -> None:
        self.popen.send_signal(signal.SIGKILL)
        assert self.popen.wait(5) == -signal.SIGKILL

    def close(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(5)
        for stream in (self.popen.stdin, self.popen.stdout, self.popen.stderr):
            if stream:
                stream.close()


@pytest.fixture
def procs():
    started: list[Proc] = []

    def start(*args: str) -> Proc:
        proc = Proc(list(args))
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.close()


def store_jobs(folder: Path) -> int:
    import sqlite3

    with sqlite3.connect(folder / "timers.sqlite") as con:
        return con.execute("SELECT count(*) FROM apscheduler_jobs").fetchone()[0]


def test_engine_killed_mid_pause_keeps_every_event_time(procs, tmp_path):
    minute = 0.5
    first = procs(str(CHILD), str(tmp_path), str(minute), "pause:5")
    _, ready = first.next(timeout=15)
    first.kill()  # long before the nudge at 2.5 minutes
    second = procs(str(CHILD), str(tmp_path), str(minute))
    _, again = second.next(timeout=15)
    assert again["dropped"] == 0
    events = [second.next(timeout=5)[1] for _ in range(4)]
    kinds = [e["kind"] for e in events]
    assert kinds == ["pause.nudge", "pause.warning", "pause.finished", "pause.reminder"]
    start = ready["ready"]  # the pause started just before this
    for event, minutes in zip(events, [2.5, 4, 5, 7], strict=True):
        assert -0.1 < event["due"] - (start + minutes * minute) <= 0.01
        assert 0 <= event["at"] - event["due"] < 0.15, event
        assert not event["late"]


def test_killed_after_speaking_before_the_job_was_removed_nothing_fires_twice(procs, tmp_path):
    first = procs(str(CHILD), str(tmp_path), "0.2", "reminder:1", "--die-before-removal")
    first.next(timeout=15)
    _, spoken = first.next(timeout=5)
    assert spoken["kind"] == "reminder.due"
    assert first.popen.wait(5) == -signal.SIGKILL
    assert store_jobs(tmp_path) == 1, "the spoken job is still stored: the dangerous state"
    second = procs(str(CHILD), str(tmp_path), "0.2")
    _, ready = second.next(timeout=15)
    assert ready["pending"] == 0 and ready["dropped"] == 0
    with pytest.raises(AssertionError, match="no output"):
        second.next(timeout=1.0)
    assert store_jobs(tmp_path) == 0
