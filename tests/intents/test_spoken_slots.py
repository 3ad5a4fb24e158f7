"""Lengths and clock times as people say them, read for a request the nets decided (issue 19).

The slot reader (``intents/slots.py``) gives a guessed request its length or time from the
words. These sentences were written for this test (in no data file, none from a writer's set):
they say a time the templates' lists do not hold ("ten past nine", the British "half six", "this
afternoon", "tomorrow afternoon") or a length after "by". Each is checked the way a user notices
it: the moment the reminder handler (``skill/when.py``) would set, or the pause's minutes. No
model is needed: the reader is a pure function of the words.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from voice_repair.intents.matcher import IntentMatcher, normalize
from voice_repair.skill.when import resolve

ROOT = Path(__file__).resolve().parents[2] / "intents" / "en"
NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
"""A Monday noon: "this afternoon" and "this evening" are still ahead."""
MORNING_HOUR, EVENING_HOUR = 9, 20


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher.load(ROOT)


def _when(matcher: IntentMatcher, said: str) -> datetime | None:
    slot = matcher._said_slots("reminder.set", normalize(said)).get("time")
    assert slot is not None, f"no time read from {said!r}"
    found = resolve(str(slot), NOON, MORNING_HOUR, EVENING_HOUR)
    assert found is not None, f"the reminder handler cannot read {slot!r} (from {said!r})"
    return found.at


@pytest.mark.parametrize(
    ("said", "day", "hour", "minute"),
    [
        ("could you ping us tomorrow afternoon so we finish this", 1, 15, 0),
        ("hmm remind me this afternoon about the budget thing", 0, 15, 0),
        ("nudge us about it in the afternoon", 0, 15, 0),
        ("set something for twenty past seven this evening", 0, 19, 20),
        ("a reminder for ten past eight tonight please", 0, 20, 10),
        ("we'll pick this up at half seven tomorrow morning", 1, 7, 30),
        ("bring it up again this evening", 0, EVENING_HOUR, 0),
        ("tell us at five past six pm to talk", 0, 18, 5),
    ],
)
def test_a_time_said_as_people_say_it_sets_that_moment(matcher, said, day, hour, minute):
    want = NOON.replace(hour=hour, minute=minute) + timedelta(days=day)
    assert _when(matcher, said) == want


def test_tomorrow_afternoon_is_not_tomorrow_evening(matcher):
    """Before, "tomorrow afternoon" was read as the bare "tomorrow", which is the evening."""
    assert _when(matcher, "remind us tomorrow afternoon when we're calmer").hour == 15


@pytest.mark.parametrize(
    ("said", "day"),
    [
        ("can you nudge us after lunch tomorrow so we don't drop it", 1),
        ("let's leave it and you remind us tomorrow after lunch", 1),
        ("ping us after lunch about the car", 0),
    ],
)
def test_after_lunch_is_early_afternoon_not_the_evening(matcher, said, day):
    """Before, "after lunch tomorrow" was read as the bare "tomorrow": the evening."""
    assert _when(matcher, said) == NOON.replace(hour=14) + timedelta(days=day)


@pytest.mark.parametrize(
    ("said", "minutes"),
    [
        ("please stretch the time out by ten", 10),
        ("can you extend it by fifteen please", 15),
        ("push the pause by twenty more", 20),
        ("make it longer by an hour", 60),  # a unit said: read as before
    ],
)
def test_a_length_after_by_is_minutes(matcher, said, minutes):
    assert matcher._said_slots("pause.extend", normalize(said)) == {"minutes": minutes}


@pytest.mark.parametrize(
    "said",
    [
        "we'll be back by five",  # a clock time, not a length: nothing read, the default
        "half the time you don't listen",  # "half" with no hour after it is no time
    ],
)
def test_no_number_is_made_up(matcher, said):
    assert "minutes" not in matcher._said_slots("pause.extend", normalize(said))
