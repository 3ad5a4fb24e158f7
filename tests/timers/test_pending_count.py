"""The engine's "Timer engine running: N event(s) pending" counts what the store owed at start.

The chaos and stop trials' last run waits until its engine has fired or skipped that many
events (``stopping.Chat.pending_at_start``); counted after the ticker had started, a late event
fired in that instant was already gone from memory, the count came out one short, and the run
could be stopped before its last event. Real engine, real SQLite store; only the order of the
two threads is forced (the ticker's start waits until it has handed over the late event), the
order a loaded machine can give them.
"""

from __future__ import annotations

import logging
import threading
import time

from voice_repair.models import AddReminder, TimerEvent
from voice_repair.timers import engine as engine_module
from voice_repair.timers.engine import TimerEngine, TimerSettings

MIN = 0.05
"""Real seconds per assistant minute."""


def test_the_pending_count_includes_a_late_event_fired_as_the_engine_starts(
    tmp_path, caplog, monkeypatch
):
    first = TimerEngine(tmp_path, TimerSettings(MIN), lambda event: None)
    first.start()
    first.apply(AddReminder(in_minutes=1))
    first.shutdown()
    time.sleep(3 * MIN)  # due while nothing ran: late at the next start

    handed: list[TimerEvent] = []
    fired = threading.Event()

    def on_event(event: TimerEvent) -> None:
        handed.append(event)
        fired.set()

    real_start = engine_module.Ticker.start

    def start_then_fire(ticker: engine_module.Ticker) -> None:
        real_start(ticker)
        assert fired.wait(30), "the late reminder was not fired"

    monkeypatch.setattr(engine_module.Ticker, "start", start_then_fire)
    second = TimerEngine(tmp_path, TimerSettings(MIN), on_event)
    with caplog.at_level(logging.INFO, logger="voice_repair.timers.engine"):
        second.start()
    second.shutdown()
    assert [e.kind for e in handed] == ["reminder.due"]
    running = [r.getMessage() for r in caplog.records if "Timer engine running" in r.getMessage()]
    assert running == ["Timer engine running: 1 event(s) pending"]
