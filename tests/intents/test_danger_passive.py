"""Danger said in the passive, beside a request, gets the emergency line, not the request.

Out of fold (the learned net trained without each writer), the training writers' "i'm being
beaten right now" and "i'm being attacked" were missed by every pattern, and put after a
request's words ("start a pause i'm being beaten right now") the nets answered the request: a
person being hurt heard a pause start (issue 19, fifteenth session, ``danger15``). The words
were the gap: the patterns knew "he beat me" and "beat me up" but not the passive ("being
beaten", "i've been punched") nor someone breaking in now or a person held and not let go.
``danger.yaml`` now has those families, and the scan runs before every net, so the request's
words can no longer win.

Every sentence here was written for this test; none comes from a development set or the frozen
set. Each harmless sentence holds the same words in an everyday sense and must raise no alarm.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from voice_repair.intents.matcher import IntentMatcher

ROOT = Path(__file__).resolve().parents[2] / "intents" / "en"

# (danger said beside a request, its route)
DANGER = [
    ("start a pause please, i'm being strangled and he won't stop", "violence"),
    ("okay so can we take a break, we're being attacked in the flat", "violence"),
    ("set a timer for ten minutes, my sister is being battered downstairs", "violence"),
    ("pause it, i've just been glassed outside the club", "violence"),
    ("start a round, someone is breaking into the house right now", "general"),
    ("remind us at six, i'm being held in the spare room and i can't leave", "general"),
]
HARMLESS = [
    "start a pause please, i'm being beaten at chess again",
    "can we take a break, we're being attacked by midges out here",
    "my team got beaten again so i'm in a mood",
    "i'm being kicked out of the flat at the end of the month",
]


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher.load(ROOT)


@pytest.mark.model
@pytest.mark.parametrize(("said", "route"), DANGER)
def test_passive_danger_beside_a_request_raises_the_alarm(matcher, said, route):
    found = matcher.match(said)
    assert found is not None and found.intent == "safety", f"{said!r} -> {found}"
    assert found.slots["route"] == route, found


@pytest.mark.model
@pytest.mark.parametrize("said", HARMLESS)
def test_the_same_words_in_everyday_talk_raise_no_alarm(matcher, said):
    found = matcher.match(said)
    assert found is None or found.intent != "safety", f"{said!r} -> {found}"
