"""The danger head alone on writers it never saw, for two choices of its writers:
``python -m bench headalone``.

``_dangerhead.WRITERS`` (the first eight writers) is what the shipped danger readings learned
from; the lever left for danger said in ways the patterns miss is a head that learns from every
training writer (``_learndata.WRITERS``). Pattern work moved the blind writers' danger by 0
three sessions running, so this judges the net's own part, apart from the patterns: for each
training writer k, a head fitted without k (``_dangerhead.fit``: the product and the head's
writers but k; a writer not among the head's writers is read by the head over all of them, which
never saw it either) reads k's sentences, at the threshold ``_dangerhead.threshold`` chose for
that head over its own writers (the 1% rule of ``_dangeralone``). Reported per head, pooled:

- over the eight old writers (the numbers comparable to ``main``'s head);
- over the newer training writers (``dev12`` on), which the eight-writer head never saw;
- on the held-out writer (``--held``, ``dev17``), which neither head saw.

Counts: danger caught (and with the fitting route), hard negatives alarmed, everyday talk and
requests alarmed, by the net alone (``_dangeralone.alone``); the product ORs it with the
patterns and the other nets (``bench splitheads -- --replay`` judges that). The fits are those
``bench learned`` and ``bench splitheads`` keep (``_fitcache``), so after either this is quick.
"""

from __future__ import annotations

import argparse
import json

from bench import _dangeralone as dangeralone
from bench import _dangerhead as dangerhead
from bench import _learndata as data
from bench import evalset
from bench.lowo import Protocol
from voice_repair.intents.matcher import IntentMatcher

HEADS = {"8": data.WRITERS[:8], "all": data.WRITERS}
"""The danger heads compared, by the writers each learns from."""
ROWS = ("caught", "route", "false_alarm", "everyday", "requests")


def reading(protocol: Protocol, writers: tuple[str, ...], held: str, kind: str):
    """``held``'s sentences read by the head over ``writers`` without ``held``."""
    keep = tuple(w for w in writers if w != held)
    return dangeralone.held_out(protocol.corpus, dangerhead.fit(protocol, keep, kind), held)


def judge(
    protocol: Protocol, heads: dict[str, tuple[str, ...]], held: str, kind: str
) -> dict[str, dict[str, dangeralone.Alone]]:
    """For each head: its threshold and the net alone on every training writer and ``held``."""
    out: dict[str, dict[str, dangeralone.Alone]] = {}
    for name, writers in heads.items():
        t = dangerhead.threshold(protocol, writers, kind)
        print(f"head {name} ({len(writers)} writers, {kind}): threshold {t:.3f}", flush=True)
        out[name] = {
            w: dangeralone.alone(protocol.corpus, reading(protocol, writers, w, kind), t)
            for w in (*data.WRITERS, held)
        }
    return out


def _cell(pair: list[int]) -> str:
    low, high = evalset.wilson(pair[0], pair[1])
    return f"{pair[0]:>4}/{pair[1]:<4} [{low:5.1%}, {high:5.1%}]"


def report(scores: dict[str, dict[str, dangeralone.Alone]], held: str) -> list[str]:
    groups = (
        ("the eight old writers", data.WRITERS[:8]),
        ("the newer training writers", data.WRITERS[8:]),
        (f"held out ({held})", (held,)),
    )
    lines = []
    for title, writers in groups:
        lines.append(f"{title}: {', '.join(writers)}")
        lines.append(f"  {'':<12} " + " ".join(f"{name:<26}" for name in scores))
        pooled = {}
        for name, per in scores.items():
            total = dangeralone.Alone.empty()
            for w in writers:
                total.add(per[w])
            pooled[name] = total
        for row in ROWS:
            cells = " ".join(f"{_cell(getattr(pooled[n], row)):<26}" for n in scores)
            lines.append(f"  {row:<12} {cells}")
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench headalone")
    parser.add_argument("--held", default="dev17", help="a writer no head trains on")
    parser.add_argument("--kind", default=dangerhead.KIND, choices=("full", "danger-only"))
    parser.add_argument("--jobs", type=int, default=2, help="fits side by side (_fitcache)")
    parser.add_argument("--json", help="also write the per-writer counts to this file")
    args = parser.parse_args(argv)
    if args.held in data.WRITERS:
        print(f"{args.held} is a training writer; --held wants a set no head trains on")
        return 2
    matcher = IntentMatcher.load(data.DATA)
    protocol = Protocol(matcher, workers=args.jobs, writers=(*data.WRITERS, args.held))
    scores = judge(protocol, HEADS, args.held, args.kind)
    print("\n".join(report(scores, args.held)))
    if args.json:
        kept = {n: {w: a.__dict__ for w, a in per.items()} for n, per in scores.items()}
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(kept, out, indent=1)
    return 0


EXPLICIT_ONLY = True
__all__ = ["HEADS", "judge", "main", "report"]
