"""An install's timer store keeps working after the code moved into packages.

``data/store-before-packages.sqlite`` was written by the code before the move (commit 95d2093,
``voice_repair.timers:TimerEngine`` with a "minute" of 80 million seconds, so its events come
due decades from now): a 20-minute pause and a reminder in 30 minutes. APScheduler pickled the
job function into every job as ``voice_repair.timerjobs:fire``, a module that no longer exists;
unmigrated, APScheduler would log "Unable to restore job" and delete each one.
"""

from __future__ import annotations

import logging
import pickle
import shutil
import sqlite3
from pathlib import Path

from voice_repair.timers import TimerEngine, TimerSettings
from voice_repair.timers.jobs import FUNC_REF

OLD_STORE = Path(__file__).with_name("data") / "store-before-packages.sqlite"


def _funcs(store: Path) -> list[str]:
    with sqlite3.connect(store) as db:
        return [
            pickle.loads(s)["func"] for (s,) in db.execute("SELECT job_state FROM apscheduler_jobs")
        ]


def test_a_store_written_before_the_packages_keeps_its_pause_and_reminder(tmp_path, caplog):
    store = tmp_path / "timers.sqlite"
    shutil.copy(OLD_STORE, store)
    assert set(_funcs(store)) == {"voice_repair.timerjobs:fire"}  # the old import path

    engine = TimerEngine(tmp_path, TimerSettings(8e7, repeat_count=1), lambda event: None)
    with caplog.at_level(logging.INFO):
        report = engine.start()
    try:
        assert report.dropped == 0 and report.recovered_store is None
        assert engine.pending_reminders() == 1
        status = engine.pause_status()
        assert status is not None and status.total_minutes == 20 and not status.ringing
    finally:
        engine.shutdown()
    assert "Unable to restore" not in caplog.text
    assert _funcs(store) and set(_funcs(store)) == {FUNC_REF}
    assert FUNC_REF == "voice_repair.timers.jobs:fire"
