"""Leave one writer out: does the learned net help on a writer it never saw?

``python -m bench lowo``. Seven development sets, one writer each (``_learndata.WRITERS``). For
each writer k: the learned net is trained on the product's own sentences and the other writers'
sets, its thresholds chosen on those alone (each left out in turn, ``_learnfit.choose``),
and writer k is scored the way ``bench intents`` scores a set (``evalset.score``: intent and
slots, in the writer's context; danger caught and routed; hard negatives alarmed; everyday talk
answered at home). (A) is today's pipeline, (B) the same with the learned net last. Per fold
and pooled, each rate with its 95% Wilson interval.

(A) is optimistic: the templates, patterns and examples were tuned on these very writers (all
but dev6's even half, which was tuned on too), so (A) has in a sense seen every fold. (B)'s
classifier has not seen its test writer; its gain over (A) is the honest part.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import numpy as np

from bench import _decisions as decisions
from bench import _fitcache as fitcache
from bench import _learndata as data
from bench import _learnfit as learnfit
from bench import evalset
from bench.intents import _answers, _reads
from voice_repair.intents import learnedparts
from voice_repair.intents.asking import asks
from voice_repair.intents.learned import LearnedNet, Weights
from voice_repair.intents.matcher import IntentMatcher, normalize
from voice_repair.intents.semantic import Decision
from voice_repair.intents.tolerant import mend, tidy
from voice_repair.models import IntentMatch

ROWS = (
    ("requests: intent and slots right", "exact"),
    ("requests: right, answered in context", "in_context"),
    ("requests answered with silence", "silent"),
    ("danger: alarm raised", "danger"),
    ("danger: alarm, fitting route", "route"),
    ("hard negatives: false alarms", "false_alarm"),
    ("everyday taken for a request", "everyday"),
    ("everyday answered at home", "everyday_answered"),
)


@dataclass
class Folds:
    """Per writer, the two scores; and the thresholds chosen for each fold."""

    scores: dict[str, tuple[evalset.Score, ...]] = field(default_factory=dict)
    """(A), (B) and, with ``--without-noise``, (B) trained without the noisy copies."""
    thresholds: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    columns: tuple[str, ...] = ("(A) pipeline", "(B) + learned net")


class Protocol:
    """The corpus, the pipeline's decisions on every set sentence, and the fitting."""

    def __init__(
        self,
        matcher: IntentMatcher,
        noise: int = data.NOISE,
        workers: int = 1,
        writers: tuple[str, ...] = data.WRITERS,
    ) -> None:
        self.matcher = matcher
        self.corpus = data.corpus(writers=writers, noise=noise)
        self.noisy = True
        """Whether training takes the noisy copies (``_learndata.noisy_samples``)."""
        self.workers = workers
        """Fits side by side (``_fitcache``); 1: in this process."""
        matcher.learned = None
        self.decided = decisions.Kept(matcher)
        """What the pipeline without the learned net makes of each set sentence, as needed,
        kept on disk while the code and data are unchanged (``_decisions``)."""
        self._allowed: dict[tuple[str, str], str | None] = {}

    def decision(self, text: str) -> Decision:
        """``explain`` without the learned net, computed once per sentence."""
        return self.decided.get(text)

    def fixed(self, writers: tuple[str, ...], asked: float, stated: float) -> Weights:
        """Trained on the product and ``writers``, with the request thresholds given (danger
        off): the quick protocol, without the inner folds that choose them."""
        return replace(
            self.trained([writers])[0], request=asked, stated=stated, danger=learnfit.OFF
        )

    def trained(self, sets: list[tuple[str, ...]]) -> list[Weights]:
        """A net trained on the product and each of ``sets`` of writers (``_fitcache``: kept
        fits are read, the missing ones fitted ``workers`` at a time)."""
        return fitcache.trained([self._job(self._rows(w)) for w in sets], self.workers)

    def prefit(self, folds: list[str], inner: bool) -> None:
        """Fit, side by side, every net ``folds`` will ask for: each held-out writer's (the
        others) and, with ``inner``, its inner folds' (the others but one)."""
        sets: list[tuple[str, ...]] = []
        for held in folds:
            others = tuple(w for w in self.writers if w != held)
            sets.append(others)
            if inner:
                sets += [tuple(w for w in others if w != j) for j in others]
        self.trained(sets)

    @property
    def writers(self) -> tuple[str, ...]:
        """The writers of the corpus."""
        return tuple(
            dict.fromkeys(s.source for s in self.corpus.samples if s.source != data.PRODUCT)
        )

    def allowed(self, text: str, intent: str) -> str | None:
        """The intent a learned request guess becomes after the rules every guess passes."""
        key = (text, intent)
        if key not in self._allowed:
            got = self.matcher.learned_request(text, normalize(text), intent, 1.0)
            self._allowed[key] = got.match.intent if got is not None and got.match else None
        return self._allowed[key]

    def weights(self, writers: tuple[str, ...]) -> Weights:
        """Trained on the product and ``writers``; thresholds chosen on ``writers`` alone."""
        trained, *inners = self.trained(
            [writers, *(tuple(w for w in writers if w != held) for held in writers)]
        )
        probs, cases, texts = [], [], []
        for held, inner in zip(writers, inners, strict=True):
            test = self.corpus.rows(lambda s, held=held: s.source == held and s.kind != data.NOISY)
            probs.append(learnfit.predict(inner, self.corpus.x[test]))
            for i in test:
                sample = self.corpus.samples[i]
                found = self.decision(sample.text)
                intent = found.match.intent if found.match is not None else None
                asking = asks(tidy(mend(normalize(sample.text))))
                cases.append(learnfit.Case(sample.label, sample.kind, intent, found.net, asking))
                texts.append(sample.text)
        allowed = lambda i, intent: self.allowed(texts[i], intent)  # noqa: E731
        return learnfit.choose(trained, np.concatenate(probs), cases, allowed)

    def _rows(self, writers: tuple[str, ...]) -> np.ndarray:
        keep = {data.PRODUCT, *writers}
        return self.corpus.rows(
            lambda s: s.source in keep and s.label != "?" and (self.noisy or s.kind != data.NOISY)
        )

    def _job(self, rows: np.ndarray) -> fitcache.Job:
        samples = [self.corpus.samples[i] for i in rows]
        labels = tuple(s.label for s in samples)
        return fitcache.Job(self.corpus.x[rows], labels, tuple(s.text for s in samples))

    def _train(self, rows: np.ndarray) -> Weights:
        return fitcache.trained([self._job(rows)], self.workers)[0]

    def score(self, writer: str, weights: Weights | None, parts: bool = True) -> evalset.Score:
        """Writer ``writer``'s set through the pipeline, with the learned net if ``weights``
        (``parts``: and its reading part by part, ``learnedparts.py``)."""
        folder = data.ROOT / "bench" / "data" / writer
        self.matcher.learned = LearnedNet(data.DATA, weights) if weights is not None else None
        cached = lambda text: self.decision(text).match  # noqa: E731
        match = cached if weights is None else self._with_learned
        try:
            with _parts(parts):
                return evalset.score(folder, match, answers=_answers, reads=_reads)
        finally:
            self.matcher.learned = None

    def _with_learned(self, text: str) -> IntentMatch | None:
        """``matcher.match`` with the learned net loaded; a sentence the danger patterns, the
        templates or the semantic danger net decided is taken from ``decided`` (the learned net
        runs after those and cannot change them), which halves a fold's time."""
        found = self.decision(text)
        if found.net in _BEFORE_LEARNED:
            return found.match
        return self.matcher.match(text)


@contextmanager
def _parts(on: bool) -> Iterator[None]:
    """The learned net's part reading (``learnedparts.py``) as it ships, or off."""
    kept = learnedparts.ASKED, learnedparts.STATED
    if not on:
        learnedparts.ASKED = learnedparts.STATED = learnfit.OFF
    try:
        yield
    finally:
        learnedparts.ASKED, learnedparts.STATED = kept


_BEFORE_LEARNED = frozenset({"danger", "templates", "semantic-danger"})
"""Nets whose decision ``IntentMatcher.explain`` returns before the learned net is asked."""


def _threshold(value: float) -> str:
    return "off" if value > 1 else f"{value:.3f}"


def _rate(score: evalset.Score, attr: str) -> evalset.Rate | int:
    return getattr(score, attr)


def _cell(value: evalset.Rate | int) -> str:
    if isinstance(value, int):
        return f"{value:>4}"
    low, high = evalset.wilson(value.hits, value.total)
    share = value.hits / value.total if value.total else 0.0
    return f"{value.hits:>4}/{value.total:<4} {share:6.1%} [{low:5.1%}, {high:5.1%}]"


def _pooled(scores: list[evalset.Score], attr: str) -> evalset.Rate | int:
    values = [_rate(s, attr) for s in scores]
    if isinstance(values[0], int):
        return sum(values)  # type: ignore[arg-type]
    return evalset.Rate(sum(v.hits for v in values), sum(v.total for v in values))  # type: ignore[union-attr]


def report(folds: Folds) -> list[str]:
    lines = []
    names = [*folds.scores, "pooled"]
    for name in names:
        if name == "pooled":
            columns = [list(c) for c in zip(*folds.scores.values(), strict=True)]
            head = f"pooled over the {len(folds.scores)} writers"
        else:
            columns = [[score] for score in folds.scores[name]]
            asked, stated, danger = (_threshold(t) for t in folds.thresholds[name])
            head = (
                f"writer {name} left out (thresholds: request asked {asked}, stated {stated}, "
                f"danger {danger})"
            )
        lines.append(head)
        lines.append(f"  {'':<38} " + " ".join(f"{c:<30}" for c in folds.columns))
        for label, attr in ROWS:
            cells = " ".join(f"{_cell(_pooled(c, attr)):<30}" for c in columns)
            lines.append(f"  {label:<38} {cells}".rstrip())
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench lowo")
    parser.add_argument(
        "--writers", nargs="*", default=list(data.WRITERS), help="the folds to run (default all)"
    )
    parser.add_argument(
        "--noise", type=int, default=data.NOISE, help="noisy copies of each training sentence"
    )
    parser.add_argument(
        "--without-noise",
        action="store_true",
        help="also score (B) trained without the noisy copies, in the same run (A/B)",
    )
    parser.add_argument(
        "--partial", action="store_true", help="print the table so far after every fold"
    )
    parser.add_argument(
        "--fixed",
        nargs=2,
        type=float,
        metavar=("ASKED", "STATED"),
        help="quick protocol: these request thresholds instead of choosing them on inner folds",
    )
    parser.add_argument(
        "--parts",
        action="store_true",
        help="also score (B) without the part reading (learnedparts.py), in the same run (A/B)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=2,
        help="fits side by side, each a process with one OpenBLAS thread (_fitcache); 1: none",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    protocol = Protocol(IntentMatcher.load(data.DATA), noise=args.noise, workers=args.jobs)
    folds = Folds()
    if args.parts:
        folds.columns = (*folds.columns, "(B) without part reading")
    if args.without_noise:
        folds.columns = (*folds.columns, "(B) without noisy copies")
    for noisy in (True, False) if args.without_noise else (True,):
        protocol.noisy = noisy  # every fit of the run at once, side by side (kept on disk)
        protocol.prefit(args.writers, inner=not args.fixed)
    print(f"  fits ready: {time.perf_counter() - start:.0f} s", flush=True)
    for held in args.writers:
        others = tuple(w for w in protocol.writers if w != held)
        protocol.noisy = True
        weights = protocol.fixed(others, *args.fixed) if args.fixed else protocol.weights(others)
        folds.thresholds[held] = (weights.request, weights.stated, weights.danger)
        scores = (protocol.score(held, None), protocol.score(held, weights))
        if args.parts:
            scores = (*scores, protocol.score(held, weights, parts=False))
        if args.without_noise:
            protocol.noisy = False
            again = protocol.fixed(others, *args.fixed) if args.fixed else protocol.weights(others)
            scores = (*scores, protocol.score(held, again))
        folds.scores[held] = scores
        protocol.decided.save()
        print(f"  fold {held}: {time.perf_counter() - start:.0f} s", flush=True)
        if args.partial:
            print("\n".join(report(folds)), flush=True)
    if not args.partial:
        print("\n".join(report(folds)))
    return 0


EXPLICIT_ONLY = True
__all__ = ["Protocol", "main", "report"]
