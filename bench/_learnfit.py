"""Fitting the learned net (``voice_repair/intents/learned.py``) and choosing its thresholds.

Multinomial logistic regression in numpy: softmax over one linear score per class, cross-entropy
with an L2 penalty, full-batch Adam from zero weights for a fixed number of steps, so the same
data always gives the same weights. Classes are weighted by one over the square root of their
size, so ``none`` (a third of the data) does not drown the rarer requests and the rare requests
do not dominate either.

Thresholds are chosen on out-of-fold probabilities of the training writers only (each training
writer left out in turn), together with what the other nets did with each sentence: each
request threshold (sentences that ask, statements: chosen apart) is the one that most improves
``right - 2 * wrong`` among the sentences no other net answered, counting any everyday sentence
or hard negative answered as ``-3``; the danger threshold the one that most improves
``caught - 3 * (false alarms + requests and everyday talk made danger)``. A wrong answer costs
more than a silence, and an alarm over everyday talk most.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from voice_repair.intents.learned import NONE, Weights, decide, probabilities, reading_of

STEPS = 300
RATE = 0.05
L2 = 1e-4
EVERYDAY_COST = 3.0
"""What a request made of everyday talk or a hard negative costs, in requests understood."""
OFF = 1.01
"""A threshold no probability reaches: that side of the net decides nothing."""
BALANCE = 0.5
"""A class's weight is its size to the power ``-BALANCE``: 0.5 (one over the square root) is
what the weights ship with; 1.0 would weigh every class alike, 0 not at all (``bench
lowokinds -- --balance`` compares them leaving one writer out)."""
SCALE = 8.0
"""Inputs are unit vectors whose useful differences are small: scaled up, a few hundred steps
reach confident probabilities."""


def fit(x: np.ndarray, labels: Sequence[str], classes: tuple[str, ...]) -> tuple[np.ndarray, ...]:
    """(w, b) of the regression on rows ``x`` with ``labels`` (each one of ``classes``)."""
    index = {c: i for i, c in enumerate(classes)}
    y = np.array([index[label] for label in labels])
    counts = np.bincount(y, minlength=len(classes)).astype(np.float64)
    sizes = np.maximum(counts, 1)
    # 0.5 as the shipped weights were fitted, bit for bit
    scaled = 1.0 / np.sqrt(sizes) if BALANCE == 0.5 else sizes**-BALANCE
    class_weight = np.where(counts > 0, scaled, 0.0)
    sw = class_weight[y]
    sw = sw / sw.sum()
    xs = (x * SCALE).astype(np.float64)
    n, d = xs.shape
    k = len(classes)
    w, b = np.zeros((k, d)), np.zeros(k)
    m_w, v_w, m_b, v_b = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y] = 1.0
    for step in range(1, STEPS + 1):
        logits = xs @ w.T + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) * sw[:, None]
        grad_w = g.T @ xs + L2 * w
        grad_b = g.sum(axis=0)
        for param, grad, m, v in ((w, grad_w, m_w, v_w), (b, grad_b, m_b, v_b)):
            m *= 0.9
            m += 0.1 * grad
            v *= 0.999
            v += 0.001 * grad * grad
            param -= RATE * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return (w * SCALE).astype(np.float32), b.astype(np.float32)


def fingerprint(texts: Sequence[str], labels: Sequence[str]) -> str:
    h = hashlib.sha256(json.dumps([STEPS, RATE, L2, SCALE]).encode())
    for text, label in zip(texts, labels, strict=True):
        h.update(json.dumps([text, label]).encode())
    return h.hexdigest()


def train(x: np.ndarray, labels: Sequence[str], texts: Sequence[str]) -> Weights:
    """Weights with both thresholds at 1.0 (deciding nothing) until ``choose`` sets them."""
    classes = tuple(sorted(set(labels)))
    w, b = fit(x, labels, classes)
    return Weights(classes, w, b, OFF, OFF, OFF, fingerprint(texts, labels))


@dataclass(frozen=True)
class Case:
    """One development-set sentence as threshold choice sees it."""

    label: str
    """The writer's label (intent, ``safety:<route>``, ``none``)."""
    kind: str
    """``request``, ``danger``, ``hard``, ``everyday``."""
    found: str | None
    """The intent the other nets decided (None: nothing)."""
    net: str | None
    """Which net decided (``templates``, ``semantic``, ...)."""
    asks: bool
    """The sentence asks (``asking.asks``)."""


def _gain(
    case: Case, verdict: tuple[str, str] | None, learned_request: Callable[[str], str | None]
) -> tuple[float, float]:
    """(request gain, danger gain) of the learned net's verdict over the other nets' answer."""
    if verdict is None:
        return 0.0, 0.0
    what, value = verdict
    if what == "danger":
        if case.found == "safety":
            return 0.0, 0.0
        if case.kind == "danger" or case.label.startswith("safety:"):
            return 0.0, 1.0
        return 0.0, -3.0
    if case.found is not None:
        return 0.0, 0.0
    intent = learned_request(value)
    if intent is None:
        return 0.0, 0.0
    if case.kind in ("hard", "everyday"):
        return -3.0, 0.0
    return (1.0 if intent == case.label else -2.0), 0.0


def choose(
    weights: Weights,
    probs: np.ndarray,
    cases: Sequence[Case],
    allowed: Callable[[int, str], str | None] = lambda i, intent: intent,
) -> Weights:
    """``weights`` with the thresholds that score best on out-of-fold ``probs`` of ``cases``
    (``allowed(i, intent)``: the intent after the rules every guess passes, or None). The
    request threshold of sentences that ask and that of statements are chosen apart."""
    # OFF is chosen when no threshold gains anything on the training writers; a tie goes to
    # the higher threshold (the fewer answers).
    grid = [round(t, 3) for t in np.arange(0.30, 0.991, 0.01)] + [0.995, 0.999, OFF]
    readings = [reading_of(weights.classes, p) for p in probs]
    best = {"asks": (-1e9, OFF), "states": (-1e9, OFF), "danger": (-1e9, OFF)}
    for t in grid:
        only_danger = replace(weights, request=OFF, stated=OFF, danger=t)
        only_request = replace(weights, request=t, stated=t, danger=OFF)
        gains = dict.fromkeys(best, 0.0)
        for i, (case, reading) in enumerate(zip(cases, readings, strict=True)):
            found = case.found is not None and case.found != "safety"
            check = lambda v, i=i: allowed(i, v)  # noqa: E731
            if not found or case.net == "semantic":  # never over a template's request
                verdict = decide(reading, only_danger, found, case.asks)
                gains["danger"] += _gain(case, verdict, check)[1]
            verdict = decide(reading, only_request, found, case.asks)
            gains["asks" if case.asks else "states"] += _gain(case, verdict, check)[0]
        best = {key: max(best[key], (gains[key], t)) for key in best}
    return replace(
        weights, request=best["asks"][1], stated=best["states"][1], danger=best["danger"][1]
    )


def predict(weights: Weights, x: np.ndarray) -> np.ndarray:
    return probabilities(weights, x)


__all__ = ["NONE", "Case", "choose", "fit", "predict", "train"]
