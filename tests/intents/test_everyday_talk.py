"""The everyday talk the audio benches and tests speak is never answered when nothing runs.

``testspeech.TALK`` is what the benches play as a couple's ordinary conversation: if any of it
were answered, a speaker in the room would start a pause or answer a chat about the day. The
semantic net, which reaches past the templates, is what could take it (issue 19: "i feel like
going for a walk" once started a pause through it). What keeps it out: the ``_everyday``
negatives, the words a guess of a pause or of someone else's timer must hold
(``intents/anchors.py``), and the session answering a guess only in a mode where it makes sense
(``skill.dispatch.GUESSED``: "we're ready to go" ends no pause that is not running). Each was
written after seeing these sentences, so this test guards against a regression; it says nothing
about talk nobody on the team wrote (``bench intents`` measures that).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from testspeech import TALK

from voice_repair.intents.anchors import anchored
from voice_repair.intents.matcher import IntentMatcher
from voice_repair.models import Mode
from voice_repair.skill import answers

pytestmark = pytest.mark.model
ROOT = Path(__file__).resolve().parents[2] / "intents" / "en"


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher.load(ROOT)


def _answered(matcher: IntentMatcher, text: str) -> str | None:
    """The intent the session would answer ``text`` with when nothing runs (idle), or None."""
    found = matcher.match(text)
    return found.intent if found is not None and answers(found, Mode.IDLE) else None


@pytest.mark.parametrize("text", TALK)
def test_everyday_talk_is_not_answered(matcher: IntentMatcher, text: str) -> None:
    answered = _answered(matcher, text)
    assert answered is None, f"{text!r} was answered as {answered}"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("i feel like going for a walk", "a guessed pause needs a word of one"),
        ("turn off the lights when you leave", "a guessed timer.other needs a timer or a length"),
    ],
)
def test_the_net_no_longer_takes_them_at_all(matcher: IntentMatcher, text: str, why: str) -> None:
    """Until 2026-12-06 these were strict expected failures, each taken for a request by the
    semantic net; now no mode would answer them."""
    found = matcher.match(text)
    assert found is None, f"{text!r} was taken for {found.intent} ({why})"


@pytest.mark.parametrize(
    ("intent", "said", "stands"),
    [
        ("pause.start", "i feel like going for a walk", False),
        ("pause.start", "we should go for a drive", False),
        ("pause.start", "we should go for a drive to cool off", True),
        ("pause.start", "give me fifteen", True),
        ("pause.start", "let's have 20", True),
        ("timer.other", "turn off the lights when you leave", False),
        ("timer.other", "turn off the lights at 10:30", True),
        ("timer.other", "set a stopwatch for the bread", True),
        ("reminder.set", "tomorrow morning we leave at eight thirty", False),
        ("reminder.set", "bring it up again with us at nine", True),
        ("repair.act", "what could i do for her", True),
    ],
)
def test_a_guess_of_a_pause_or_a_timer_needs_a_word_of_one(intent, said, stands) -> None:
    assert anchored(intent, said) is stands


@pytest.mark.parametrize(
    ("intent", "said", "stands"),
    [
        # a timer as the subject of a statement tells how it stands, it asks nothing
        ("timer.other", "the slow cooker timer is set for eight", False),
        ("timer.other", "the oven alarm went off twice while you were out", False),
        ("pause.status", "that countdown never works on the old microwave", False),
        ("timer.other", "once the alarm goes off take the cake out", False),  # a condition
        # asked, or no timer told of: the guess stands
        ("timer.other", "is the egg timer set for ten minutes can you check", True),
        ("timer.other", "set an alarm for seven thirty", True),
        ("pause.start", "the kids are loud give us ten minutes", True),
    ],
)
def test_a_timer_told_of_is_not_asked_for(intent, said, stands) -> None:
    assert anchored(intent, said) is stands


@pytest.mark.parametrize(
    ("said", "stands"),
    [
        ("what does this remote do", False),  # a question about a thing in the room
        ("what is that button for", False),
        ("what are you even for", True),  # about the speaker: the menu
        ("what are my options here", True),
        ("how does this thing work", True),
    ],
)
def test_a_guessed_menu_is_asked_of_the_speaker(said, stands) -> None:
    assert anchored("control.help", said) is stands


@pytest.mark.parametrize(
    ("intent", "said", "stands"),
    [
        ("control.stop", "stop that right now you two", False),
        ("control.next", "next one kids come on", False),
        ("control.stop", "stop stop please", True),
    ],
)
def test_a_command_said_to_people_is_theirs(intent, said, stands) -> None:
    assert anchored(intent, said) is stands


@pytest.mark.parametrize(
    ("text", "intent"),
    [("set a stopwatch for the bread thirty minutes", "timer.other")],
)
def test_a_guess_with_its_word_still_stands(matcher: IntentMatcher, text: str, intent: str):
    found = matcher.explain(text)
    assert found.net == "semantic" and found.match is not None and found.match.intent == intent


@pytest.mark.parametrize(
    "text",
    [
        # waiting on someone: a length beside what they are finishing (anchors._WAITED_FOR)
        "ten more minutes in bed please",
        "five more minutes and then it's dinner",
        "give me five minutes i'll be ready then",
        # told of the past, not asked (anchors._PAST)
        "i needed a breather yesterday",
        "we needed some space yesterday",
        "i wasn't ready to talk",
    ],
)
def test_talk_near_a_pause_that_asks_for_none_is_nothing(matcher, text):
    assert matcher.match(text) is None


def test_a_request_that_looks_back_still_asks(matcher):
    assert matcher.match("help me own what i said earlier").intent == "repair.own"
