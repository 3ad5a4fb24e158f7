"""A kitchen timer or a delayed command: one line of what this speaker does instead, nothing
started, and a running pause goes on untouched. Real session, data and handlers."""

from __future__ import annotations

from pathlib import Path

import pytest
from saying import answering


@pytest.fixture
def say(tmp_path: Path):
    """``say(text)`` -> what the assistant answered, as one string ("" for nothing)."""
    with answering(tmp_path) as send:
        yield send


@pytest.mark.parametrize(
    "text", ["set a pizza timer for ten minutes", "laundry timer", "turn off the lights in an hour"]
)
def test_a_named_timer_gets_one_line_and_starts_no_pause(say, text):
    reply = say(text)
    assert "pauses" in reply and "minutes" not in reply
    assert "No pause is running" in say("how much time is left")


def test_an_unnamed_timer_starts_a_pause_of_that_length(say):
    assert "ten minutes" in say("ten minute timer")
    assert "pause" in say("how long is left on my timer")


def test_a_named_timer_leaves_a_running_pause_alone(say):
    assert "twenty minutes" in say("timer for twenty minutes")
    assert "pauses" in say("set an egg timer for five minutes")
    assert "minutes" in say("timer status")


def test_more_time_for_someone_elses_timer_does_not_lengthen_the_pause(say):
    assert "twenty minutes" in say("timer for twenty minutes")
    assert "pauses" in say("add ten minutes to the garage timer")
    assert "thirty" not in say("how much time is left")


def test_taking_time_off_the_timer_never_adds_time(say):
    assert "twenty minutes" in say("set a timer for twenty minutes")
    reply = say("take ten minutes off the timer")
    assert "more" not in reply and "thirty" not in reply
    assert "thirty" not in say("how much time is left")
