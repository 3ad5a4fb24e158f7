"""How late timer events fire: median and 95th percentile over many short timers.

    python -m bench.timers [--count N] [--minute SECONDS] [--spacing SECONDS]

Lateness is measured where the app would see it: the wall-clock time at which ``on_event`` is
called, minus the event's due time. Conditions:

- ``running``: reminders at distinct times, scheduled on one running engine;
- ``after restart``: the same, but the engine is shut down after scheduling and a new engine is
  started on the same folder (in-process: a restart's Python start-up is not part of the timer);
- ``pauses``: successive short pauses, each with its nudge, notice, end and repeats (both
  restart-free and the pause's own job shuffling), at ``--minute``.

Aim: under 50 ms. The reference points poll every two seconds, or lose the timer on restart.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from importlib.metadata import version
from pathlib import Path

from voice_repair.models import AddReminder, StartPause, TimerEvent
from voice_repair.timers.engine import TimerEngine, TimerSettings


class Collector:
    def __init__(self, expected: int) -> None:
        self.late: list[float] = []
        self.expected = expected
        self.done = threading.Event()

    def __call__(self, event: TimerEvent) -> None:
        self.late.append(time.time() - event.due.timestamp())
        if len(self.late) >= self.expected:
            self.done.set()


def reminders(folder: Path, count: int, spacing: float, restart: bool) -> list[float]:
    """Lateness of ``count`` reminders ``spacing`` seconds apart, with or without a restart."""
    settings = TimerSettings(minute_seconds=60.0)
    collector = Collector(count)
    engine = TimerEngine(folder, settings, collector)
    engine.start()
    # Leave time to store them all (and to restart) before the first one is due.
    first = datetime.now().astimezone() + timedelta(seconds=1.0 + count * 0.01)
    for i in range(count):
        engine.apply(AddReminder(at=first + timedelta(seconds=i * spacing)))
    if restart:
        engine.shutdown()
        engine = TimerEngine(folder, settings, collector)
        engine.start()
    wait = (first - datetime.now().astimezone()).total_seconds() + count * spacing + 5
    collector.done.wait(wait)
    engine.shutdown()
    return collector.late


def pauses(folder: Path, count: int, minute: float) -> list[float]:
    """Lateness of every event of ``count`` successive 4-minute pauses (2 repeats each)."""
    settings = TimerSettings(minute_seconds=minute, repeat_count=2)
    per_pause = 1 + 1 + 1 + 2  # nudge, notice, end, repeats
    collector = Collector(count * per_pause)
    engine = TimerEngine(folder, settings, collector)
    engine.start()
    for n in range(count):
        engine.apply(StartPause(4))
        target = (n + 1) * per_pause
        deadline = time.time() + 10 * minute + 5
        while len(collector.late) < target and time.time() < deadline:
            time.sleep(minute / 10)
    engine.shutdown()
    return collector.late


def summary(name: str, late: list[float], expected: int) -> str:
    ms = sorted(x * 1000 for x in late)
    if not ms:
        return f"{name:<15} {0:>6}/{expected:<6} {'-':>9} {'-':>9} {'-':>9}"
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return (
        f"{name:<15} {len(ms):>6}/{expected:<6} {statistics.median(ms):>9.1f} {p95:>9.1f} "
        f"{ms[-1]:>9.1f}"
    )


def main(argv: list[str]) -> int:
    first_line = (__doc__ or "").split("\n")[0]
    parser = argparse.ArgumentParser(prog="python -m bench.timers", description=first_line)
    parser.add_argument("--count", type=int, default=200, help="reminders per condition")
    parser.add_argument("--spacing", type=float, default=0.025, help="seconds between reminders")
    parser.add_argument("--minute", type=float, default=0.05, help="seconds per minute (pauses)")
    parser.add_argument("--pauses", type=int, default=20, help="successive pauses")
    args = parser.parse_args(argv)
    print("Timer lateness: on_event time minus due time (engine ticker, SQLite job store)")
    print(
        f"machine: nproc={os.cpu_count()}, {platform.machine()}, "
        f"Python {platform.python_version()}, APScheduler {version('apscheduler')}, "
        f"SQLAlchemy {version('sqlalchemy')}, "
        f"SQLite {sqlite3.sqlite_version}, load avg {os.getloadavg()[0]:.2f}"
    )
    print(
        f"reminders: {args.count} per condition, {args.spacing * 1000:.0f} ms apart; "
        f"pauses: {args.pauses} x 4 minutes at --minute {args.minute}"
    )
    print(f"{'condition':<15} {'fired':>13} {'median ms':>9} {'p95 ms':>9} {'max ms':>9}")
    with tempfile.TemporaryDirectory(prefix="bench-timers-") as tmp:
        base = Path(tmp)
        late = reminders(base / "a", args.count, args.spacing, restart=False)
        print(summary("running", late, args.count), flush=True)
        late = reminders(base / "b", args.count, args.spacing, restart=True)
        print(summary("after restart", late, args.count), flush=True)
        late = pauses(base / "c", args.pauses, args.minute)
        print(summary("pauses", late, args.pauses * 5), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
