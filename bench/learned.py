"""Train the learned net's weights from files in the repository: ``python -m bench learned``.

``-- --write`` trains on the product's sentences and every development set
(``_learndata.WRITERS``), chooses the request thresholds on the sets' out-of-fold probabilities
(each writer left out in turn, as ``bench lowo`` does for its folds) and the danger threshold on
the net alone (``_dangeralone``: at most 1% of those writers' hard negatives and other talk
alarmed out of fold; six more trainings, minutes: run with ``OPENBLAS_NUM_THREADS=1``), and writes
``intents/en/learned.npz`` with its checksum (``learned.sha256``). Deterministic: the same files
give the same weights. Without ``--write`` it only says whether the stored weights were trained
on the data as it is now (their fingerprint).
"""

from __future__ import annotations

import argparse
from dataclasses import replace

from bench import _dangeralone as dangeralone
from bench import _learndata as data
from bench import _learnfit as learnfit
from bench.lowo import Protocol
from voice_repair.errors import ModelError
from voice_repair.intents.learned import load_weights, save_weights
from voice_repair.intents.matcher import IntentMatcher


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench learned")
    parser.add_argument("--write", action="store_true", help="train and store the weights")
    parser.add_argument(
        "--jobs", type=int, default=2, help="fits side by side (bench/_fitcache.py); 1: none"
    )
    args = parser.parse_args(argv)
    if not args.write:
        return _status()
    protocol = Protocol(IntentMatcher.load(data.DATA), workers=args.jobs)
    weights = protocol.weights(data.WRITERS)
    weights = replace(weights, danger=_danger_alone(protocol))
    digest = save_weights(data.DATA, weights)
    print(
        f"stored {len(weights.classes)} classes in {data.DATA / 'learned.npz'} "
        f"(request: asked {weights.request:.2f}, stated {weights.stated:.2f}; "
        f"danger {weights.danger:.2f}; sha256 {digest})"
    )
    return 0


def _danger_alone(protocol: Protocol) -> float:
    """The danger threshold chosen on the net alone (``_dangeralone.threshold``: each training
    writer read by a net trained without it, at most 1% of their hard negatives and of their
    other talk alarmed), not by what it adds to the patterns tuned on those same writers."""
    train = lambda keep: protocol._train(protocol._rows(keep))  # noqa: E731
    folds = dangeralone.out_of_fold(protocol.corpus, data.WRITERS, train)
    return dangeralone.threshold(protocol.corpus, folds)


def _status() -> int:
    """Whether the stored weights fit today's training data."""
    corpus = data.corpus()
    samples = [s for s in corpus.samples if s.label != "?"]
    stamp = learnfit.fingerprint([s.text for s in samples], [s.label for s in samples])
    try:
        stored = load_weights(data.DATA)
    except ModelError as exc:
        print(exc)
        return 1
    fits = stored.fingerprint == stamp
    print(
        "the stored learned weights fit the training data"
        if fits
        else "the training data changed since the weights were trained: "
        "python -m bench learned -- --write"
    )
    return 0 if fits else 1


EXPLICIT_ONLY = True
