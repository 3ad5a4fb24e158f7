"""The rules ``bench dangervariants`` measures with (``bench/dangervariants.py``).

What matters for the measure: a threshold is the lowest at which at most 1% of the hard
negatives, and 1% of the other talk, raise the alarm, whatever the danger sentences score (so it
never leans on the recall it is judged by); a vetoed sentence counts as silent; the clause
variant reads the parts of a sentence, never the whole again. The sentences here were written
for this test. No model is needed.
"""

from __future__ import annotations

import numpy as np

from bench._learndata import Sample
from bench.dangervariants import GRID, lowest, parts_of


def _samples(kinds: list[tuple[str, str]]) -> list[Sample]:
    return [Sample(f"s{i}", label, "w", kind) for i, (label, kind) in enumerate(kinds)]


def test_the_threshold_is_the_lowest_that_keeps_false_alarms_at_one_in_a_hundred():
    # 100 hard negatives, one of them read at 0.95 and one at 0.97; danger read high or low.
    samples = _samples([("none", "hard")] * 100 + [("safety:violence", "danger")] * 10)
    scores = np.array([0.95, 0.97] + [0.1] * 98 + [0.99] * 5 + [0.2] * 5)
    assert lowest(scores, samples, 0.01) == 0.96  # one of 100 above it: allowed; two: not
    vetoed = scores.copy()
    vetoed[1] = 0.0  # the veto silenced the 0.97: both thresholds now keep to one in a hundred
    assert lowest(vetoed, samples, 0.01) == GRID[0]


def test_danger_sentences_do_not_move_the_threshold():
    samples = _samples([("none", "hard")] * 100 + [("safety:general", "danger")] * 10)
    base = np.array([0.95, 0.97] + [0.1] * 98 + [0.0] * 10)
    high = base.copy()
    high[100:] = 1.0
    assert lowest(base, samples, 0.01) == lowest(high, samples, 0.01)


def test_other_talk_has_its_own_budget():
    samples = _samples([("none", "hard")] * 100 + [("pause.start", "request")] * 100)
    scores = np.array([0.1] * 100 + [0.8, 0.9] + [0.1] * 98)
    assert lowest(scores, samples, 0.01) == 0.81


def test_the_clause_variant_reads_the_parts_never_the_whole():
    said = "give us ten minutes she has been cutting her arms again"
    parts = parts_of(said)
    assert "she has been cutting her arms again" in parts
    assert said not in parts
    assert parts_of("we should paint the bedroom blue") == []
