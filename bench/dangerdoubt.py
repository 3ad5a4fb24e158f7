"""The doubt rule, left one writer out: ``python -m bench dangerdoubt``.

A danger pattern's hit in a sentence holding a ``doubt:`` word of ``danger.yaml`` stands only
when the learned net reads the whole sentence as danger at ``dangerdoubt.AGREE`` or more
(``voice_repair/intents/dangerdoubt.py``). Only those sentences can change, so each is decided
through the whole pipeline twice, the rule off (``AGREE`` 0) and on, with the learned net
trained without the sentence's writer (``dangerveto.fitted``: the same fits, through the fit
cache ``bench/.cache/fits/``), and with ``--held NAME`` a set outside the training writers is
read by the net trained on all of them. Printed per writer and pooled over the training writers,
at each ``AGREE`` of the grid: danger sentences that lose their alarm, hard negatives that stop
raising it, and any request or everyday sentence whose answer changes (the data's own test
sentences too, read by the shipped net, which was trained on them). Counts only; ``--show``
prints the changed sentences of the writers named (never of a held-out writer unless named).
Run with ``OPENBLAS_NUM_THREADS=1``; a few minutes once the fits are kept.
"""

from __future__ import annotations

import argparse

from bench import _learndata as data
from bench import dangerveto
from voice_repair.datafiles import load_yaml
from voice_repair.intents import dangerdoubt
from voice_repair.intents.learned import LearnedNet
from voice_repair.intents.matcher import IntentMatcher
from voice_repair.intents.wording import normalize

GRID = (0.5, 0.8, 0.9, 0.95)
PRODUCT = "product"


def set_items(writer: str) -> list[tuple[str, str]]:
    """(kind, sentence) of one writer's set: request, danger, hard or everyday."""
    folder = data.ROOT / "bench" / "data" / writer
    out = [("request", str(i["text"])) for i in load_yaml(folder / "requests.yaml")[0]]
    out += [("danger", str(i["text"])) for i in load_yaml(folder / "danger.yaml")[0]]
    for name, kind in (("hard_negatives", "hard"), ("everyday", "everyday")):
        out += [(kind, str(s)) for s in load_yaml(folder / f"{name}.yaml")[0]["sentences"]]
    return out


def product_items() -> list[tuple[str, str]]:
    """(kind, sentence) of the data's own tests: safety is danger, ``_*.yaml`` hard."""
    out: list[tuple[str, str]] = []
    for path in sorted((data.DATA / "tests").glob("*.yaml")):
        kind = "danger" if path.stem == "safety" else "hard" if path.stem[0] == "_" else "request"
        out += [(kind, t) for t in _strings(load_yaml(path)[0].get("tests", []))]
    return out


def _strings(doc) -> list[str]:
    if isinstance(doc, dict):
        return [s for v in doc.values() for s in _strings(v)]
    if isinstance(doc, list):
        return [s for v in doc for s in _strings(v)]
    return [doc] if isinstance(doc, str) else []


def changes(matcher: IntentMatcher, items: list[tuple[str, str]], agree: float) -> list:
    """(what changed, kind, before, after, sentence) for each item the rule at ``agree``
    decides differently from the rule off; only doubted pattern hits are decided at all. The
    rule's own level is put back after each sentence."""
    scan = matcher._danger
    if scan is None:
        return []
    doubted = [
        (k, t) for k, t in items if (s := normalize(t)) and scan.route(s) and scan.doubted(s)
    ]
    out, kept = [], dangerdoubt.AGREE
    for kind, text in doubted:
        try:
            dangerdoubt.AGREE = 0.0
            before = matcher.explain(text).match
            dangerdoubt.AGREE = agree
            after = matcher.explain(text).match
        finally:
            dangerdoubt.AGREE = kept
        was, now = (m.intent if m else None for m in (before, after))
        if was == now:
            continue
        if kind == "danger" and was == "safety":
            what = "danger lost"
        elif kind == "hard" and was == "safety":
            what = "false alarm removed"
        else:
            what = f"{kind} changed"
        out.append((what, kind, was, now, text))
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench dangerdoubt")
    parser.add_argument("--held", default=None, help="a set of bench/data/ outside the writers")
    parser.add_argument("--jobs", type=int, default=1, help="fits side by side (processes)")
    parser.add_argument("--show", default="", help="writers whose changed sentences to print")
    args = parser.parse_args(argv)
    writers = data.WRITERS
    if args.held is not None and (
        args.held in writers or not (data.ROOT / "bench" / "data" / args.held).is_dir()
    ):
        print(f"--held {args.held}: name a folder of bench/data/ that is no training writer.")
        return 2
    held = (args.held,) if args.held else ()
    nets = dangerveto.fitted(data.corpus(writers + held, noise=0), writers, args.jobs)
    matcher = IntentMatcher.load(data.DATA)
    shipped = matcher.learned
    show = set(filter(None, args.show.split(",")))
    pooled = {x: {} for x in GRID}
    try:
        for source in (*writers, *held, PRODUCT):
            items = product_items() if source == PRODUCT else set_items(source)
            net = nets.get(source if source in writers else "") if source != PRODUCT else None
            matcher.learned = LearnedNet(data.DATA, net) if net is not None else shipped
            for x in GRID:
                found = changes(matcher, items, x)
                counts: dict[str, int] = {}
                for what, *_ in found:
                    counts[what] = counts.get(what, 0) + 1
                if source in writers:
                    for what, n in counts.items():
                        pooled[x][what] = pooled[x].get(what, 0) + n
                tag = " (held out)" if source in held else ""
                print(f"{source + tag:<20} AGREE {x}: {_line(counts)}")
                for what, _kind, was, now, text in found if source in show else ():
                    print(f"    {what}: {was} -> {now} | {text}")
    finally:
        matcher.learned = shipped
    for x in GRID:
        print(f"pooled over {len(writers)} writers, AGREE {x}: {_line(pooled[x])}")
    return 0


def _line(counts: dict[str, int]) -> str:
    return ", ".join(f"{what} {n}" for what, n in sorted(counts.items())) or "no change"


EXPLICIT_ONLY = True  # minutes: reads the doubted sentences of every writer, a net per writer
__all__ = ["changes", "main"]
