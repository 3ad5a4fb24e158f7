"""The two-phase claim (issue 22): a SIGKILL between a timer event's claim and the end of its
words used to lose the event (1 in 272 kills); now the next start says it again, marked.

Real processes killed with SIGKILL (``timer_child.py``): one at the exact moment (inside the
first event's words), then a short seeded run of random kills (``claimkills.py``; the long run
is ``python -m bench claims``). ``VR_CLAIMS_SEED`` replays a failure."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from datetime import datetime

import claimkills
import pytest
from stopping import Chat, write_config

from voice_repair.app import DEFAULT_INTENTS
from voice_repair.content.loader import load_content


def events(lines: list[dict]) -> list[tuple[str, bool, bool]]:
    return [(e["kind"], e["repeat"], e["late"]) for e in lines if "kind" in e]


def test_killed_inside_an_events_words_it_is_said_again_marked_once(tmp_path):
    first = claimkills.Child(tmp_path, "reminder:1", "--die-while-speaking")
    assert first.proc.wait(60) == -signal.SIGKILL
    assert events(first.end(kill=False)) == [], "killed before its words"
    second = claimkills.Child(tmp_path)
    assert second.ready.wait(60)
    deadline = time.time() + 60
    while (second.owed() or not events(second.lines)) and time.time() < deadline:
        time.sleep(0.05)  # its words, said whole
    time.sleep(2 * claimkills.SPEAK)  # anything more (nothing)
    assert events(second.end(kill=False)) == [("reminder.due", True, True)]
    third = claimkills.Child(tmp_path)
    assert third.ready.wait(60)
    assert third.started()["reminders"] == [], "said whole, and kept to be said again"
    time.sleep(2 * claimkills.SPEAK)
    assert events(third.end(kill=False)) == [], "said again, and again"
    with sqlite3.connect(tmp_path / "timers.sqlite") as con:
        assert con.execute("SELECT count(*) FROM apscheduler_jobs").fetchone() == (0,)


@pytest.mark.slow
def test_killed_at_random_moments_no_event_is_lost_and_every_repeat_is_marked(tmp_path):
    seed = int(os.environ.get("VR_CLAIMS_SEED", "22"))
    kills = int(os.environ.get("VR_CLAIMS_KILLS", "12"))
    found = claimkills.run(tmp_path, seed, kills)
    print(f"claims (seed {seed}): {found.summary()}")
    assert found.kills == kills and found.reminders >= kills // 2, found.summary()
    assert found.lost == [], found.summary()  # with every run's lines about the lost one
    assert found.unmarked == [], found.summary()


def test_the_last_run_is_heard_to_its_last_words_however_slow_they_come(tmp_path):
    """The last run is judged from what it owed, not from a silence. Words lasting 5 s stand
    for a loaded machine's pace: the old rule (0.9 s without a new line, 1.6 s after the
    start) closed the run's input inside them, the stop waited its 1.5 s and let them go, and
    the reminder was judged lost (measured: "1 reminder set, 0 said whole, 1 lost")."""
    last = claimkills.Child(tmp_path, "reminder:1", speak_seconds=5.0)
    assert last.ready.wait(60)
    found = claimkills.Claims(slowest_start=last.startup)
    claimkills.hear_the_rest(last, found)
    claimkills.judge([last.end(kill=False)], found)
    assert (found.reminders, found.said, found.lost, found.unheard) == (1, 1, [], 0)
    assert found.last_gap > claimkills.OLD_QUIET, "the old rule would have stopped listening"


CI_DUE = 1796655435.8974998
"""A due time (the engine's float) whose ``datetime`` form, rounded to the microsecond, prints
differently at 3 decimals: ``...897`` and ``...898``. The CI run of 2e0375c (2026-12-07) judged
a reminder due ``...897`` lost with all 12 said whole; this float is one that reads so."""


def _said(due: float, repeat: bool = False) -> list[dict]:
    at = due + 0.01
    return [{"kind": "reminder.due", "due": due, "at": at, "repeat": repeat, "late": repeat},
            {"done": due}]  # fmt: skip


def test_a_reminder_said_whole_is_not_judged_lost_for_its_due_times_rounding() -> None:
    """The child's ready line gave the engine's float, its event line the ``datetime``'s; the
    judge compared them at 3 decimals and called the reminder lost (fails with that key)."""
    event_due = datetime.fromtimestamp(CI_DUE).astimezone().timestamp()
    assert f"{CI_DUE:.3f}" != f"{event_due:.3f}", "the rounding this test is about"
    set_it = [{"ready": CI_DUE - 0.5, "reminders": [CI_DUE], "stored": []}]
    found = claimkills.Claims()
    claimkills.judge([set_it + _said(event_due)], found)
    assert (found.reminders, found.said, found.lost) == (1, 1, [])


def test_a_reminder_never_said_whole_is_still_lost_and_its_story_told() -> None:
    """The judge still finds a real loss: cut by a kill, then reported pending by the last run
    and never said whole there; the story names each run's part."""
    due = CI_DUE
    cut = [{"ready": due - 0.5, "reminders": [due], "stored": []}, _said(due)[0]]
    last = [{"ready": due + 1, "reminders": [], "stored": [due]}]
    found = claimkills.Claims(kills=1)
    claimkills.judge([cut, last], found)
    assert found.lost == [f"reminder due {due:.6f}"]
    assert (found.cut, found.said) == (1, 0)
    story = found.summary().splitlines()
    assert story[1:] == [
        f"reminder due {due:.6f}:",
        f"  run 0: ready at {due - 0.5:.3f}: 0 owed by its store, 1 pending; words started "
        f"at {due + 0.01:.3f}",
        f"  last run: ready at {due + 1:.3f}: 1 owed by its store, 0 pending",
    ], story


@pytest.mark.slow
def test_the_assistant_says_it_may_be_a_repeat_before_the_words(tmp_path):
    """What a couple hears after such a kill: the admission, chimed, then the reminder."""
    first = claimkills.Child(tmp_path / "data", "reminder:1", "--die-while-speaking")
    assert first.proc.wait(60) == -signal.SIGKILL
    first.end(kill=False)
    chat = Chat.start(tmp_path / "data", write_config(tmp_path, grace_minutes=1440), 1.0)
    try:
        assert chat.wait_ready(60), chat.log
        deadline = time.time() + 30
        while not chat.chimed("reminder.due") and time.time() < deadline:
            time.sleep(0.05)
        chat.close_input()
        assert chat.wait_exit(30) is not None
    finally:
        chat.kill()
    lines = [line for _, line in chat.said if line["source"] == "reminder.due"]
    content = load_content(DEFAULT_INTENTS / "en")
    key = "timers.maybe_repeated"
    admissions = {content.line(key, pick) for pick in range(content.variants(key))}
    assert lines[0]["chime"] and lines[0]["text"] in admissions, lines
    assert len(lines) >= 2 and not any(line.get("chime") for line in lines[1:]), lines
    assert [line for _, line in chat.log if "said again" in line], "the log marks it too"
