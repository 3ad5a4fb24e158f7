"""Fits of the learned net, kept on disk and computed side by side: what makes ``bench lowo``
finish over nine writers.

The full leave-one-writer-out protocol (``lowo.Protocol.weights``) trains, for each held-out
writer k, one net on the other writers and one more per inner fold j (the writers without k and
j), to choose the thresholds on out-of-fold readings. Over nine writers that is 9 x 9 = 81 fits
of about 9,000 rows each, and the eighth session's run did not finish 8 x 8 = 64 in a session.
Three things make it short:

- **the same training set is fitted once**: inner fold j of writer k trains on exactly the rows
  of inner fold k of writer j (the product and the writers but j and k), so the 81 fits are 45
  distinct ones (9 without one writer, 36 without two), and ``bench learned -- --write``'s
  inner folds are ``lowo``'s outer ones;
- **fits are kept** in ``bench/.cache/fits/`` (git-ignored), keyed by what determines them (the
  rows' sentences and labels, the fitting's constants, the class balance, numpy's version): a
  second run, or the lead's retrain after a ``lowo``, fits only what changed;
- **fits run side by side** in ``jobs`` worker processes, each started fresh (``spawn``) with
  ``OPENBLAS_NUM_THREADS=1`` so that OpenBLAS's threads neither fight the load nor each other
  (without it one training was 13 times slower at load 20, README), which also makes every fit
  bit for bit the one a single process gives with that variable.

A fit is deterministic (full-batch Adam from zero), so a kept fit is the fit.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench import _learnfit as learnfit
from voice_repair.intents.learned import Weights

FOLDER = Path(__file__).resolve().parent / ".cache" / "fits"


@dataclass(frozen=True)
class Job:
    """One training set: its rows' vectors, labels and sentences."""

    x: np.ndarray
    labels: tuple[str, ...]
    texts: tuple[str, ...]

    @property
    def key(self) -> str:
        """What determines the fit: the training data's fingerprint (sentences, labels and the
        fitting's constants), the class balance, and numpy (its sums may differ by version)."""
        extra = json.dumps([learnfit.BALANCE, np.__version__, list(self.x.shape)])
        base = learnfit.fingerprint(self.texts, self.labels)
        return hashlib.sha256(f"{base}{extra}".encode()).hexdigest()[:32]


def _path(key: str) -> Path:
    return FOLDER / f"{key}.npz"


def _load(job: Job) -> Weights | None:
    path = _path(job.key)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            classes = tuple(str(c) for c in z["classes"])
            w, b = z["w"], z["b"]
    except (OSError, ValueError, KeyError):
        return None  # a half-written file from a killed run: fit again
    off = learnfit.OFF
    return Weights(classes, w, b, off, off, off, learnfit.fingerprint(job.texts, job.labels))


def _save(job: Job, weights: Weights) -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    path = _path(job.key)
    part = path.with_suffix(f".{os.getpid()}.part")
    with part.open("wb") as out:
        np.savez(out, classes=np.array(weights.classes), w=weights.w, b=weights.b)
    part.replace(path)


def _fit(job: Job, balance: float) -> Weights:
    """One training, in a worker (``spawn`` re-imports this module with the class balance of
    the parent passed in, not the default)."""
    learnfit.BALANCE = balance
    return learnfit.train(job.x, list(job.labels), list(job.texts))


def _numbered(task: tuple[int, Job, float]) -> tuple[int, Weights]:
    number, job, balance = task
    return number, _fit(job, balance)


def trained(jobs: Sequence[Job], workers: int = 1) -> list[Weights]:
    """The weights of each job, from the cache or fitted now (``workers`` at a time, each its
    own process with one OpenBLAS thread; 1: in this process). The same job twice is fitted
    once."""
    found: dict[str, Weights] = {}
    missing: dict[str, Job] = {}
    for job in jobs:
        key = job.key
        if key in found or key in missing:
            continue
        kept = _load(job)
        if kept is not None:
            found[key] = kept
        else:
            missing[key] = job
    if missing and workers > 1:
        os.environ["OPENBLAS_NUM_THREADS"] = "1"  # read by each fresh worker's numpy
        context = multiprocessing.get_context("spawn")
        order = list(missing)
        with context.Pool(min(workers, len(missing))) as pool:
            tasks = [(i, missing[key], learnfit.BALANCE) for i, key in enumerate(order)]
            for i, weights in pool.imap_unordered(_numbered, tasks):
                _save(missing[order[i]], weights)  # kept at once: a killed run keeps its fits
                found[order[i]] = weights
    else:
        for key, job in missing.items():
            found[key] = _fit(job, learnfit.BALANCE)
            _save(job, found[key])
    return [found[job.key] for job in jobs]


__all__ = ["FOLDER", "Job", "trained"]
