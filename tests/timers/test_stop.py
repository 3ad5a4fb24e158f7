"""Stopping ``chat`` at any moment ends it quickly and loses no timer event (issues 14 and 22).

Before (issue 14): a reminder that came due while nobody ran the assistant fired at start-up on an
APScheduler job thread, which asked the scheduler for the pending reminders while the main thread,
at end of input, held the scheduler's job-store lock in ``shutdown(wait=True)``: a hang, or
else ``JobLookupError``/"cannot schedule new futures after shutdown" tracebacks.

Before (issue 22): a ``chat`` whose parent ignored SIGINT (a job started with ``&`` from a
script, a CI runner) inherited that, so SIGINT did nothing and ``chat`` waited for input for ever.

The trials are in ``stoptrials.py`` (``python -m bench stops`` runs hundreds). Seeded:
``VR_STOP_SEED`` replays a failure, ``VR_STOP_TRIALS`` runs more.
"""

from __future__ import annotations

import os
import signal

import pytest
import stoptrials
from stopping import Chat, write_config
from timing import slowness, stretched


@pytest.mark.slow
def test_stopping_at_any_moment_is_quick_and_keeps_or_says_each_reminder(tmp_path):
    seed = int(os.environ.get("VR_STOP_SEED", "14"))
    trials = int(os.environ.get("VR_STOP_TRIALS", "6"))
    limit = stretched(stoptrials.LIMIT, slowness())  # a busy machine exits slower, not never
    found = stoptrials.run(tmp_path, seed, trials, limit)
    print(f"stops (seed {seed}, limit {limit:.2f} s): {found.summary()}")
    assert found.hung == [], found.hung[0]
    assert found.slow == [], found.slow
    assert found.bad == [], found.bad
    assert found.said == found.reminders == trials, f"{trials} set, {found.said} said (seed {seed})"


@pytest.mark.slow
def test_ctrl_c_stops_chat_even_when_its_parent_ignored_ctrl_c(tmp_path):
    """A script that starts ``chat`` with ``&`` (or a CI runner) hands it SIGINT ignored; a
    Ctrl-C or ``kill -INT`` must stop it all the same."""
    chat = Chat.start(tmp_path / "data", write_config(tmp_path, 1), 1.0, ignore_sigint=True)
    try:
        assert chat.wait_ready(stoptrials.STARTUP), chat.log
        chat.popen.send_signal(signal.SIGINT)
        took = chat.wait_exit(stretched(stoptrials.LIMIT, slowness()))
        assert took is not None, f"SIGINT did not stop chat:\n{chat.dump()}"
        assert chat.bad_lines() == []
    finally:
        chat.kill()
