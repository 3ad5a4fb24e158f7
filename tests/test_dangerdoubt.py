"""The counts ``bench dangerdoubt`` prints (``bench/dangerdoubt.py``), on the real matcher.

What matters for the measure: only a doubted pattern hit is decided at all, a danger sentence
whose alarm the rule takes is counted lost and a hard negative's removed, and the rule's level
is put back afterwards. The sentences were written for this test (the kinds of
``tests/intents/test_danger_doubt.py``); the learned net is the shipped one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.dangerdoubt import changes
from voice_repair.intents import dangerdoubt
from voice_repair.intents.matcher import IntentMatcher

pytestmark = pytest.mark.model
ROOT = Path(__file__).resolve().parents[1] / "intents" / "en"


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher.load(ROOT)


def test_a_doubted_false_alarm_is_counted_removed_and_real_danger_is_not_counted(matcher):
    items = [
        ("hard", "my coworker is going to kill me when she sees the spreadsheet"),
        ("danger", "he punched me after the football match and i'm scared to go home"),
        ("danger", "he has a knife and he is coming for me"),
        ("everyday", "we had pasta for dinner"),
    ]
    kept = dangerdoubt.AGREE
    found = changes(matcher, items, 0.8)
    assert [(what, was) for what, _, was, _, _ in found] == [("false alarm removed", "safety")]
    assert kept == dangerdoubt.AGREE


def test_an_alarm_the_rule_takes_from_a_sentence_labelled_danger_is_counted_lost(matcher):
    """The bench trusts the set's labels: the same doubted hit, labelled danger, is a loss."""
    items = [("danger", "my coworker is going to kill me when she sees the spreadsheet")]
    found = changes(matcher, items, 0.8)
    assert [what for what, *_ in found] == ["danger lost"]
