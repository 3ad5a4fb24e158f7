"""Talk between the partners that borrows a request's words gets no request (issue 19).

Each sentence below was taken for a request before the rule named beside it; all are our own
words. The requests they borrow from are still understood (the second test), so each rule only
takes back what is said to someone else or about something else:

- a command to the speaker said with words about something else ("be quiet in the car please
  kids"): ``semantic.COMMANDS``;
- a question about what was done ("did you set the timer for the eggs", "did the timer go off
  yet"): ``tolerant._asks_what_was_done``, ``anchors._asks_what_was_done``;
- the bare "one more time" inside a longer sentence: ``find_inside``'s ``alone``;
- someone busy for a moment ("give me a second i'm thinking"): ``tolerant.HARMLESS`` holds no
  "thinking", and ``anchors._WAITED_FOR`` says a guessed pause there is waiting;
- asking about one's own words ("what did i just say"): ``anchors._OWN_WORDS``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from voice_repair.intents.matcher import IntentMatcher

pytestmark = pytest.mark.model
ROOT = Path(__file__).resolve().parents[2] / "intents" / "en"


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher.load(ROOT)


@pytest.mark.parametrize(
    "text",
    [
        "stop talking in the cinema",
        "be quiet in the car please kids",
        "let's do it again next christmas",
        "did you set the timer for the eggs",
        "have you set the timer for the roast",
        "have you started the timer for the rice",
        "did the timer go off yet",
        "one more time with a bit more feeling",
        "give me a second i'm thinking",
        "give me ten minutes i'm still thinking",
        "what did i just say",
    ],
)
def test_talk_to_each_other_is_no_request(matcher: IntentMatcher, text: str) -> None:
    found = matcher.explain(text)
    assert found.match is None, f"{text!r} was taken for {found.match.intent} ({found.net})"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("stop talking", "control.stop"),
        ("be quiet", "control.stop"),
        ("nah different one", "control.next"),
        ("one more time", "control.repeat"),
        ("sorry what did you just say", "control.repeat"),
        ("did we set a reminder", "reminder.list"),
        ("give me a minute", "pause.start"),
        ("how long is left on the timer", "pause.status"),
    ],
)
def test_the_requests_they_borrow_from_are_still_understood(
    matcher: IntentMatcher, text: str, intent: str
) -> None:
    found = matcher.match(text)
    assert found is not None and found.intent == intent, f"{text!r}: {found}"
