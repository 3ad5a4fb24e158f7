"""What a couple hears: every request answered sensibly, and timer events at the right moments.

Everything is real here: the hassil matcher and the response data from ``intents/en``, the
handlers, and the APScheduler timer engine on a SQLite file in a temporary folder. Only the clock
is sped up (``minute_seconds``), exactly as ``--minute`` does for a demo.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from ears import sessions
from timing import budget, in_time

from voice_repair.models import Say

MINUTE = 0.1  # real seconds per assistant minute


@pytest.fixture
def talk_at(tmp_path: Path):
    """``start(minute)`` -> (send, heard): a session whose minute lasts ``minute`` real seconds,
    on a folder of its own; ``send(text)`` returns the new lines said."""
    with sessions(tmp_path) as start:
        yield lambda minute: start(minute)[:2]


@pytest.fixture
def talk(request: pytest.FixtureRequest, talk_at):
    """A session at ``MINUTE`` s a minute; yields (send, heard).

    Tests that check spoken lengths use real minutes (``@pytest.mark.real_minutes``), so a busy
    machine cannot turn "fifteen minutes" into "about fourteen".
    """
    return talk_at(60.0 if request.node.get_closest_marker("real_minutes") else MINUTE)


def in_window(talk_at, first: str, then: str, window: float):
    """Say ``first``, then ``then``, both within ``window`` minutes (``timing.in_time``).
    Returns (send, heard, minute, the lines ``then`` got)."""
    return in_time(talk_at, MINUTE, window, lambda send, *_: (send(first), send(then))[1])


def words(says: list[Say]) -> str:
    return " ".join(s.text for s in says)


TABLE = {
    "pause.start": ["I need a pause", "can we take a break", "time out"],
    "pause.status": ["how much time is left", "how long do we have left"],
    "ground": ["help me calm down", "I feel overwhelmed", "guide my breathing"],
    "repair.own": ["help me own my part", "how do I apologize"],
    "repair.listen": ["help me listen", "what can I ask"],
    "repair.validate": ["read me a validation example", "how do I validate"],
    "repair.act": ["give me a repair idea", "how can I make it up"],
    "repair.learn": ["what can we learn from this"],
    "support": ["we need more help", "should we see a therapist"],
    "safety": ["I don't feel safe"],
    "control.help": ["what can you do", "how does this work"],
}


@pytest.mark.parametrize(("intent", "text"), [(i, t) for i, texts in TABLE.items() for t in texts])
def test_every_request_gets_a_spoken_answer_from_its_intent(talk, intent, text):
    send, _ = talk
    said = send(text)
    assert said, f"nothing said for {text!r}"
    assert all(s.source == intent for s in said)
    for s in said:
        assert s.text.strip()
        assert "{" not in s.text and "}" not in s.text, s.text


@pytest.mark.parametrize(
    "text",
    [
        "can you pause the movie",
        "the oven timer is beeping",
        "I put the pasta on for ten minutes",
        "help me carry the groceries",
        "stop by the bakery",
        "did you feed the cat",
    ],
)
def test_everyday_talk_gets_no_answer(talk, text):
    send, heard = talk
    assert send(text) == []
    assert heard.items == []


@pytest.mark.real_minutes
def test_pause_reads_the_length_back_and_a_second_request_does_not_restart_it(talk):
    send, _ = talk
    first = words(send("I need ten minutes"))
    assert "ten minutes" in first
    again = words(send("I need a pause"))
    assert "twenty" not in again  # not a new default pause
    assert re.search(r"ten minutes|nine minutes", again), again
    assert re.search(r"(ten|nine|eight) minutes", words(send("how much time is left")))


def test_default_pause_is_twenty_minutes(talk):
    send, _ = talk
    assert "twenty minutes" in words(send("I need a pause"))


def test_out_of_range_pause_is_refused_and_nothing_runs(talk):
    send, _ = talk
    refusal = send("pause for 300 minutes")
    assert refusal and "300" in words(refusal)
    status = send("how much time is left")
    assert status[0].source == "pause.status"
    # The kind "no pause running" answer, not a time left.
    assert "minute" not in words(status)


@pytest.mark.real_minutes
def test_extend_adds_minutes_and_reads_back_the_total(talk):
    send, _ = talk
    send("pause for ten minutes")
    said = words(send("I need five more minutes"))
    assert "five minutes" in said
    assert "fifteen minutes" in said


@pytest.mark.real_minutes
def test_extend_without_a_number_adds_five(talk):
    send, _ = talk
    send("pause for ten minutes")
    assert "fifteen minutes" in words(send("can we have more time"))


def test_scripts_are_read_one_at_a_time_with_next_and_repeat(talk):
    send, _ = talk
    first = words(send("read me a validation example"))
    second = words(send("next one"))
    assert first != second
    assert words(send("say that again")) == second
    third = words(send("another one"))
    assert third not in (first, second)
    assert " but " not in f" {first} {second} {third} ".lower()


def test_grounding_carries_timed_silences(talk):
    send, _ = talk
    said = words(send("help me calm down"))
    assert re.search(r"\[\d+(\.\d+)?\s*s\]", said), said


def test_next_with_nothing_being_read_suggests_something(talk):
    send, _ = talk
    said = send("next one")
    assert said and said[0].source == "control.next"


def test_safety_gives_emergency_routes_and_starts_nothing(talk):
    send, heard = talk
    said = words(send("I don't feel safe")).lower()
    assert "nine one one" in said
    assert "nine eight eight" in said
    # no pause was started: status gets the kind "no pause" answer with no time in it
    assert "minute" not in words(send("how much time is left"))
    time.sleep(3 * MINUTE)
    assert [s for s in heard.sources() if s.startswith("pause.")] == ["pause.status"]


def test_a_pause_runs_its_course_then_falls_silent(talk):
    send, heard = talk
    t_start = time.monotonic()
    send("pause for five minutes")
    t_end, finished = heard.wait_for("pause.finished", 5 * MINUTE + 10)
    assert finished.chime
    assert abs(t_end - t_start - 5 * MINUTE) < budget(0.25)
    # three repeats, two minutes apart
    waited = t_end + 3 * 2 * MINUTE + budget(0.25) - time.monotonic()
    heard.wait_count("pause.reminder", 3, waited)
    events = [s for s in heard.sources() if s != "pause.start"]
    timer_order = [e for i, e in enumerate(events) if i == 0 or e != events[i - 1]]
    assert timer_order == [
        "pause.nudge",
        "pause.warning",
        "pause.finished",
        "pause.reminder",
    ], events
    assert events.count("pause.reminder") == 3
    n = len(heard.items)
    time.sleep(3 * MINUTE)
    assert len(heard.items) == n, "spoke again after the last repeat"


def test_stop_silences_the_repeating_invitation(talk_at):
    # "Stop" must come between the end and the first repeat, two minutes later (four after the
    # request): a minute lasts MINUTE, or longer when a busy machine made the test's answer to
    # the end come later than three minutes after the request.
    def script(send, heard, minute):
        send("pause for two minutes")
        heard.wait_for("pause.finished", 2 * minute + 10)
        return send("stop")

    _, heard, minute, said = in_time(talk_at, MINUTE, 3, script)
    assert said[0].source == "control.stop"
    time.sleep(8 * minute)
    assert "pause.reminder" not in heard.sources()


def test_ending_early_invites_back_and_cancels_everything(talk_at):
    # "We're ready to talk" within the first minute, before the halfway nudge.
    _, heard, minute, said = in_window(talk_at, "pause for two minutes", "we're ready to talk", 1)
    assert [s.source for s in said] == ["pause.end"] * len(said)
    time.sleep(5 * minute)
    assert not any(
        s.startswith("pause.") and s != "pause.start" and s != "pause.end" for s in heard.sources()
    )


def test_reminder_is_spoken_when_due(talk):
    send, heard = talk
    said = words(send("remind us to talk in an hour"))
    assert "an hour" in said
    asked = time.monotonic()
    send("remind us to come back to this in one minute")
    t, due = heard.wait_for("reminder.due", MINUTE + 10)
    assert due.chime
    assert abs(t - asked - MINUTE) < budget(0.25)


def test_status_and_end_with_no_pause_get_a_kind_answer(talk):
    send, _ = talk
    for text in ("how much time is left", "end the pause", "I need five more minutes"):
        said = send(text)
        assert len(said) == 1 and said[0].text
