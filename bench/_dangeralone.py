"""The learned net's danger side judged alone, and its threshold chosen without the patterns.

The first threshold rule (``_learnfit.choose``) scored a danger threshold by what it added to the
other nets on the training writers. The danger patterns were tuned on every one of those
writers and catch 99.9% of their danger there, so no threshold could add a catch, every fold
chose "off", and the net's danger side shipped off, although on a new writer the patterns catch
83% (README, seventh session). Here the net is judged on its own: for each training writer left
out, its summed danger probability on that writer's sentences (out of fold), and the threshold
is the lowest at which it raises the alarm on at most ``RATE`` of that out-of-fold talk, hard
negatives and everything else that is not danger (requests, everyday talk) counted apart. What
the patterns catch plays no part, so the rule does not lean on their tuned recall; the product
then ORs the two (``matcher._learned``: the net adds danger where nothing else did).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bench import _learndata as data
from bench import _learnfit as learnfit
from voice_repair.intents.learned import DANGER_PREFIX, Weights

RATE = 0.01
"""At most this share of out-of-fold hard negatives, and of the other sentences that are not
danger, may raise the net's alarm at the chosen threshold."""
GRID = (
    *(round(float(t), 3) for t in np.arange(0.30, 0.9451, 0.01)),
    *(round(float(t), 3) for t in np.arange(0.95, 0.9991, 0.001)),
)
"""Thresholds tried, lowest first: every 0.01, and every 0.001 from 0.95, where the net's
readings crowd (steps of 0.01 there made one hard negative more or less, 14 of 1,380 against the
13.8 allowed, move the fourteenth session's retrain from 0.98 to 0.99 and lose four catches out
of fold)."""


@dataclass(frozen=True)
class Held:
    """Danger probabilities of one writer's sentences from a net that never saw that writer."""

    rows: np.ndarray
    """Rows of the corpus."""
    danger: np.ndarray
    """Summed probability of the danger classes, one per row."""
    route: list[str]
    """The most probable danger class's route, one per row."""


def held_out(corpus: data.Corpus, weights: Weights, writer: str) -> Held:
    """``weights``' danger reading of every sentence of ``writer`` (which they must not have
    been trained on)."""
    rows = corpus.rows(lambda s: s.source == writer and s.label != "?")
    p = learnfit.predict(weights, corpus.x[rows])
    danger = [i for i, c in enumerate(weights.classes) if c.startswith(DANGER_PREFIX)]
    summed = p[:, danger].sum(axis=1)
    names = [weights.classes[i].removeprefix(DANGER_PREFIX) for i in danger]
    top = [names[int(k)] for k in p[:, danger].argmax(axis=1)]
    return Held(rows, summed, top)


def out_of_fold(
    corpus: data.Corpus, writers: Sequence[str], train: Callable[[tuple[str, ...]], Weights]
) -> list[Held]:
    """Each of ``writers`` read by a net trained on the product and the other ``writers``."""
    return [
        held_out(corpus, train(tuple(w for w in writers if w != held)), held) for held in writers
    ]


def threshold(corpus: data.Corpus, folds: Sequence[Held], rate: float = RATE) -> float:
    """The lowest threshold of ``GRID`` at which at most ``rate`` of the out-of-fold hard
    negatives, and at most ``rate`` of the other sentences that are not danger, raise the
    alarm (the net alone; the last of ``GRID`` when none does)."""
    danger = np.concatenate([f.danger for f in folds])
    kinds = np.array([corpus.samples[i].kind for f in folds for i in f.rows])
    labels = [corpus.samples[i].label for f in folds for i in f.rows]
    alarmish = np.array([label.startswith(DANGER_PREFIX) for label in labels])
    hard = kinds == "hard"
    other = ~alarmish & ~hard
    for t in GRID:
        alarm = danger >= t
        if all(alarm[group].sum() <= rate * group.sum() for group in (hard, other)):
            return t
    return GRID[-1]


@dataclass
class Alone:
    """What the net alone does on one writer at one threshold (hits, total)."""

    caught: list[int]
    route: list[int]
    false_alarm: list[int]
    everyday: list[int]
    requests: list[int]
    """Requests (not danger) that would raise the alarm."""

    @staticmethod
    def empty() -> Alone:
        return Alone([0, 0], [0, 0], [0, 0], [0, 0], [0, 0])

    def add(self, other: Alone) -> None:
        for name in ("caught", "route", "false_alarm", "everyday", "requests"):
            mine, theirs = getattr(self, name), getattr(other, name)
            mine[0] += theirs[0]
            mine[1] += theirs[1]


def alone(corpus: data.Corpus, held: Held, t: float) -> Alone:
    """The net alone on one held-out writer: danger caught (and with its route), hard
    negatives, everyday talk and requests alarmed."""
    out = Alone.empty()
    for row, p, route in zip(held.rows, held.danger, held.route, strict=True):
        sample = corpus.samples[row]
        hit = int(p >= t)
        if sample.label.startswith(DANGER_PREFIX):
            out.caught[0] += hit
            out.caught[1] += 1
            out.route[0] += int(hit and sample.label == DANGER_PREFIX + route)
            out.route[1] += 1
        elif sample.kind == "hard":
            out.false_alarm[0] += hit
            out.false_alarm[1] += 1
        elif sample.kind == "everyday":
            out.everyday[0] += hit
            out.everyday[1] += 1
        else:
            out.requests[0] += hit
            out.requests[1] += 1
    return out


__all__ = ["RATE", "Alone", "Held", "alone", "held_out", "out_of_fold", "threshold"]
