"""A process that runs only the timer engine, for the restart tests to kill with SIGKILL.

    python tests/timers/timer_child.py DIR MINUTE_SECONDS [pause:N | reminder:N]
                                      [--die-before-removal]

Prints one JSON line when started (``{"ready": ..., "dropped": ..., "pending": ...}``) and one per
timer event (``{"kind": ..., "number": ..., "due": ..., "at": ..., "late": ...}``), then runs
until killed or until its standard input closes.

``--die-before-removal`` injects the one fault a test cannot time from outside: the process is
SIGKILLed after an event was spoken but before APScheduler removes the fired job from its store
(it does so only after handing the job to its executor). Not a mock: the engine, APScheduler and
SQLite are real; only the moment of death is chosen.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

from voice_repair.models import AddReminder, StartPause, TimerEvent
from voice_repair.timers.engine import TimerEngine, TimerSettings

spoken = threading.Event()
out_lock = threading.Lock()


def emit(data: dict) -> None:
    with out_lock:
        print(json.dumps(data), flush=True)


def on_event(event: TimerEvent) -> None:
    emit(
        {
            "kind": event.kind,
            "number": event.number,
            "due": event.due.timestamp(),
            "at": time.time(),
            "late": event.late,
        }
    )
    spoken.set()


def die_before_removal() -> None:
    real_remove = SQLAlchemyJobStore.remove_job

    def remove_job(self: SQLAlchemyJobStore, job_id: str) -> None:
        if spoken.wait(5):
            os.kill(os.getpid(), signal.SIGKILL)
        real_remove(self, job_id)

    SQLAlchemyJobStore.remove_job = remove_job  # type: ignore[method-assign]


def main(argv: list[str]) -> None:
    folder, minute = Path(argv[0]), float(argv[1])
    command = next((a for a in argv[2:] if not a.startswith("--")), "")
    if "--die-before-removal" in argv:
        die_before_removal()
    engine = TimerEngine(folder, TimerSettings(minute, repeat_count=1), on_event)
    report = engine.start()
    if command.startswith("pause:"):
        engine.apply(StartPause(int(command.split(":")[1])))
    elif command.startswith("reminder:"):
        engine.apply(AddReminder(in_minutes=int(command.split(":")[1])))
    emit({"ready": time.time(), "dropped": report.dropped, "pending": engine.pending_reminders()})
    sys.stdin.read()
    engine.shutdown()


if __name__ == "__main__":
    main(sys.argv[1:])
