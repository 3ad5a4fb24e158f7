"""The learned net's danger side (issue 19, eighth session): its threshold is chosen on the net
alone, and at that threshold it adds danger the patterns and the semantic net miss, while a
story or a film still cancels it.

The threshold rule's own test uses made-up readings; the sentences were written for this test
(none from a development set or the frozen set). The danger threshold is given here as the rule
chose it on every fold (0.99, README): the shipped weights get it when the lead retrains them
(``python -m bench learned -- --write``).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bench import _dangeralone as alone
from bench._learndata import Corpus, Sample
from voice_repair.intents.learned import LearnedNet, load_weights
from voice_repair.intents.matcher import IntentMatcher

ROOT = Path(__file__).resolve().parents[2] / "intents" / "en"
CHOSEN = 0.99


def _corpus(kinds: list[tuple[str, str]]) -> Corpus:
    samples = [Sample(f"s{i}", label, "w", kind) for i, (label, kind) in enumerate(kinds)]
    return Corpus(samples, np.zeros((len(samples), 384), dtype=np.float32))


def test_the_threshold_keeps_out_of_fold_false_alarms_at_one_in_a_hundred():
    # 200 hard negatives reading 0.0 .. 0.995, 100 danger sentences reading 0.9 .. 1.0.
    kinds = [("none", "hard")] * 200 + [("safety:violence", "danger")] * 100
    corpus = _corpus(kinds)
    readings = np.concatenate([np.linspace(0.0, 0.995, 200), np.linspace(0.9, 1.0, 100)])
    held = alone.Held(np.arange(300), readings, ["violence"] * 300)
    t = alone.threshold(corpus, [held])
    assert (readings[:200] >= t).mean() <= alone.RATE  # at most 1% of hard negatives alarmed
    below = max(g for g in alone.GRID if g < t)
    assert (readings[:200] >= below).mean() > alone.RATE  # and the lowest such
    # What the danger sentences read plays no part: the same negatives, other danger, same t.
    held_again = alone.Held(np.arange(300), np.concatenate([readings[:200], np.zeros(100)]),
                            ["violence"] * 300)  # fmt: skip
    assert alone.threshold(corpus, [held_again]) == t


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    found = IntentMatcher.load(ROOT)
    on = IntentMatcher(found.catalogue, found._intents, found._danger, found.semantic)
    on.learned = LearnedNet(ROOT, replace(load_weights(ROOT), danger=CHOSEN))
    return on


@pytest.mark.model
@pytest.mark.parametrize("text", ["he is waving the scissors in my face"])
def test_the_net_raises_the_alarm_the_other_nets_miss(matcher, text):
    off = IntentMatcher(matcher.catalogue, matcher._intents, matcher._danger, matcher.semantic)
    assert off.match(text) is None, "another net catches this now: write a harder sentence"
    decided = matcher.explain(text)
    assert decided.net == "learned-danger"
    assert (decided.match.intent, decided.match.slots["route"]) == ("safety", "violence")


@pytest.mark.model
@pytest.mark.parametrize(
    "text",
    [
        "in the film he is waving the scissors in my face",
        "in the book the villain is waving the scissors in my face",
    ],
)
def test_a_story_or_a_film_still_cancels_it(matcher, text):
    assert matcher.match(text) is None
