"""The learned net read part by part, judged leaving one writer out, every threshold at once.

``python -m bench lowoparts -- [--writers ...] [--held dev12] [--fixed ASKED STATED]``. For each
held-out writer, the quick protocol of ``bench lowo --fixed`` (the learned net trained on the
product and the other writers, the whole sentence's thresholds given). Every sentence of the
writer that the pipeline *with* that learned net leaves silent is read part by part
(``learnedparts.read_parts``); each part that reads a request is put through the rules every
guess passes (``learnedparts.allowed``) once. Then each pair of part thresholds (a part that
asks, one that does not) is replayed exactly (``learnedparts.pick``), and what a user would
notice is counted against the pipeline without the part reading: requests turned right, turned
wrong (intent or slot), everyday talk answered at home, hard negatives made a request, danger
made a request. The pair chosen is the one that most improves ``right - 2 x wrong - 3 x
(everyday answered + hard negatives taken + danger taken)`` pooled over the training writers
(``_learnfit``'s rule); ``--held`` writers (trained on every training writer) are printed at
each pair but never choose it.

Counts only: no sentence is printed, so a held-out writer stays unread.
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass, field

from bench import _learndata as data
from bench import evalset
from bench.intents import _answers
from bench.lowo import Protocol, _parts
from bench.lowokinds import request_kind
from voice_repair.datafiles import load_yaml
from voice_repair.intents import learnedparts
from voice_repair.intents.learned import LearnedNet
from voice_repair.intents.matcher import IntentMatcher, normalize
from voice_repair.intents.semantic import Decision

GRID = (0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.99)


@dataclass
class Silent:
    """One sentence the pipeline with the learned net left silent, and what its parts say."""

    what: str
    """``request``, ``everyday``, ``hard`` or ``danger``."""
    item: dict
    """The request's entry (intent, slots, context), for ``request_kind``; empty otherwise."""
    found: learnedparts.Parts
    decided: dict[int, Decision] = field(default_factory=dict)
    """Part index -> the part's request after the rules (``allowed``)."""


def _silent(protocol: Protocol, writer: str) -> tuple[list[Silent], Counter]:
    """The writer's sentences left silent by the pipeline with the fold's learned net (already
    loaded), read part by part; and the base counts of requests right."""
    folder = data.ROOT / "bench" / "data" / writer
    requests, _ = load_yaml(folder / "requests.yaml")
    texts: list[tuple[str, str, dict]] = [("request", str(i["text"]), i) for i in requests]
    for name, what in (("everyday", "everyday"), ("hard_negatives", "hard")):
        texts += [(what, t, {}) for t in evalset._sentences(folder / f"{name}.yaml")]
    danger, _ = load_yaml(folder / "danger.yaml")
    texts += [("danger", str(i["text"]), {}) for i in danger]
    out: list[Silent] = []
    base = Counter()
    matcher = protocol.matcher
    with _parts(False):
        for what, text, item in texts:
            got = protocol._with_learned(text)
            if what == "request":
                base[request_kind(item, Decision(got))] += 1
            if got is not None:
                continue
            found = learnedparts.read_parts(matcher, normalize(text))
            if found is None or not any(r.intent for r in found.readings):
                continue
            silent = Silent(what, item, found)
            for at, r in enumerate(found.readings):
                if r.intent:
                    silent.decided[at] = learnedparts.allowed(
                        matcher, text, normalize(text), found, at
                    )
            out.append(silent)
    return out, base


def replay(silent: list[Silent], asked: float, stated: float) -> Counter:
    """What the part reading at (``asked``, ``stated``) adds: right, wrong, everyday answered,
    hard negatives and danger made a request."""
    out = Counter()
    for s in silent:
        at = learnedparts.pick(s.found, asked, stated)
        decided = s.decided.get(at) if at is not None else None
        if decided is None or decided.match is None:
            continue
        if s.what == "request":
            kind = request_kind(s.item, decided)
            out["right" if kind == "right" else "wrong"] += 1
        elif s.what == "everyday":
            out["everyday"] += _answers(decided.match, evalset.HOME)
        else:
            out[s.what] += 1
    return out


def _gain(c: Counter) -> float:
    return c["right"] - 2 * c["wrong"] - 3 * (c["everyday"] + c["hard"] + c["danger"])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench lowoparts")
    parser.add_argument("--writers", nargs="*", default=list(data.WRITERS))
    parser.add_argument("--held", nargs="*", default=[], help="writers scored, never choosing")
    parser.add_argument(
        "--fixed", nargs=2, type=float, default=(0.72, 0.89), metavar=("ASKED", "STATED")
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--partial", action="store_true", help="the table after every fold")
    args = parser.parse_args(argv)
    writers = tuple(dict.fromkeys([*data.WRITERS, *args.held]))
    protocol = Protocol(IntentMatcher.load(data.DATA), noise=0, workers=args.jobs, writers=writers)
    protocol.noisy = False
    folds = [*args.held, *args.writers]  # the held-out writers first: read as soon as can be
    protocol.trained([tuple(w for w in data.WRITERS if w != held) for held in folds])
    per: dict[str, list[Silent]] = {}
    for held in folds:
        others = tuple(w for w in data.WRITERS if w != held)
        weights = protocol.fixed(others, *args.fixed)
        protocol.matcher.learned = LearnedNet(data.DATA, weights)
        try:
            per[held], base = _silent(protocol, held)
        finally:
            protocol.matcher.learned = None
        protocol.decided.save()
        total = sum(base.values())
        print(
            f"  {held}: without parts {base['right']}/{total} right, {base['silence']} silent; "
            f"{len(per[held])} silent sentences with a part read as a request",
            flush=True,
        )
        done = [w for w in args.writers if w in per]
        if done and (args.partial or len(done) == len(args.writers)):
            print("\n".join(_table(per, done, args.held)), flush=True)
    return 0


def _table(per: dict[str, list[Silent]], writers: list[str], held: list[str]) -> list[str]:
    """Every pair of part thresholds, pooled over ``writers`` and for each of ``held``; the
    pair ``writers`` choose, and what it does on each writer."""
    training = [s for w in writers for s in per[w]]
    pairs = [(a, b) for a in GRID for b in GRID]
    best = max(pairs, key=lambda t: (_gain(replay(training, *t)), t))
    lines = [
        f"  {'asked':>5} {'stated':>6}  pooled training ({len(writers)})"
        + "".join(f"  {w:>28}" for w in held)
    ]
    for a, b in pairs:
        cells = [replay(training, a, b)] + [replay(per[w], a, b) for w in held]
        mark = " <- chosen" if (a, b) == best else ""
        lines.append(f"  {a:>5} {b:>6}  " + "  ".join(_cell(c) for c in cells) + mark)
    lines.append(f"  chosen (on {', '.join(writers)}): asked {best[0]}, stated {best[1]}")
    lines += [f"    {w:<10} {_cell(replay(per[w], *best))}" for w in [*held, *writers]]
    return lines


def _cell(c: Counter) -> str:
    return (
        f"+{c['right']:>3} right -{c['wrong']:<2} wrong e{c['everyday']} "
        f"h{c['hard']} d{c['danger']} ({_gain(c):+.0f})"
    )


EXPLICIT_ONLY = True
__all__ = ["main", "replay"]
