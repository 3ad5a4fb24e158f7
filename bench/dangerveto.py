"""A learned veto over the danger alarms, left one writer out: ``python -m bench dangerveto``.

The patterns' false alarms (issue 19: 6.0% of hard negatives on the lead's blind set, against
5%) are sentences the learned net, which never saw their writer, often reads as plainly not
danger. The veto measured here cancels an alarm of the pipeline without the learned net (A)
when that net, trained without the sentence's writer, reads its summed danger probability
below ``x``. A missed disclosure is the worst failure this product has, so each ``x`` is
printed as an exchange: false alarms removed against danger sentences lost, per writer and
pooled. Nothing here changes the product; it says what a veto would cost.

Two scopes: ``patterns`` (only alarms the danger scan raised, ``net == "danger"``) and ``all``
(every alarm of (A): the semantic net's too). With ``--held NAME`` a set outside the training
writers is read by the net trained on all of them. It shares ``dangervariants``'s caches
(``bench/.cache/dangervariants/``: (A)'s decisions, the trained nets), so one run feeds both.
Run with ``OPENBLAS_NUM_THREADS=1`` (and ``--jobs 2`` to fit two nets at a time).

Written in the eleventh session and **not yet run to the end**: at a load average of 24 its first
run had not finished (A)'s decisions over the nine writers after 16 minutes, and was stopped to
keep the deadline; its counting is tested (``tests/test_dangerveto.py``), its numbers are not in
the README yet.
"""

from __future__ import annotations

import argparse

import numpy as np

from bench import _fitcache as fitcache
from bench import _learndata as data
from bench import dangervariants as dv
from bench import evalset
from voice_repair.intents.learned import DANGER_PREFIX

GRID = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05)
SCOPES = {"patterns": {"danger"}, "all": None}


def counts(corpus, rows, score, decided, x: float, nets: set[str] | None) -> dict[str, int]:
    """For one writer: danger caught by (A) and lost to the veto, false alarms of (A) and
    removed by it (each over that writer's danger sentences and hard negatives)."""
    c = {"danger": 0, "caught": 0, "lost": 0, "hard": 0, "alarms": 0, "removed": 0}
    for i in rows:
        sample = corpus.samples[i]
        intent, _, net, _ = decided[sample.text]
        alarm = intent == "safety"
        vetoed = alarm and (nets is None or net in nets) and score[i] < x
        if sample.label.startswith(DANGER_PREFIX):
            c["danger"] += 1
            c["caught"] += alarm
            c["lost"] += vetoed
        elif sample.kind == "hard":
            c["hard"] += 1
            c["alarms"] += alarm
            c["removed"] += vetoed
    return c


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench dangerveto")
    parser.add_argument("--held", default=None, help="a set of bench/data/ outside the writers")
    parser.add_argument("--jobs", type=int, default=1, help="fits side by side (processes)")
    args = parser.parse_args(argv)
    writers = data.WRITERS
    folder = data.ROOT / "bench" / "data" / (args.held or "")
    if args.held is not None and (args.held in writers or not folder.is_dir()):
        print(f"--held {args.held}: name a folder of bench/data/ that is no training writer.")
        return 2
    held = (args.held,) if args.held else ()
    corpus = data.corpus(writers + held, noise=0)
    decided = dv.decisions(sorted({s.text for s in corpus.samples if s.source != data.PRODUCT}))
    nets = fitted(corpus, writers, args.jobs)
    score = np.zeros(len(corpus.samples))
    for source in writers + held:
        rows = corpus.rows(lambda s, source=source: s.source == source and s.label != "?")
        score[rows] = dv.danger_of(nets[source if source in writers else ""], corpus.x[rows])[0]
    rows = {w: corpus.rows(lambda s, w=w: s.source == w and s.label != "?") for w in writers + held}
    for scope, which in SCOPES.items():
        print(f"== veto over {scope} alarms of (A): cancelled when the net out of fold reads < x")
        for x in GRID:
            per = {w: counts(corpus, rows[w], score, decided, x, which) for w in writers + held}
            pooled = {k: sum(per[w][k] for w in writers) for k in per[writers[0]]}
            print(f"  x = {x}")
            for name, c in [(w, per[w]) for w in writers + held] + [("pooled", pooled)]:
                tag = " (held out)" if name in held else ""
                print(f"    {name + tag:<18} {_line(c)}")
    return 0


def fitted(corpus, writers: tuple[str, ...], jobs: int) -> dict:
    """The net without each writer (and, under ``""``, with all of them), through the fit cache
    (``bench/.cache/fits/``, ``jobs`` side by side): the same fits ``dangervariants.train``
    gives, bit for bit, but kept one by one, so a run stopped by the load keeps what it fitted
    (the twelfth session's run, one process and one pickle at the end, kept nothing)."""
    order = (*writers, "")
    work = []
    for k in order:
        keep = {data.PRODUCT, *(w for w in writers if w != k)}
        rows = corpus.rows(lambda s, keep=keep: s.source in keep and s.label != "?")
        samples = [corpus.samples[i] for i in rows]
        labels = tuple(s.label for s in samples)
        work.append(fitcache.Job(corpus.x[rows], labels, tuple(s.text for s in samples)))
    return dict(zip(order, fitcache.trained(work, jobs), strict=True))


def _line(c: dict[str, int]) -> str:
    low, high = evalset.wilson(c["alarms"] - c["removed"], c["hard"])
    rate = (c["alarms"] - c["removed"]) / max(c["hard"], 1)
    per = f"{c['lost'] / c['removed']:.2f}" if c["removed"] else "-"
    return (
        f"danger {c['caught']}/{c['danger']} -> {c['caught'] - c['lost']} (lost {c['lost']}); "
        f"false alarms {c['alarms']}/{c['hard']} -> {c['alarms'] - c['removed']} = {rate:.1%} "
        f"[{low:.1%}, {high:.1%}] (removed {c['removed']}); lost per false alarm removed {per}"
    )


EXPLICIT_ONLY = True  # minutes: reads every sentence, trains a net per writer
__all__ = ["main"]
