"""A guessed request in a sentence the learned net reads as near danger raises the alarm.

Until the twelfth session such a sentence got silence (``learned.NEAR_DANGER``): "set a
reminder for nine, i won't be alive at nine" set nothing and said nothing, although the person
had just told of danger. Over the nine training writers and the held-out writer ``dev15``, every
sentence that came to that silence was a danger sentence (README, ``danger12``), so now the
danger wins there, with the learned net's route (``DangerGuard.near_alarm``), unless a frame (a
story, long ago) cancels it.

Every sentence here was written for this test; none comes from a development set or the frozen
set. Each danger sentence is one the patterns miss (checked, so the test keeps its meaning if a
pattern is added) and that comes through the near-danger path (checked by the deciding net);
each is paired with the same request beside harmless talk, which must stay that request.
These read the shipped learned net (``intents/en/learned.npz``): new weights may move a
sentence off this path, and then the check of the deciding net says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from voice_repair.intents.matcher import IntentMatcher

ROOT = Path(__file__).resolve().parents[2] / "intents" / "en"

# (danger said beside a request, the path it comes by, its route, the request beside harmless
# talk, that request's intent)
CASES = [
    # "i won't be alive at nine" is a pattern's since the fifteenth session (not alive at the
    # hour a reminder names), so this case says it the way the patterns do not.
    ("set a reminder for nine, i don't plan on being around by then", "semantic-near-danger",
     "self_harm",
     "set a reminder for nine, i won't be home at nine", "reminder.set"),
    ("can we get a few more minutes, he's standing in the doorway holding the kitchen knife",
     "clauses-near-danger", "violence",
     "can we get a few more minutes, he's standing in the doorway holding the shopping",
     "pause.extend"),
]  # fmt: skip


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher.load(ROOT)


@pytest.mark.model
@pytest.mark.parametrize(("danger", "path", "route", "harmless", "intent"), CASES)
def test_near_danger_beside_a_request_raises_the_alarm(
    matcher, danger, path, route, harmless, intent
):
    assert matcher.danger(danger) is None, "a pattern catches this now: write a harder sentence"
    decided = matcher.explain(danger)
    assert decided.net == path, f"{danger!r} came by {decided.net}: the weights moved it"
    assert decided.match is not None and decided.match.intent == "safety", decided
    assert decided.match.slots["route"] == route


@pytest.mark.model
@pytest.mark.parametrize(("danger", "path", "route", "harmless", "intent"), CASES)
def test_the_same_request_beside_harmless_talk_is_still_answered(
    matcher, danger, path, route, harmless, intent
):
    found = matcher.match(harmless)
    assert found is not None and found.intent == intent, found


@pytest.mark.model
def test_a_frame_still_cancels_the_near_danger(matcher):
    # Told as long over, near danger is no alarm (danger.yaml's frames): silence, as before.
    decided = matcher.explain(
        "remind us at ten, back when i was a teenager i thought i won't be alive at twenty"
    )
    assert decided.net == "semantic-near-danger", decided
    assert decided.match is None, decided
