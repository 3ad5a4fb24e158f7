"""Leave one writer out, for the learned net's danger side: ``python -m bench dangerlowo``.

For each development writer k (``_learndata.WRITERS``): the learned net trained on the product's
sentences and the other writers reads writer k's sentences (it never saw them), and its danger
threshold is chosen by ``_dangeralone.threshold`` on the other writers' out-of-fold readings
(the net alone: at most 1% of their hard negatives, and 1% of their other talk, alarmed). Writer
k is then scored three ways, danger only:

- (A) the pipeline without the learned net (``IntentMatcher.explain``);
- the learned net alone at that threshold (its own recall and false alarms);
- (A or net): the alarm where (A) raised it, or where the net reaches the threshold and the
  pipeline would let it speak: over nothing or a semantic request, never over a template's or a
  clause's request, and never inside a story or a film (the frames that cancel a semantic
  guess). That is ``matcher._learned``'s danger rule, applied to (A)'s decisions.

The other writers' out-of-fold readings come from the same six trainings (each on all writers
but one): for writer k's threshold, writer j's readings are those of the net trained without j,
which did see k. So k's sentences shaped the weights those readings come from, though never the
threshold's count; a fully nested choice (36 trainings) did not fit in this session's time on a
shared machine (a training takes 40 s to 9 min of CPU here, depending on the load).

With ``--held NAME`` (a writer's set in ``bench/data/`` outside the training writers, e.g.
``dev9``), the net is trained on every training writer, its threshold chosen on all six
out-of-fold readings, and that set is scored the same three ways: the one measure here that no
training writer's tuning touched. Pooled rates carry their 95% Wilson intervals. Run it with
``OPENBLAS_NUM_THREADS=1``: OpenBLAS's threads spin against a loaded machine (a training took
534 s at a load average of 20 with them, 41 s without).
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from bench import _dangeralone as alone_
from bench import _learndata as data
from bench import evalset
from voice_repair.intents.learned import DANGER_PREFIX
from voice_repair.intents.matcher import IntentMatcher, normalize
from voice_repair.intents.semantic import MAX_WORDS, Decision

SAFETY = "safety"
OPEN_TO_THE_NET = frozenset({None, "semantic", "semantic-near-danger"})
"""(A)'s deciding nets over which the learned net's danger may speak (``matcher._learned``)."""
ROWS = (
    ("danger: alarm raised", "caught"),
    ("danger: alarm, fitting route", "route"),
    ("danger answered with a request", "answered"),
    ("hard negatives: false alarms", "false_alarm"),
    ("everyday: alarm raised", "everyday"),
    ("requests: alarm raised", "requests"),
)


@dataclass
class Count:
    """Hits and totals of one column."""

    rates: dict[str, list[int]] = field(default_factory=lambda: {k: [0, 0] for _, k in ROWS})

    def add(self, key: str, hit: bool) -> None:
        self.rates[key][0] += int(hit)
        self.rates[key][1] += 1

    def merge(self, other: Count) -> None:
        for key, (hits, total) in other.rates.items():
            self.rates[key][0] += hits
            self.rates[key][1] += total


def _count(sample: data.Sample, alarm: bool, routed: bool, request: bool, into: Count) -> None:
    if sample.label.startswith(DANGER_PREFIX):
        into.add("caught", alarm)
        into.add("route", routed)
        into.add("answered", request)
    elif sample.kind == "hard":
        into.add("false_alarm", alarm)
    elif sample.kind == "everyday":
        into.add("everyday", alarm)
    else:
        into.add("requests", alarm)


def score(
    matcher: IntentMatcher,
    corpus: data.Corpus,
    decided: dict[str, Decision],
    held: alone_.Held,
    t: float,
) -> tuple[Count, Count, Count]:
    """(A), the net alone, (A or net) on one held-out writer at threshold ``t``."""
    a, net, both = Count(), Count(), Count()
    for row, p, route in zip(held.rows, held.danger, held.route, strict=True):
        sample = corpus.samples[row]
        want = sample.label.removeprefix(DANGER_PREFIX)
        d = decided[sample.text]
        found = d.match.intent if d.match is not None else None
        a_alarm = found == SAFETY
        a_route = d.match.slots.get("route") if a_alarm and d.match is not None else None
        _count(sample, a_alarm, a_route == want, found not in (None, SAFETY), a)
        hit = bool(p >= t)
        _count(sample, hit, hit and route == want, False, net)
        said = normalize(sample.text)
        speaks = (
            not a_alarm
            and d.net in OPEN_TO_THE_NET
            and hit
            and len(said.split()) <= MAX_WORDS
            and not matcher._cancelled(said, route)
        )
        final_route = a_route if a_alarm else (route if speaks else None)
        request = found not in (None, SAFETY) and not speaks
        _count(sample, a_alarm or speaks, final_route == want, request, both)
    return a, net, both


def _cell(pair: list[int]) -> str:
    hits, total = pair
    if not total:
        return "-"
    low, high = evalset.wilson(hits, total)
    return f"{hits:>4}/{total:<4} {hits / total:6.1%} [{low:5.1%}, {high:5.1%}]"


def lines(title: str, columns: tuple[Count, Count, Count]) -> list[str]:
    heads = ("(A) pipeline", "learned net alone", "(A) or the net")
    out = [title, f"  {'':<32} " + " ".join(f"{h:<31}" for h in heads)]
    for label, key in ROWS:
        out.append(f"  {label:<32} " + " ".join(f"{_cell(c.rates[key]):<31}" for c in columns))
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench dangerlowo")
    parser.add_argument(
        "--held",
        default=None,
        help="a set in bench/data/ outside the training "
        "writers (e.g. dev9), scored with the net trained on all of them",
    )
    args = parser.parse_args(argv)
    folder = data.ROOT / "bench" / "data" / (args.held or "")
    if args.held is not None and (args.held in data.WRITERS or not folder.is_dir()):
        print(f"--held {args.held}: name a folder of bench/data/ that is no training writer.")
        return 2
    start = time.perf_counter()
    writers = data.WRITERS
    corpus = data.corpus(writers + ((args.held,) if args.held else ()))
    matcher = IntentMatcher.load(data.DATA)
    matcher.learned = None

    def train(keep: tuple[str, ...]):
        from bench import _learnfit as learnfit

        rows = corpus.rows(lambda s: s.source in {data.PRODUCT, *keep} and s.label != "?")
        labels = [corpus.samples[i].label for i in rows]
        return learnfit.train(corpus.x[rows], labels, [corpus.samples[i].text for i in rows])

    with ThreadPoolExecutor(1) as pool:  # numpy trains while the pipeline reads (both cores)
        trainings = {
            held: pool.submit(train, tuple(w for w in writers if w != held)) for held in writers
        }
        everyone = pool.submit(train, writers) if args.held else None
        decided = {
            s.text: matcher.explain(s.text) for s in corpus.samples if s.source != data.PRODUCT
        }
        print(f"  pipeline read every sentence: {time.perf_counter() - start:.0f} s", flush=True)
        folds = {held: alone_.held_out(corpus, trainings[held].result(), held) for held in writers}
        print(f"  six trainings: {time.perf_counter() - start:.0f} s", flush=True)
        out: list[str] = []
        pooled = (Count(), Count(), Count())
        for held in writers:
            t = alone_.threshold(corpus, [folds[w] for w in writers if w != held])
            columns = score(matcher, corpus, decided, folds[held], t)
            for total, part in zip(pooled, columns, strict=True):
                total.merge(part)
            out += lines(f"{held} left out (net's danger threshold {t:.3f})", columns)
        out += lines(f"pooled over the {len(writers)} writers left out", pooled)
        if everyone is not None:
            t = alone_.threshold(corpus, list(folds.values()))
            held = alone_.held_out(corpus, everyone.result(), args.held)
            columns = score(matcher, corpus, decided, held, t)
            out += ["", *lines(f"{args.held}, trained on all six (threshold {t:.3f})", columns)]
    for line in out:
        print(line)
    return 0


EXPLICIT_ONLY = True
__all__ = ["main", "score"]
