"""``bench/_fitcache.py`` and ``bench/_decisions.py``: what makes ``bench lowo`` finish over nine
writers. The same training set is fitted once, a kept fit is read back instead of fitted again,
fits made side by side in worker processes are the fits one process makes, and two benches
sharing the kept decisions lose neither's. Real fits on small made-up data (no model needed)."""

from __future__ import annotations

import numpy as np
import pytest

from bench import _decisions as decisions
from bench import _fitcache as fitcache
from voice_repair.intents.semantic import Decision
from voice_repair.models import IntentMatch


def _job(seed: int, n: int = 60) -> fitcache.Job:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 384)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    labels = tuple(("none", "pause.start", "ground")[i % 3] for i in range(n))
    return fitcache.Job(x, labels, tuple(f"sentence {seed} {i}" for i in range(n)))


@pytest.fixture
def kept(tmp_path, monkeypatch):
    monkeypatch.setattr(fitcache, "FOLDER", tmp_path / "fits")
    return tmp_path / "fits"


def test_the_same_training_set_is_fitted_once_and_read_back(kept, monkeypatch):
    first, again = fitcache.trained([_job(1), _job(1)])
    assert len(list(kept.glob("*.npz"))) == 1
    assert np.array_equal(first.w, again.w)

    def refuse(*_):
        raise AssertionError("fitted again")

    monkeypatch.setattr(fitcache, "_fit", refuse)
    (back,) = fitcache.trained([_job(1)])
    assert np.array_equal(back.w, first.w) and back.classes == first.classes


def test_fits_side_by_side_are_the_fits_of_one_process(kept, tmp_path, monkeypatch):
    jobs = [_job(2), _job(3)]
    parallel = fitcache.trained(jobs, workers=2)
    monkeypatch.setattr(fitcache, "FOLDER", tmp_path / "again")
    alone = fitcache.trained(jobs, workers=1)
    for a, b in zip(parallel, alone, strict=True):
        assert a.classes == b.classes
        np.testing.assert_allclose(a.w, b.w, atol=1e-6)
    assert not np.allclose(parallel[0].w, parallel[1].w)  # two different sets, two fits


class _Counting:
    """A matcher stand-in that counts what it is asked (the decision's content is not the test)."""

    learned = None

    def __init__(self) -> None:
        self.asked: list[str] = []

    def explain(self, text: str) -> Decision:
        self.asked.append(text)
        return Decision(IntentMatch("pause.start", {"minutes": 5}, text, guessed=True), "semantic")


def test_two_benches_share_the_kept_decisions(tmp_path, monkeypatch):
    monkeypatch.setattr(decisions, "FOLDER", tmp_path)
    monkeypatch.setattr(decisions, "fingerprint", lambda: "same")
    one, two = _Counting(), _Counting()
    a, b = decisions.Kept(one), decisions.Kept(two)  # type: ignore[arg-type]
    assert a.get("take five").match.slots == {"minutes": 5}
    a.save()
    assert b.get("take five").net == "semantic"  # read from the other's file, not computed
    assert two.asked == []
    b.get("a second sentence")
    b.save()
    fresh = _Counting()
    c = decisions.Kept(fresh)  # type: ignore[arg-type]
    c.get("take five")
    c.get("a second sentence")
    assert fresh.asked == []  # the second writer's save kept the first one's decision
