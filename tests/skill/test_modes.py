"""The conversation's modes as a couple meets them (issue 20): danger stops every invitation,
nothing breaks after a round, a round asked for during a pause says it ends the pause, a
reminder can be taken back, and the pause's smaller promises are kept.

Real matcher, response data, session and timer engine (SQLite in a temporary folder); only the
minute is sped up, as ``--minute`` does.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest
from ears import sessions
from timing import budget, in_time

from voice_repair.content.loader import load_content
from voice_repair.models import IntentMatch, Mode, Say, TimerEvent
from voice_repair.skill.spoken import remaining

ROOT = Path(__file__).resolve().parents[2]
INVITES = {"pause.finished", "pause.reminder", "pause.nudge", "pause.warning", "reminder.due"}
"""Timer events that call the couple back to (or remind them of) the talk."""


@pytest.fixture
def talk(tmp_path: Path):
    """``start(minute)`` -> (send, heard, session); ``send(text)`` returns the lines said."""
    with sessions(tmp_path) as start:
        yield start


def text(says: list[Say]) -> str:
    return " ".join(s.text for s in says)


# ---- item 1: danger is a mode change -------------------------------------------------------


def test_danger_during_a_pause_ends_it_and_holds_the_reminder(talk):
    minute = 0.05
    send, heard, session = talk(minute)
    send("remind us in ten minutes")
    send("I need two minutes")
    said = send("I want to die")
    # (A nudge may come just before it on a loaded machine: the pause's first minute is short.)
    assert [s.source for s in said][-2:] == ["safety", "safety"]
    assert "on hold" in said[-1].text and "keep the reminder" in said[-1].text
    assert session.mode is Mode.AFTER_DANGER
    before = len(heard.items)
    time.sleep(16 * minute)  # past the pause, every repeat, and the reminder's time
    assert heard.sources()[before:] == [], "nothing invites them back after danger"


def test_keep_the_reminder_undoes_the_hold(talk):
    minute = 0.05
    send, heard, _ = talk(minute)
    send("remind us in twenty minutes")
    send("he hit me again")
    said = send("keep the reminder")
    assert "back on" in text(said)
    deadline = time.monotonic() + 40 * minute
    while "reminder.due" not in heard.sources() and time.monotonic() < deadline:
        time.sleep(minute / 4)
    assert heard.sources().count("reminder.due") == 1


def test_an_invitation_already_on_its_way_is_not_said_after_danger(talk):
    """A pause-end event claimed by the timers just before the safety reply (it waited for the
    session while the reply was given) is not spoken after it."""
    send, heard, session = talk(1.0)
    send("I need a pause")
    send("I don't feel safe")
    before = len(heard.items)
    for kind in ("pause.finished", "pause.reminder", "reminder.due", "turns.finished"):
        session.on_timer_event(TimerEvent(kind, datetime.now().astimezone(), number=1))
    assert heard.says(before) == []


def test_a_new_pause_after_danger_is_asked_for_and_comes_back(talk):
    minute = 0.05
    send, heard, session = talk(minute)
    send("I don't feel safe")
    send("I need one minute")
    assert session.mode is Mode.PAUSING
    deadline = time.monotonic() + 10 * minute
    while "pause.finished" not in heard.sources() and time.monotonic() < deadline:
        time.sleep(minute / 4)
    assert "pause.finished" in heard.sources()


# ---- item 2: nothing breaks after a round --------------------------------------------------


@pytest.mark.parametrize("words", ["switch", "your turn", "it's my turn"])
def test_switch_after_a_round_finished_says_it_is_over(talk, words):
    minute = 0.02
    send, heard, session = talk(minute)
    send("let's take one minute turns")
    deadline = time.monotonic() + 60 * minute
    while "turns.finished" not in heard.sources() and time.monotonic() < deadline:
        time.sleep(minute)
    assert session.mode is Mode.AFTER_ROUND
    said = send(words)
    assert "round is over" in text(said) and "another round" in text(said)
    assert send("we're done") == []  # the question was answered: everyday words again


def test_another_round_after_a_round(talk):
    send, heard, _ = talk(0.02)
    send("let's take one minute turns")
    deadline = time.monotonic() + 2 * 0.02 + budget(1.0)  # two minutes, then the closing
    while "turns.finished" not in heard.sources() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert send("another round")[0].source == "turns.again"


@pytest.mark.parametrize(
    ("words", "source"),
    [
        ("once more please", "turns.again"),  # the bare words: the thing just done, again
        ("um the same again", "turns.again"),
        ("ok let's do it one more time", "turns.again"),
        ("can we do one more", "turns.again"),  # "one more" after the question "another?"
        ("another one please", "turns.again"),
        ("could you say that again", "control.repeat"),  # the closing question, read again
    ],
)
def test_again_right_after_a_round_is_another_round(talk, words, source):
    send, heard, _ = talk(0.02)
    send("let's take one minute turns")
    deadline = time.monotonic() + 2 * 0.02 + budget(1.0)
    while "turns.finished" not in heard.sources() and time.monotonic() < deadline:
        time.sleep(0.02)
    said = send(words)
    assert said and said[0].source == source
    if source == "control.repeat":
        assert "another round" in text(said)  # the question it asked, not a new round


def test_again_while_reading_still_reads_the_item_again(talk):
    send, _, _ = talk(1.0)
    first = send("give me a validation example")
    assert [s.text for s in send("once more")] == [s.text for s in first]


# ---- item 3: a round asked for during a pause says it ends the pause -----------------------


def test_taking_turns_during_a_pause_says_the_pause_ends(talk):
    send, _, session = talk(1.0)
    send("I need a pause")
    said = send("let's take turns")
    assert "ends your pause" in said[0].text
    assert session.mode is Mode.IN_ROUND
    assert "no pause" in text(send("we're ready to talk")).lower()  # as they were told
    assert send("how much time is left")[0].source == "pause.status"  # the turn's time


# ---- item 4: a reminder can be taken back -----------------------------------------------------


def test_stop_said_over_its_speech_is_only_okay_even_with_a_reminder_set(talk):
    """Cutting its own speech, "stop" means only "be quiet": one short word, not the reminder."""
    from voice_repair.models import Heard

    send, heard, session = talk(0.05)
    send("remind us in two hours")
    before = len(heard.items)
    session.hear(Heard(IntentMatch("control.stop", {}, "stop"), while_speaking=True))
    said = heard.says(before)
    assert len(said) == 1 and "reminder" not in text(said), text(said)


def test_cancel_and_list_reminders(talk):
    def script(send, heard, minute):
        empty = text(send("what reminders do we have"))
        send("remind us in ten minutes")
        send("remind us in two hours")
        listed = text(send("what reminders do we have"))
        return empty, listed, text(send("cancel the reminders"))

    # All said within the ten minutes (of 50 ms) before the first would come due; on a busy
    # machine that took longer, again with a longer minute (``in_time``).
    send, heard, minute, (empty, listed, cancelled) = in_time(
        lambda m: talk(m)[:2], 0.05, 8, script
    )
    assert "no reminder" in empty.lower()
    assert "two reminders" in listed
    assert "cancelled all two of your reminders" in cancelled
    assert "no reminder" in text(send("what reminders do we have")).lower()
    time.sleep(12 * minute)
    assert "reminder.due" not in heard.sources()


def test_ready_to_talk_cancels_the_reminder_and_stop_keeps_it(talk):
    minute = 0.05
    send, heard, _ = talk(minute)
    send("remind us in ten minutes")
    said = send("stop")
    assert "still set" in text(said) and "cancel the reminder" in text(said)
    said = send("we're ready to talk")
    assert "cancelled your reminder" in text(said)
    time.sleep(12 * minute)
    assert "reminder.due" not in heard.sources()


# ---- item 7: the pause's smaller promises ---------------------------------------------------


def test_the_longest_pause_offers_no_more_time_and_says_why_it_cannot_add(talk):
    send, _, _ = talk(60.0)
    said = text(send("I need three hours"))
    assert "three hours" in said and "more minutes" not in said
    said = text(send("I need five more minutes"))
    assert "already as long as I can make it" in said and "1 minutes" not in said


def test_a_minute_is_a_short_pause_not_twenty_minutes(talk):
    send, _, _ = talk(60.0)
    said = text(send("I need a minute"))
    assert "five minutes" in said and "twenty" not in said


def test_time_left_rounds_halves_the_same_way_up():
    content = load_content(ROOT / "intents" / "en")
    assert "three" in remaining(content, 2.5)
    assert "four" in remaining(content, 3.5)


def test_a_safety_match_is_the_same_in_every_mode(talk):
    """The table's danger row: whatever runs, safety answers and ends it."""
    send, _, session = talk(1.0)
    for setup in ("I need a pause", "let's take turns", "read me a validation example", ""):
        if setup:
            send(setup)
        reply = session.handle(IntentMatch("safety", {"route": "general"}))
        assert reply is not None and reply.says[0].source == "safety"
        assert session.mode is Mode.AFTER_DANGER
