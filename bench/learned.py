"""Train the learned net's weights from files in the repository: ``python -m bench learned``.

``-- --write`` trains on the product's sentences and every development set
(``_learndata.WRITERS``), chooses the request thresholds on the sets' out-of-fold probabilities
(each writer left out in turn, as ``bench lowo`` does for its folds) and the danger threshold on
the net alone (``_dangeralone``: at most 1% of those writers' hard negatives and other talk
alarmed out of fold; six more trainings, minutes: run with ``OPENBLAS_NUM_THREADS=1``), and writes
``intents/en/learned.npz`` with its checksum (``learned.sha256``). Deterministic: the same files
give the same weights.

``--danger-head`` (thirteenth session, ``split13``) stores a second weight set that the danger
readings come from (``learned.DangerHead``), fitted on its own writers (``_dangerhead.WRITERS``,
the eight of the tenth merge) with its own threshold, so that the requests learn from every
writer while the danger readings stay those the blind writers measured (``bench splitheads``).

``--keep-danger-head`` (sixteenth session, ``learn16``) retrains the request net only and keeps the
stored file's danger readings exactly (``_dangerhead.keep``: its head, or a one-head file's
whole net, with its danger threshold), so a retrain for the requests cannot move a danger
reading the blind writers measured.

Without ``--write`` it only says whether the stored weights were trained on the data as it is
now (their fingerprint; both heads' in a two-head file).
"""

from __future__ import annotations

import argparse
from dataclasses import replace

from bench import _dangeralone as dangeralone
from bench import _dangerhead as dangerhead
from bench import _learndata as data
from bench.lowo import Protocol
from voice_repair.errors import ModelError
from voice_repair.intents import learned
from voice_repair.intents.learned import load_weights, save_weights
from voice_repair.intents.matcher import IntentMatcher


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench learned")
    parser.add_argument("--write", action="store_true", help="train and store the weights")
    parser.add_argument(
        "--jobs", type=int, default=2, help="fits side by side (bench/_fitcache.py); 1: none"
    )
    heads = parser.add_mutually_exclusive_group()
    heads.add_argument(
        "--danger-head",
        action="store_true",
        help="read danger from a head of its own (_dangerhead.WRITERS, _dangerhead.KIND)",
    )
    heads.add_argument(
        "--keep-danger-head",
        action="store_true",
        help="retrain the requests only; keep the stored file's danger readings exactly",
    )
    args = parser.parse_args(argv)
    if not args.write:
        return _status()
    kept = None
    if args.keep_danger_head:
        try:
            kept = load_weights(data.DATA)  # read before the new file replaces it
        except ModelError as exc:
            print(f"{exc} --keep-danger-head needs the stored file; or leave the option out.")
            return 1
    protocol = Protocol(IntentMatcher.load(data.DATA), workers=args.jobs)
    weights = protocol.weights(data.WRITERS)
    if kept is not None:
        weights = dangerhead.keep(weights, kept)
    elif args.danger_head:
        weights = _with_head(protocol, weights)
    else:
        weights = replace(weights, danger=_danger_alone(protocol))
    digest = save_weights(data.DATA, weights)
    print(
        f"stored {len(weights.classes)} classes in {data.DATA / 'learned.npz'} "
        f"(request: asked {weights.request:.2f}, stated {weights.stated:.2f}; "
        f"danger {weights.danger:.3f}; sha256 {digest})"
    )
    return 0


def _danger_alone(protocol: Protocol) -> float:
    """The danger threshold chosen on the net alone (``_dangeralone.threshold``: each training
    writer read by a net trained without it, at most 1% of their hard negatives and of their
    other talk alarmed), not by what it adds to the patterns tuned on those same writers."""
    train = lambda keep: protocol._train(protocol._rows(keep))  # noqa: E731
    folds = dangeralone.out_of_fold(protocol.corpus, data.WRITERS, train)
    return dangeralone.threshold(protocol.corpus, folds)


def _with_head(protocol: Protocol, weights: learned.Weights) -> learned.Weights:
    """``weights`` (the request net) with the danger head fitted on its own writers, its
    threshold chosen on them alone, and a fingerprint of both training sets."""
    writers = dangerhead.WRITERS
    fitted = dangerhead.fit(protocol, writers)
    return replace(
        weights,
        danger=dangerhead.threshold(protocol, writers),
        danger_head=dangerhead.head(fitted),
        fingerprint=dangerhead.stamp(weights.fingerprint, fitted.fingerprint),
    )


def _status() -> int:
    """Whether the stored weights fit today's training data (both heads' when there are two,
    the request net's when the danger head is kept: ``_dangerhead.fits``)."""
    try:
        stored = load_weights(data.DATA)
    except ModelError as exc:
        print(exc)
        return 1
    fresh, line = dangerhead.fits(stored, data.corpus())
    print(line)
    return 0 if fresh else 1


EXPLICIT_ONLY = True
