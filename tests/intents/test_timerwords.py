"""A home speaker's timer words act on the pause, and only when they mean it.

People say "a 7 minute timer" or "add ten minutes to the timer" to any speaker; here the one timer
is the pause. Someone else's timer ("the kitchen timer") or taking time away must never start,
extend or end a pause, and a length is read from the words or left to the default, never guessed.
Home Assistant's own timer sentences are the bench for this (``python -m bench ha``); these are
our own sentences, so the bench stays a measurement (``test_sets_apart.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from voice_repair.intents.matcher import IntentMatcher, normalize
from voice_repair.intents.timerwords import correct

ROOT = Path(__file__).resolve().parents[2] / "intents" / "en"


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher.load(ROOT)


def _said(matcher: IntentMatcher, text: str) -> tuple[str | None, dict]:
    found = matcher.match(text)
    return (found.intent, found.slots) if found is not None else (None, {})


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("make a 7 minute timer", 7),
        ("set a timer for 2 and a half hours", 150),
        ("pause for 1/2 an hour", 30),
        ("a timer for 1 and a half hours please", 90),
    ],
)
def test_an_unnamed_timer_starts_a_pause_of_the_length_said(matcher, text, minutes):
    assert _said(matcher, text) == ("pause.start", {"minutes": minutes})


@pytest.mark.parametrize(
    "text",
    ["add ten minutes to the twenty minute timer", "add ten minutes to my one hour timer"],
)
def test_the_length_that_names_the_timer_is_not_the_time_added(matcher, text):
    assert _said(matcher, text) == ("pause.extend", {"minutes": 10})


@pytest.mark.parametrize(
    "text",
    [
        "add ten minutes to the garage timer",
        "how long is left on the timer in the garage",
        "cancel the laundry timer",
        "put ten more minutes on the bread timer",
        "timer called homework for twenty minutes",
    ],
)
def test_someone_elses_timer_never_touches_the_pause(matcher, text):
    intent, _ = _said(matcher, text)
    assert intent in (None, "timer.other"), f"{text!r} became {intent}"


@pytest.mark.parametrize(
    "text",
    ["take ten minutes off the timer", "shorten the timer by five minutes", "remove 3 min from it"],
)
def test_taking_time_away_is_never_more_time(matcher, text):
    intent, _ = _said(matcher, text)
    assert intent not in ("pause.extend", "pause.start"), f"{text!r} became {intent}"


@pytest.mark.parametrize(
    "text", ["timer for 30 seconds", "set a timer for 90 seconds", "a 20 second timer"]
)
def test_seconds_are_never_read_as_minutes(matcher, text):
    intent, slots = _said(matcher, text)
    assert intent != "pause.start" or "minutes" not in slots, f"{text!r}: {slots}"


def test_typed_fractions_are_read_as_words():
    assert normalize("set a timer for 1 and a 1/2 hours") == "set a timer for one and a half hours"
    assert normalize("pause for 1/2 an hour") == "pause for half an hour"
    assert normalize("11/2") == "11 2"  # not a half


@pytest.mark.parametrize(
    ("intent", "said", "becomes"),
    [
        ("pause.extend", "add ten minutes to the garage timer", "timer.other"),
        ("pause.status", "how long is left on the timer for the roast", "timer.other"),
        ("pause.end", "stop the timer called homework", "timer.other"),
        ("pause.start", "put a timer on for twenty minutes", "pause.start"),
        ("pause.start", "set a timer for our talk", "pause.start"),
        ("pause.start", "a timer for a while", "pause.start"),
        ("pause.status", "how long on the break timer", "pause.status"),
        ("pause.extend", "make a 5 minute timer", "pause.start"),
        ("pause.extend", "add five more minutes to the timer", "pause.extend"),
        ("pause.extend", "take five minutes off the timer", None),
        ("pause.start", "shorten the break", None),
        ("repair.own", "the kitchen timer", "repair.own"),  # only pause requests are checked
    ],
)
def test_the_nets_timer_decisions_are_corrected_only_where_the_words_say_so(intent, said, becomes):
    assert correct(intent, said) == becomes


@pytest.mark.parametrize(
    "said",
    ["could you add another quarter of an hour onto our break", "extend the cool down please"],
)
def test_adding_time_is_never_a_new_pause(said):
    """The net hears "add ... to the break" near "take a break"; adding is more time."""
    assert correct("pause.start", normalize(said)) == "pause.extend"
    assert correct("pause.start", normalize("we need a proper break")) == "pause.start"


@pytest.mark.parametrize(
    ("said", "becomes"),
    [
        ("could we get an extra twenty", "pause.extend"),
        ("let us have another half an hour", "pause.extend"),
        ("fifteen more minutes would help", "pause.extend"),
        ("can we have another break", "pause.start"),
        ("one more break and then we talk", "pause.start"),
    ],
)
def test_more_of_a_length_is_more_time_and_another_break_a_pause(said, becomes):
    assert correct("pause.start", normalize(said)) == becomes


def test_another_quarter_of_an_hour_is_fifteen_more_minutes(matcher):
    """It once read as a new pause of an hour (the "an hour" inside it)."""
    found = matcher.match("could you give us another quarter of an hour")
    assert (found.intent, found.slots) == ("pause.extend", {"minutes": 15})
