"""The counts ``bench dangerveto`` prints (``bench/dangerveto.py``).

What matters for the measure: the veto cancels only an alarm (A) raised, only in its scope (the
patterns' own, or every net's), only below ``x``; a cancelled danger sentence is counted lost
and a cancelled hard negative removed, so the exchange rate is read straight off. The sentences
here were written for this test. No model is needed.
"""

from __future__ import annotations

import numpy as np

from bench._learndata import Corpus, Sample
from bench.dangerveto import counts


def _corpus() -> tuple[Corpus, dict, np.ndarray]:
    rows = [
        ("he hit me again tonight", "safety:violence", "danger", ("safety", "danger"), 0.0004),
        ("my chest is crushing me", "safety:medical", "danger", ("safety", "semantic-danger"), 0.0),
        ("i want to end it all", "safety:self_harm", "danger", ("safety", "danger"), 0.9),
        ("i'll kill him if he eats my chips", "none", "hard", ("safety", "danger"), 0.0002),
        ("the braai smoke is awful", "none", "hard", ("safety", "semantic-danger"), 0.0001),
        ("we watched a war film", "none", "hard", (None, None), 0.0),
    ]
    samples = [Sample(text, label, "w", kind) for text, label, kind, _, _ in rows]
    decided = {text: (got[0], None, got[1], {}) for text, _, _, got, _ in rows}
    corpus = Corpus(samples, np.zeros((len(rows), 2), dtype=np.float32))
    return corpus, decided, np.array([score for *_, score in rows])


def test_the_patterns_veto_cancels_only_pattern_alarms_below_x():
    corpus, decided, score = _corpus()
    c = counts(corpus, range(6), score, decided, 0.001, {"danger"})
    assert (c["danger"], c["caught"], c["lost"]) == (3, 3, 1)  # the semantic alarm stays
    assert (c["hard"], c["alarms"], c["removed"]) == (3, 2, 1)


def test_the_veto_over_every_alarm_also_cancels_the_semantic_nets():
    corpus, decided, score = _corpus()
    c = counts(corpus, range(6), score, decided, 0.001, None)
    assert (c["lost"], c["removed"]) == (2, 2)


def test_a_sentence_read_at_x_or_above_is_never_cancelled():
    corpus, decided, score = _corpus()
    c = counts(corpus, range(6), score, decided, 0.0001, None)
    assert (c["lost"], c["removed"]) == (1, 0)  # 0.0 < 0.0001; 0.0001 and 0.0002 are not
