"""Tolerant matching: a request with fillers, repeats or harmless words around it is understood;
the same words about something else stay everyday talk (``voice_repair/intents/tolerant.py``).

Most cases live in ``intents/en/tests/`` (run by the data tests); the reminder ones are here so
the reminder data files stay with the engineers changing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from voice_repair.intents.matcher import IntentMatcher
from voice_repair.intents.tolerant import clauses, tidy

ROOT = Path(__file__).resolve().parents[2] / "intents" / "en"


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher.load(ROOT)


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("remind us at nine pm to talk", {"time": "21:00"}),
        ("remind me in an hour to talk about this", {"minutes": 60}),
        ("um okay remind us in twenty minutes", {"minutes": 20}),
        ("okay let's pick this up later remind us in an hour", {"minutes": 60}),
        # The purpose names the talk and its topic.
        ("remind us at 8 pm to come back to the budget thing", {"time": "20:00"}),
        ("make a reminder to revisit the money argument at 19:00", {"time": "19:00"}),
        ("remind us about this argument in half an hour", {"minutes": 30}),
        ("remind us in an hour to finish the conversation about the wedding", {"minutes": 60}),
    ],
)
def test_a_reminder_with_a_purpose_after_it_is_set(matcher, text, slots):
    found = matcher.match(text)
    assert found is not None and (found.intent, found.slots) == ("reminder.set", slots)


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        # A clock time as two numbers, as a transcript writes it, with am/pm or after "at".
        ("remind us at 8 45 pm", "reminder.set", {"time": "20:45"}),
        # What the reminder is for, said before its time, and "carry on" after it.
        (
            "make a reminder to come back to the conversation in half an hour",
            "reminder.set",
            {"minutes": 30},
        ),
        ("remind us at ten pm so we can carry on", "reminder.set", {"time": "22:00"}),
        ("get rid of all the reminders", "reminder.cancel", {}),
    ],
)
def test_reminder_wordings_are_read_by_the_templates(matcher, text, intent, slots):
    """By the templates, not a guess of the semantic net (``explain`` says which)."""
    decided = matcher.explain(text)
    assert decided.net == "templates"
    assert (decided.match.intent, decided.match.slots) == (intent, slots)


def test_two_numbers_before_a_unit_stay_two_numbers():
    from voice_repair.intents.matcher import normalize

    assert normalize("at 2 30 minute turns") == "at 2 30 minute turns"
    assert normalize("remind us at 7 30pm") == "remind us at 7:30 pm"


@pytest.mark.parametrize(
    "text",
    [
        "remind me in an hour to take the bins out",
        "remind me at eight to call the dentist",
        "okay so remind him to buy bread",
    ],
)
def test_a_reminder_about_something_else_is_not_ours(matcher, text):
    assert matcher.match(text) is None


@pytest.mark.parametrize(
    ("said", "tidied"),
    [
        ("time out time out", "time out"),
        ("pause pause pause", "pause"),
        ("can we take like ten minutes", "can we take ten minutes"),
        ("i feel like i can't breathe", "i feel like i can't breathe"),
        ("um okay so let's uh pause", "let's pause"),
        ("love kindly remind us at eight would you", "remind us at eight"),
        ("can you", "can you"),  # a tag alone is what was said
    ],
)
def test_fillers_and_repeats_are_tidied(said, tidied):
    assert tidy(said) == tidied


def test_danger_is_never_found_inside_a_longer_everyday_sentence(matcher):
    # "i'm afraid" is a safety template; inside "i'm afraid so" it must stay nothing.
    assert matcher.match("I'm afraid so") is None


@pytest.mark.parametrize(
    ("said", "parts"),
    [
        (
            "i think we should take turns talking so we stop shouting",
            ["i think we should take turns talking", "we stop shouting"],
        ),
        ("let's go for a walk after lunch", []),  # what follows "after" is what it is about
        ("stop it or no dessert", []),  # clauses of fewer than three words say too little
    ],
)
def test_a_sentence_is_split_into_its_clauses(said, parts):
    assert clauses(said) == parts


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        # "for the two of us" adds nothing: a pause is always for both.
        ("can we have a time out for the two of us", {}),
        # A request named by what it is, with "thing" after it.
        ("can you do the pause thing for twenty minutes", {"minutes": 20}),
        # The pause in other words people use for it.
        ("let's have a cool down", {}),
        ("let's take a cooling off period", {}),
        ("we need a cooldown", {}),
    ],
)
def test_a_pause_in_a_couples_words_is_read_by_the_templates(matcher, text, slots):
    decided = matcher.explain(text)
    assert decided.net == "templates", decided
    assert (decided.match.intent, decided.match.slots) == ("pause.start", slots)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("stop the terms now", "turns.stop"),
        ("please council the reminder", "reminder.cancel"),
        ("read that a gain", "control.repeat"),
        ("okay candy help us", "control.help"),
        ("can you extent the break by five minutes", "pause.extend"),
        ("we should find a marriage the rapist", "support"),
        ("can we take a paws for ten minutes", "pause.start"),
        ("okay end the pose now", "pause.end"),
    ],
)
def test_words_a_recognizer_mishears_are_put_back(matcher, text, intent):
    assert matcher.match(text).intent == intent


@pytest.mark.parametrize(
    "text",
    [
        "in terms of money we're fine",
        "the council emptied the bins",
        "that was a lesson",
        "to some extent the weather was fine",
        "the dog has muddy paws",
        "strike a pose for the photo",
    ],
)
def test_the_same_words_meant_stay_everyday(matcher, text):
    assert matcher.match(text) is None


@pytest.mark.parametrize(
    ("text", "intent", "minutes"),
    [
        ("can we take ten no fifteen minutes", "pause.start", 15),
        ("add twenty sorry thirty minutes to the break", "pause.extend", 30),
        ("remind us in forty i mean fifty minutes", "reminder.set", 50),
    ],
)
def test_a_number_corrected_at_once_is_read_as_corrected(matcher, text, intent, minutes):
    found = matcher.match(text)
    assert (found.intent, found.slots.get("minutes")) == (intent, minutes), found


def test_sorry_said_or_felt_is_kept():
    assert tidy("sorry can you repeat that") == "can you repeat that"
    assert tidy("how do i show her i'm sorry") == "how do i show her i'm sorry"
