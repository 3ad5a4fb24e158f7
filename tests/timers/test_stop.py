"""Stopping ``chat`` at any moment exits within two seconds and loses no timer event (issue 14).

Before: a reminder that came due while nobody ran the assistant fired at start-up on an
APScheduler job thread, which asked the scheduler for the pending reminders while the main thread,
at end of input, held the scheduler's job-store lock in ``shutdown(wait=True)``: a hang, or
else ``JobLookupError``/"cannot schedule new futures after shutdown" tracebacks.

Each trial leaves one reminder due about when the next ``chat`` starts, then stops that ``chat``
(end of input, SIGINT or SIGTERM) at a random moment around start-up and the first firing. Every
stop must finish within ``LIMIT`` seconds with no traceback, and over all trials and a final run
every reminder must be said exactly once. Seeded: ``VR_STOP_SEED`` replays a failure,
``VR_STOP_TRIALS`` runs more.
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest
from stopping import Chat, write_config

from voice_repair.models import AddReminder, TimerEvent
from voice_repair.timers.engine import TimerEngine, TimerSettings

LIMIT = 2.0
"""Seconds a stop may take, from the signal (or end of input) to the process's exit."""
STARTUP = 20.0
"""Seconds a start-up may take on a loaded machine (a stop before it waits for it)."""


def leave_reminder(data: Path) -> int:
    """A reminder due in one second, set by an engine that then stops: nobody runs at its time.

    That engine is a real one: a reminder an earlier ``chat`` kept at its stop may come due
    in its brief run and be said by it. Returns how many it said."""
    heard: list[TimerEvent] = []
    engine = TimerEngine(data, TimerSettings(1.0), heard.append)
    engine.start()
    engine.apply(AddReminder(in_minutes=1))
    engine.shutdown()
    return sum(1 for event in heard if event.kind == "reminder.due")


def stop(chat: Chat, how: str) -> None:
    if how == "eof":
        chat.close_input()
    else:
        chat.popen.send_signal(signal.SIGINT if how == "sigint" else signal.SIGTERM)


@pytest.mark.slow
def test_stopping_at_any_moment_is_quick_and_keeps_or_says_each_reminder(tmp_path):
    seed = int(os.environ.get("VR_STOP_SEED", "14"))
    trials = int(os.environ.get("VR_STOP_TRIALS", "6"))
    rng = random.Random(seed)
    data, config = tmp_path / "data", write_config(tmp_path, grace_minutes=1440)
    said, stops = 0, []
    for trial in range(trials):
        said += leave_reminder(data)
        time.sleep(rng.uniform(0.0, 1.5))  # due before, during or just after the next start-up
        how = rng.choice(["eof-at-start", "eof", "sigint", "sigterm"])
        chat = Chat.start(data, config, 1.0, stdin_eof=how == "eof-at-start")
        try:
            if how == "eof-at-start":
                stopped = chat.started
            else:
                assert chat.wait_ready(STARTUP), chat.log
                time.sleep(rng.uniform(0.0, 0.5))  # around the late reminder's firing
                stopped = time.time()
                stop(chat, how)
            took = chat.wait_exit(STARTUP + LIMIT)
            assert took is not None, f"trial {trial} ({how}, seed {seed}) hung:\n{chat.dump()}"
            end = stopped + took if how != "eof-at-start" else time.time()
            after = end - max(stopped, chat.ready_at or stopped)
            stops.append((how, round(after, 2)))
            assert after <= LIMIT, (trial, how, seed, after, chat.log)
            assert chat.bad_lines() == [], (trial, how, seed, chat.log)
            said += len(chat.chimed("reminder.due"))
            if os.environ.get("VR_STOP_DEBUG"):
                fired = [line for _, line in chat.log if "Timer event" in line or "pending" in line]
                print(trial, how, chat.popen.returncode, len(chat.chimed("reminder.due")), fired)
            assert said <= trial + 1, f"a reminder was said twice (seed {seed})"
        finally:
            chat.kill()
    last = Chat.start(data, config, 1.0)
    try:
        assert last.wait_ready(STARTUP), last.log
        time.sleep(1.0)
        last.close_input()
        assert last.wait_exit(LIMIT) is not None
        said += len(last.chimed("reminder.due"))
        assert not any(line["source"] == "startup" for _, line in last.said), "one was dropped"
    finally:
        last.kill()
    print(f"stops (how, seconds from stop or ready to exit): {stops}")
    assert said == trials, f"{trials} reminders set, {said} said (seed {seed})"
