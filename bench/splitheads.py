"""The learned net's danger side trained apart from its requests: ``python -m bench splitheads``.

One softmax over requests, danger routes and ``none`` shares its mass, so adding writers (whose
requests are most of what they bring) moved the danger readings: twice a retrain on more
writers gained requests on the blind writers and lost a danger alarm on each (README). Here
each variant is judged leaving one training writer out (each of ``_learndata.WRITERS`` in turn,
every net of the fold trained without it) and on a held-out writer no net ever sees
(``--held``, ``dev17``):

- ``S``  as shipped: one net over eight writers (``EIGHT``), requests and danger;
- ``V0`` one net over all ten (the retrain that was not shipped);
- ``V1`` requests from the ten-writer net, danger from the eight-writer net (``DangerHead``);
- ``V2`` requests from the ten-writer net, danger from a danger-only head (the routes and
  ``none``) trained on all ten;
- ``V3`` the same danger-only head trained on the eight.

Thresholds are the quick protocol's (``bench lowo --fixed``): chosen once over the training
writers' out-of-fold readings (requests: ``_learnfit.choose``; danger: ``_dangeralone``, the net
alone), then fixed for every fold, so a fold's held-out writer had a small say in them (as in
``lowo --fixed``); the held-out writer had none. Folds can run in separate processes
(``--writers``); each writes its scores to ``bench/.cache/splitheads/`` and ``--report`` pools
what is there.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace

from bench import _dangeralone as dangeralone
from bench import _dangerhead as dangerhead
from bench import _learndata as data
from bench import evalset
from bench._headreplay import Replay
from bench.lowo import Protocol
from voice_repair.intents.learned import Weights
from voice_repair.intents.matcher import IntentMatcher

EIGHT = data.WRITERS[:8]
"""The writers the shipped net (tenth merge) was trained on: ``dev`` ... ``dev11``."""
TEN = data.WRITERS
HELD = "dev17"
FOLDER = data.ROOT / "bench" / ".cache" / "splitheads"
VARIANTS = ("S", "V0", "V1", "V2", "V3")
ROWS = (
    ("requests right", "exact"),
    ("requests silent", "silent"),
    ("danger caught", "danger"),
    ("danger, fitting route", "route"),
    ("false alarms (hard neg.)", "false_alarm"),
    ("everyday taken for a request", "everyday"),
    ("everyday answered at home", "everyday_answered"),
)


class Heads:
    """The fits of both kinds over any set of writers, kept on disk (``_fitcache``)."""

    def __init__(self, protocol: Protocol) -> None:
        self.p = protocol

    def full(self, writers: tuple[str, ...]) -> Weights:
        """One softmax over every class, on the product and ``writers``."""
        return self.p.trained([writers])[0]

    def danger_only(self, writers: tuple[str, ...]) -> Weights:
        """The routes and ``none`` (every sentence that is not danger), same data."""
        return dangerhead.fit(self.p, writers, "danger-only")

    def prefit(self) -> None:
        """Every fit the run needs, ``workers`` at a time."""
        sets = [TEN, EIGHT, *_without(TEN), *_without(EIGHT)]
        self.p.trained(sets)
        for ws in sets:
            self.danger_only(ws)


def _without(writers: tuple[str, ...]) -> list[tuple[str, ...]]:
    return [tuple(w for w in writers if w != held) for held in writers]


def _minus(writers: tuple[str, ...], held: str) -> tuple[str, ...]:
    return tuple(w for w in writers if w != held)


def thresholds(heads: Heads, names: tuple[str, ...] = VARIANTS) -> dict[str, float]:
    """Request thresholds (asked, stated) of the eight- and ten-writer nets, chosen on their
    writers' out-of-fold readings; the danger threshold of each danger reading the variants
    ``names`` need, on the net alone (``_dangeralone``). Kept on disk."""
    path = FOLDER / "thresholds.json"
    out: dict[str, float] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    kinds = [("full", heads.full)]
    kinds += [("donly", heads.danger_only)] if {"V2", "V3"} & set(names) else []
    for name, writers in (("8", EIGHT), ("10", TEN)):
        if f"asked{name}" not in out:
            chosen = heads.p.weights(writers)
            out[f"asked{name}"], out[f"stated{name}"] = chosen.request, chosen.stated
        for kind, train in kinds:
            needed = kind == "full" or ("V2" if name == "10" else "V3") in names
            if f"danger_{kind}{name}" in out or not needed:
                continue
            folds = dangeralone.out_of_fold(heads.p.corpus, writers, train)
            out[f"danger_{kind}{name}"] = dangeralone.threshold(heads.p.corpus, folds)
        FOLDER.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(out, indent=1), encoding="utf-8")
    return out


def variants(
    heads: Heads, held: str, t: dict[str, float], names: tuple[str, ...] = VARIANTS
) -> dict[str, Weights]:
    """The variants ``names`` for one held-out writer, each trained without it."""
    eight, ten = _minus(EIGHT, held), _minus(TEN, held)
    r8, r10 = heads.full(eight), heads.full(ten)
    v0 = replace(r10, request=t["asked10"], stated=t["stated10"], danger=t["danger_full10"])
    make = {
        "S": lambda: replace(
            r8, request=t["asked8"], stated=t["stated8"], danger=t["danger_full8"]
        ),
        "V0": lambda: v0,
        "V1": lambda: replace(v0, danger=t["danger_full8"], danger_head=dangerhead.head(r8)),
        "V2": lambda: replace(
            v0,
            danger=t["danger_donly10"],
            danger_head=dangerhead.head(heads.danger_only(ten)),
        ),
        "V3": lambda: replace(
            v0,
            danger=t["danger_donly8"],
            danger_head=dangerhead.head(heads.danger_only(eight)),
        ),
    }
    return {name: make[name]() for name in names}


def run_fold(heads: Heads, held: str, t: dict[str, float], only: tuple[str, ...]) -> None:
    """Score ``held`` with each variant and keep the scores on disk."""
    nets = variants(heads, held, t, only)
    kept = {}
    for name in only:
        score = heads.p.score(held, nets[name], parts=False)
        kept[name] = {attr: _plain(getattr(score, attr)) for _, attr in ROWS}
        heads.p.decided.save()
    path = FOLDER / f"fold-{held}.json"
    old = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    path.write_text(json.dumps({**old, **kept}, indent=1), encoding="utf-8")


def _plain(value: evalset.Rate | int) -> list[int] | int:
    return [value.hits, value.total] if isinstance(value, evalset.Rate) else value


def _cell(value: list[int] | int) -> str:
    if isinstance(value, int):
        return f"{value:>4}"
    hits, total = value
    low, high = evalset.wilson(hits, total)
    return f"{hits:>4}/{total:<4} {hits / max(total, 1):6.1%} [{low:5.1%}, {high:5.1%}]"


def report(writers: tuple[str, ...]) -> list[str]:
    """Pooled over ``writers`` (the folds found) and the held-out writer apart."""
    folds = {}
    for w in (*writers, HELD):
        path = FOLDER / f"fold-{w}.json"
        if path.is_file():
            folds[w] = json.loads(path.read_text(encoding="utf-8"))
    lines = []
    pooled = [w for w in writers if w in folds]
    groups = [("pooled", pooled), (HELD, [HELD] if HELD in folds else [])]
    for title, ws in groups:
        names = [v for v in VARIANTS if all(v in folds[w] for w in ws)] if ws else []
        lines += _table(f"{title} ({', '.join(ws)})", folds, ws, names, ROWS)
    return lines


def _table(
    title: str, kept: dict, ws: list[str], names: list[str] | tuple[str, ...], rows
) -> list[str]:
    """One table: a column per variant in ``names``, a row per ``(label, attr)`` in ``rows``,
    each cell pooled over the writers ``ws`` (a count summed, or a hits/total pair summed)."""
    lines = [title, f"  {'':<30} " + " ".join(f"{n:<30}" for n in names)]
    for label, attr in rows:
        cells = []
        for n in names:
            vals = [kept[w][n][attr] for w in ws]
            pooled = (
                sum(vals)
                if isinstance(vals[0], int)
                else [sum(v[0] for v in vals), sum(v[1] for v in vals)]
            )
            cells.append(f"{_cell(pooled):<30}")
        lines.append(f"  {label:<30} " + " ".join(cells))
    return lines


def replay(
    heads: Heads, t: dict[str, float], writers: list[str], names: tuple[str, ...]
) -> list[str]:
    """Every variant on every fold by the quick replay (``_headreplay``), pooled over the
    training writers among ``writers`` and the held-out writer apart."""
    again = Replay(heads.p)
    path = FOLDER / "replay.json"
    for held in writers:
        nets = variants(heads, held, t, names)
        tallies = {name: again.tally(held, net).as_dict() for name, net in nets.items()}
        heads.p.decided.save()
        kept = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        kept[held] = {**kept.get(held, {}), **tallies}  # runs side by side add their folds
        FOLDER.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(kept, indent=1), encoding="utf-8")
    return replayed(names)


def replayed(names: tuple[str, ...]) -> list[str]:
    """The kept replay tallies: pooled over the training writers found, the held-out apart."""
    path = FOLDER / "replay.json"
    kept = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    lines = []
    for title, ws in (("pooled", list(TEN)), (HELD, [HELD])):
        ws = [w for w in ws if w in kept and all(n in kept[w] for n in names)]
        if not ws:
            continue
        rows = [
            (a, a) for a in ("requests", "danger", "false_alarm", "everyday", "danger_to_request")
        ]
        lines += _table(f"replayed, {title} ({', '.join(ws)})", kept, ws, names, rows)
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench splitheads")
    parser.add_argument("--writers", nargs="*", default=[*TEN, HELD], help="folds to score")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS))
    parser.add_argument("--jobs", type=int, default=2, help="fits side by side (_fitcache)")
    parser.add_argument("--prefit", action="store_true", help="only fit and choose thresholds")
    parser.add_argument("--report", action="store_true", help="only pool the kept scores")
    parser.add_argument(
        "--replay", action="store_true", help="the quick replay (_headreplay) of every fold"
    )
    args = parser.parse_args(argv)
    if args.report:
        print("\n".join(report(TEN) + replayed(tuple(args.variants))))
        return 0
    start = time.perf_counter()
    protocol = Protocol(IntentMatcher.load(data.DATA), workers=args.jobs, writers=(*TEN, HELD))
    heads = Heads(protocol)
    if args.prefit:
        heads.prefit()
        print(f"fits ready: {time.perf_counter() - start:.0f} s", flush=True)
    t = thresholds(heads, tuple(args.variants))
    protocol.decided.save()
    print(f"thresholds {json.dumps(t)}: {time.perf_counter() - start:.0f} s", flush=True)
    if args.prefit:
        return 0
    if args.replay:
        print("\n".join(replay(heads, t, args.writers, tuple(args.variants))))
        return 0
    for held in args.writers:
        run_fold(heads, held, t, tuple(args.variants))
        print(f"fold {held}: {time.perf_counter() - start:.0f} s", flush=True)
    print("\n".join(report(TEN)))
    return 0


EXPLICIT_ONLY = True
__all__ = ["EIGHT", "HELD", "TEN", "Heads", "main", "report", "thresholds", "variants"]
