"""The everyday talk the audio benches and tests speak is never taken for a request.

``testspeech.TALK`` is what the benches play as a couple's ordinary conversation: if any of it
parses as a request, a speaker in the room would start a pause or answer a chat about the day.
The semantic net, which reaches past the templates, is what could take it (issue 19: "i feel like
going for a walk" once started a pause through it). The ``_everyday`` negatives that keep these
out were written after seeing those misses, so this test guards against a regression; it says
nothing about talk nobody on the team wrote (``bench intents`` measures that).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from testspeech import TALK

from voice_repair.intents.matcher import IntentMatcher

pytestmark = pytest.mark.model
ROOT = Path(__file__).resolve().parents[2] / "intents" / "en"


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher.load(ROOT)


# Still taken for a request by the semantic net (2026-12-06), kept visible rather than hidden:
# each is near a real request ("i feel like going for a walk" is how some people ask for a pause;
# "we're ready to go" is near "we're ready to go on"), and negatives in our own words did not
# move them. Strict: the day one passes, it must leave this list.
KNOWN = {
    "i feel like going for a walk": "pause.start",
    "we're ready to go": "pause.end",
    "turn off the lights when you leave": "timer.other",
}


def _cases() -> list[object]:
    return [
        pytest.param(
            t,
            marks=pytest.mark.xfail(strict=True, reason=f"taken for {KNOWN[t]} (issue 19)"),
        )
        if t in KNOWN
        else t
        for t in TALK
    ]


@pytest.mark.parametrize("text", _cases())
def test_everyday_talk_is_not_a_request(matcher: IntentMatcher, text: str) -> None:
    found = matcher.match(text)
    assert found is None, f"{text!r} was taken for {found.intent}"
