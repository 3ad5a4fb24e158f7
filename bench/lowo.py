"""Leave one writer out: does the learned net help on a writer it never saw?

``python -m bench lowo``. Six development sets, one writer each (``_learndata.WRITERS``). For
each writer k: the learned net is trained on the product's own sentences and the other five
sets, its thresholds chosen on those five alone (each left out in turn, ``_learnfit.choose``),
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
from dataclasses import dataclass, field

import numpy as np

from bench import _learndata as data
from bench import _learnfit as learnfit
from bench import evalset
from bench.intents import _answers, _reads
from voice_repair.intents.asking import asks
from voice_repair.intents.learned import LearnedNet, Weights
from voice_repair.intents.matcher import IntentMatcher, normalize
from voice_repair.intents.tolerant import mend, tidy

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

    scores: dict[str, tuple[evalset.Score, evalset.Score]] = field(default_factory=dict)
    thresholds: dict[str, tuple[float, float, float]] = field(default_factory=dict)


class Protocol:
    """The corpus, the pipeline's decisions on every set sentence, and the fitting."""

    def __init__(self, matcher: IntentMatcher) -> None:
        self.matcher = matcher
        self.corpus = data.corpus()
        matcher.learned = None
        self.decided = {
            s.text: matcher.explain(s.text) for s in self.corpus.samples if s.source != data.PRODUCT
        }
        self._allowed: dict[tuple[str, str], str | None] = {}

    def allowed(self, text: str, intent: str) -> str | None:
        """The intent a learned request guess becomes after the rules every guess passes."""
        key = (text, intent)
        if key not in self._allowed:
            got = self.matcher.learned_request(text, normalize(text), intent, 1.0)
            self._allowed[key] = got.match.intent if got is not None and got.match else None
        return self._allowed[key]

    def weights(self, writers: tuple[str, ...]) -> Weights:
        """Trained on the product and ``writers``; thresholds chosen on ``writers`` alone."""
        rows = self._rows(writers)
        trained = self._train(rows)
        probs, cases, texts = [], [], []
        for held in writers:
            inner = self._train(self._rows(tuple(w for w in writers if w != held)))
            test = self.corpus.rows(lambda s, held=held: s.source == held)
            probs.append(learnfit.predict(inner, self.corpus.x[test]))
            for i in test:
                sample = self.corpus.samples[i]
                found = self.decided[sample.text]
                intent = found.match.intent if found.match is not None else None
                asking = asks(tidy(mend(normalize(sample.text))))
                cases.append(learnfit.Case(sample.label, sample.kind, intent, found.net, asking))
                texts.append(sample.text)
        allowed = lambda i, intent: self.allowed(texts[i], intent)  # noqa: E731
        return learnfit.choose(trained, np.concatenate(probs), cases, allowed)

    def _rows(self, writers: tuple[str, ...]) -> np.ndarray:
        keep = {data.PRODUCT, *writers}
        return self.corpus.rows(lambda s: s.source in keep and s.label != "?")

    def _train(self, rows: np.ndarray) -> Weights:
        samples = [self.corpus.samples[i] for i in rows]
        return learnfit.train(
            self.corpus.x[rows], [s.label for s in samples], [s.text for s in samples]
        )

    def score(self, writer: str, weights: Weights | None) -> evalset.Score:
        """Writer ``writer``'s set through the pipeline, with the learned net if ``weights``."""
        folder = data.ROOT / "bench" / "data" / writer
        self.matcher.learned = LearnedNet(data.DATA, weights) if weights is not None else None
        cached = lambda text: self.decided[text].match  # noqa: E731
        match = cached if weights is None else self.matcher.match
        try:
            return evalset.score(folder, match, answers=_answers, reads=_reads)
        finally:
            self.matcher.learned = None


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
            a = [s[0] for s in folds.scores.values()]
            b = [s[1] for s in folds.scores.values()]
            head = "pooled over the six writers"
        else:
            a, b = [folds.scores[name][0]], [folds.scores[name][1]]
            asked, stated, danger = (_threshold(t) for t in folds.thresholds[name])
            head = (
                f"writer {name} left out (thresholds: request asked {asked}, stated {stated}, "
                f"danger {danger})"
            )
        lines.append(head)
        lines.append(f"  {'':<38} {'(A) pipeline':<30} {'(B) + learned net':<30}")
        for label, attr in ROWS:
            lines.append(f"  {label:<38} {_cell(_pooled(a, attr)):<30} {_cell(_pooled(b, attr))}")
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench lowo")
    parser.add_argument(
        "--writers", nargs="*", default=list(data.WRITERS), help="the folds to run (default all)"
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    protocol = Protocol(IntentMatcher.load(data.DATA))
    folds = Folds()
    for held in args.writers:
        others = tuple(w for w in data.WRITERS if w != held)
        weights = protocol.weights(others)
        folds.thresholds[held] = (weights.request, weights.stated, weights.danger)
        folds.scores[held] = (protocol.score(held, None), protocol.score(held, weights))
        print(f"  fold {held}: {time.perf_counter() - start:.0f} s", flush=True)
    for line in report(folds):
        print(line)
    return 0


EXPLICIT_ONLY = True
__all__ = ["Protocol", "main", "report"]
