"""How the semantic net's thresholds are chosen, and what it adds on sentences we did not write.

``python -m bench semantic [-- --dev DIR]``. Two parts:

1. **Cross-validation on the data alone** (five folds, fixed seed): every test sentence of
   ``intents/en/tests/`` is held out once and decided by its nearest examples in the other four
   folds. For each threshold pair it prints the share of held-out requests understood, of
   held-out near-miss everyday sentences (``_none``) and idioms (``_idioms``) matched, and of
   held-out danger sentences caught. The rule that picks ``semantic.INTENT``: the most requests
   understood with no idiom matched and at most 10% of ``_none`` matched; ``semantic.DANGER``:
   the most danger caught with at most 5% of the idioms raising it.
2. **A development set** written by someone who never read ``intents/en/`` (``bench/data/dev``
   or ``/work/sets/dev``; skipped when absent): requests understood (by intent), danger caught
   (and by the right route), hard-negative false alarms, everyday sentences matched, for the
   templates alone and with the net. Never the frozen set.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from voice_repair.datafiles import load_yaml
from voice_repair.intents.examples import Examples
from voice_repair.intents.matcher import IntentMatcher, normalize
from voice_repair.intents.nearness import DANGER, INTENT, SAFETY
from voice_repair.intents.nearness import groups_of as _groups

ROOT = Path(__file__).resolve().parent.parent / "intents" / "en"
DEV = next(
    (p for p in (Path(__file__).parent / "data" / "dev", Path("/work/sets/dev")) if p.is_dir()),
    Path("/work/sets/dev"),
)
"""The development set: ``bench/data/dev`` when the checkout has it, else the writers' copy."""
SCORES = (0.55, 0.6, 0.65, 0.7, 0.75)
MARGINS = (0.0, 0.05, 0.1, 0.15)


def _held_out(examples: Examples, folds: int = 5) -> dict[str, np.ndarray]:
    """Per example, against the other folds: best intent, its score, best danger, best negative."""
    fold = np.random.default_rng(0).integers(0, folds, len(examples.items))
    n = len(examples.items)
    out = {k: np.zeros(n) for k in ("score", "second", "danger", "negative")}
    best_name = np.empty(n, dtype=object)
    for f in range(folds):
        train = np.flatnonzero(fold != f)
        sub = Examples(tuple(examples.items[i] for i in train), examples.vectors[train])
        groups = _groups(sub)
        for i in np.flatnonzero(fold == f):
            best = np.maximum.reduceat(
                (sub.vectors @ examples.vectors[i])[groups.order], groups.starts
            )
            named = dict(zip(groups.names, best.tolist(), strict=True))
            out["negative"][i] = named.get("", -1.0)
            out["danger"][i] = named.get(SAFETY, -1.0)
            ranked = sorted(
                ((s, k) for k, s in named.items() if k not in ("", SAFETY)), reverse=True
            )
            (score, name), (second, _) = ranked[0], ranked[1]
            out["score"][i], out["second"][i], best_name[i] = score, second, name
    return {**out, "name": best_name}


def cross_validate(examples: Examples) -> None:
    h = _held_out(examples)
    intent = np.array([e.intent for e in examples.items], dtype=object)
    source_none = np.array([not e.intent for e in examples.items])
    idioms = _idiom_mask(examples)
    requests = (intent != "") & (intent != SAFETY)
    safety = intent == SAFETY
    print("\nCross-validation on intents/en/tests (5 folds): requests")
    print(" score margin | understood  wrong  _none matched  idioms matched")
    for score in SCORES:
        for margin in MARGINS:
            fire = (h["score"] >= score) & (h["score"] - h["negative"] >= margin)
            fire &= h["score"] > h["danger"]
            ok = fire & (h["name"] == intent)
            none = fire[source_none & ~idioms].mean()
            print(
                f" {score:5.2f} {margin:6.2f} | {ok[requests].mean():10.1%} "
                f"{(fire & ~ok)[requests].mean():6.1%} {none:14.1%} {fire[idioms].mean():15.1%}"
            )
    print(f"the lead over the next intent, at score {INTENT.score} margin {INTENT.margin}")
    print("  lead | understood  wrong  understood - 2 x wrong")
    for lead in (0.0, 0.01, 0.02, 0.03, 0.05):
        fire = (h["score"] >= INTENT.score) & (h["score"] - h["negative"] >= INTENT.margin)
        fire &= (h["score"] > h["danger"]) & (h["score"] - h["second"] >= lead)
        ok, bad = (
            (fire & (h["name"] == intent))[requests].mean(),
            (fire & (h["name"] != intent))[requests].mean(),
        )
        print(f"  {lead:4.2f} | {ok:10.1%} {bad:6.1%} {ok - 2 * bad:23.1%}")
    print("danger")
    print(" score margin | caught  idioms raising it  _none raising it  requests raising it")
    for score in SCORES:
        for margin in MARGINS:
            fire = (h["danger"] >= score) & (h["danger"] - h["negative"] >= margin)
            print(
                f" {score:5.2f} {margin:6.2f} | {fire[safety].mean():6.1%} "
                f"{fire[idioms].mean():17.1%} {fire[source_none & ~idioms].mean():17.1%} "
                f"{fire[requests].mean():20.1%}"
            )
    print(f"in use: INTENT {INTENT}, DANGER {DANGER}")


def _idiom_mask(examples: Examples) -> np.ndarray:
    doc, _ = load_yaml(ROOT / "tests" / "_idioms.yaml")
    idioms = {normalize(t) for t in doc["sentences"]}
    return np.array([not e.intent and e.text in idioms for e in examples.items])


def development(matcher: IntentMatcher, folder: Path) -> None:
    requests, _ = load_yaml(folder / "requests.yaml")
    danger, _ = load_yaml(folder / "danger.yaml")
    hard, _ = load_yaml(folder / "hard_negatives.yaml")
    everyday, _ = load_yaml(folder / "everyday.yaml")

    def templates(text: str):
        found = matcher.match_all(text)
        return found[0] if found else None

    print(f"\nDevelopment set {folder} (written by someone who never read intents/en/)")
    print(f"{'':34} {'templates alone':>16} {'+ semantic net':>16}")
    rows: dict[str, list[str]] = {}
    for name, decide in (("templates", templates), ("net", matcher.match)):
        req = [decide(r["text"]) for r in requests]
        ok = sum(1 for r, m in zip(requests, req, strict=True) if m and m.intent == r["intent"])
        slots = sum(
            1
            for r, m in zip(requests, req, strict=True)
            if m and m.intent == r["intent"] and m.slots == dict(r.get("slots") or {})
        )
        wrong = sum(1 for r, m in zip(requests, req, strict=True) if m and m.intent != r["intent"])
        dg = [decide(d["text"]) for d in danger]
        caught = sum(1 for m in dg if m and m.intent == SAFETY)
        routed = sum(
            1 for d, m in zip(danger, dg, strict=True) if m and m.slots.get("route") == d["route"]
        )
        other = sum(1 for m in dg if m and m.intent != SAFETY)
        hn = [decide(t) for t in hard["sentences"]]
        ev = [decide(t) for t in everyday["sentences"]]
        n, d = len(requests), len(danger)
        rows[name] = [
            f"{ok}/{n} ({ok / n:.0%})",
            f"{slots}/{n}",
            f"{wrong}",
            f"{caught}/{d} ({caught / d:.0%})",
            f"{routed}/{d}",
            f"{other}",
            f"{sum(1 for m in hn if m and m.intent == SAFETY)}/{len(hn)}",
            f"{sum(1 for m in hn if m and m.intent != SAFETY)}/{len(hn)}",
            f"{sum(1 for m in ev if m)}/{len(ev)}",
        ]
    labels = [
        "requests understood (intent)",
        "  ... with the right slots",
        "  ... another intent",
        "danger caught",
        "  ... by the right route",
        "  ... given another intent",
        "hard negatives raising danger",
        "hard negatives made requests",
        "everyday sentences matched",
    ]
    for i, label in enumerate(labels):
        print(f"{label:34} {rows['templates'][i]:>16} {rows['net'][i]:>16}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench semantic")
    parser.add_argument("--dev", type=Path, default=DEV, help="development set folder")
    args = parser.parse_args(argv)
    matcher = IntentMatcher.load(ROOT)
    start = time.perf_counter()
    if matcher.semantic is None or not matcher.semantic.ready():
        print("the sentence-embedding model is not usable; nothing to measure")
        return 1
    print(f"semantic net loaded in {time.perf_counter() - start:.2f} s")
    cross_validate(matcher.semantic.examples())
    if (args.dev / "requests.yaml").is_file():
        development(matcher, args.dev)
    return 0
