"""A retrain of the requests that keeps the danger head (``bench learned -- --write
--keep-danger-head``, ``_dangerhead.keep``, sixteenth session).

What a user would meet: after the request net is retrained, every danger reading (the alarm's
probability and its route) is the stored file's, bit for bit, through the file on disk, so no
danger sentence the blind writers saw caught is lost to a retrain for the requests; the requests
are the new net's; and ``bench learned`` says whether the requests are stale without calling the
kept head stale for being older on purpose.

No model is loaded: readings are taken on random vectors in the embedding's space (384 numbers,
unit length), which is all ``learned.readings`` reads; the request net stands in as the shipped
net with its rows shuffled (a retrain gives other weights; which ones does not matter here).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bench import _dangerhead as dangerhead
from bench import _learnfit as learnfit
from bench import learned as bench_learned
from bench._learndata import Corpus, Sample
from voice_repair.intents.learned import DangerHead, load_weights, readings, save_weights

ROOT = Path(__file__).resolve().parents[2] / "intents" / "en"


def _vectors(n: int = 400) -> np.ndarray:
    x = np.random.default_rng(16).normal(size=(n, 384)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _shipped():
    return load_weights(ROOT)


def _retrained(stored):
    """A stand-in for a retrained request net: other weights over the same classes, its own
    thresholds and fingerprint, no head."""
    order = np.random.default_rng(7).permutation(len(stored.classes))
    return replace(
        stored,
        w=stored.w[order] * 1.5,
        b=stored.b[order],
        request=0.5,
        stated=0.6,
        danger=0.9,
        fingerprint="f" * 64,
        danger_head=None,
    )


@pytest.mark.parametrize("two_heads", [False, True])
def test_a_kept_head_reads_danger_exactly_as_the_stored_file(tmp_path, two_heads):
    stored = _shipped()
    if two_heads:  # a two-head file: its head, not its request net, is what is kept
        head = DangerHead(stored.classes, stored.w * 0.7, stored.b)
        stored = replace(stored, danger_head=head, danger=0.97)
    x = _vectors()
    before = readings(stored, x)
    new = _retrained(stored)
    save_weights(tmp_path, dangerhead.keep(new, stored))
    back = load_weights(tmp_path)
    after = readings(back, x)
    assert back.danger == stored.danger
    assert [(r.danger, r.route) for r in after] == [(r.danger, r.route) for r in before]
    alarms = [r.danger >= stored.danger for r in before]
    assert [r.danger >= back.danger for r in after] == alarms
    # the requests are the retrained net's, with its thresholds
    assert [(r.intent, r.score) for r in after] == [(r.intent, r.score) for r in readings(new, x)]
    assert (back.request, back.stated) == (0.5, 0.6)
    assert [r.intent for r in after] != [r.intent for r in before]  # the stand-in differs


def test_keeping_again_keeps_the_first_origin():
    stored = replace(_shipped(), fingerprint="a" * 64, danger_head=None)
    once = dangerhead.keep(_retrained(stored), stored)
    twice = dangerhead.keep(replace(_retrained(stored), fingerprint="b" * 64), once)
    assert twice.fingerprint == "b" * 64 + dangerhead.KEPT + "a" * 64
    assert twice.danger_head is not None and np.array_equal(twice.danger_head.w, stored.w)


def _corpus(texts: list[str]) -> Corpus:
    samples = [Sample(t, "pause.start", "dev", "request") for t in texts]
    samples.append(Sample("not an intent of ours", "?", "dev", "request"))  # never trained on
    return Corpus(samples, np.zeros((len(samples), 384), dtype=np.float32))


def test_status_judges_a_kept_file_by_its_request_net():
    corpus = _corpus(["give us ten minutes", "we need a break"])
    trained = learnfit.fingerprint([s.text for s in corpus.samples[:2]], ["pause.start"] * 2)
    stored = replace(_shipped(), fingerprint="c" * 64, danger_head=None)
    kept = dangerhead.keep(replace(_retrained(stored), fingerprint=trained), stored)
    fresh, line = dangerhead.fits(kept, corpus)
    assert fresh and "kept from the file trained on cccccccccccc" in line
    grown = _corpus(["give us ten minutes", "we need a break", "a third request"])
    fresh, line = dangerhead.fits(kept, grown)
    assert not fresh and line.endswith("python -m bench learned -- --write --keep-danger-head")
    # a one-head file trained on the same data is fresh; on other data it is stale
    assert dangerhead.fits(replace(stored, fingerprint=trained), corpus)[0]
    assert not dangerhead.fits(stored, corpus)[0]


def test_both_head_options_at_once_are_refused(capsys):
    with pytest.raises(SystemExit):
        bench_learned.main(["--write", "--danger-head", "--keep-danger-head"])
    assert "not allowed with argument" in capsys.readouterr().err
