"""Leave one writer out, read by kind: which net answers what, out of fold.

``python -m bench lowokinds -- --fixed 0.81 0.91 [--writers ...] [--show]``. The pooled rates of
``bench lowo`` say how many requests and everyday sentences went wrong; they do not say where.
This bench runs the same quick protocol (``lowo.Protocol.fixed``: the learned net trained on the
product and the other writers, the request thresholds given) and sorts every request and
everyday sentence of the held-out writer by what a user would notice:

- a request: right, **silence**, **wrong intent**, **wrong slot** (intent and slots as
  ``evalset.score`` judges them, read in the writer's context);
- everyday talk: **answered at home** (idle, nothing said before: ``evalset.HOME``) or not;

each with the net that decided (``IntentMatcher.explain``: templates, clauses, semantic,
learned, ...). ``--show`` prints the sentences too: use it on training writers only; a writer
held out for a blind measure is read as counts (its sentences are never printed unless asked by
name with ``--show``, and a README must then say its misses were read).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench import _learndata as data
from bench import _learnfit as learnfit
from bench import evalset
from bench.intents import _answers, _reads
from bench.lowo import _BEFORE_LEARNED, Protocol
from voice_repair.datafiles import load_yaml
from voice_repair.intents.asking import asks
from voice_repair.intents.learned import LearnedNet, Weights
from voice_repair.intents.matcher import IntentMatcher
from voice_repair.intents.semantic import Decision
from voice_repair.intents.tolerant import mend, tidy
from voice_repair.intents.wording import normalize


@dataclass
class Kinds:
    """One held-out writer's requests and everyday talk, sorted by kind and deciding net."""

    requests: Counter = field(default_factory=Counter)
    """(kind, net) -> count; kind is right, silence, wrong intent or wrong slot."""
    by_intent: Counter = field(default_factory=Counter)
    """(wanted intent, kind) -> count, misses only."""
    everyday: Counter = field(default_factory=Counter)
    """net -> everyday sentences answered at home."""
    shown: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    """One per sentence the learned net decided (``--dump``): enough to replay other thresholds
    without the words (a held-out writer's sentences are never dumped)."""


def _explain(protocol: Protocol, text: str) -> Decision:
    """``explain`` with the fold's learned net loaded; a decision before the learned net comes
    from the protocol's cache (as ``lowo`` scores it)."""
    found = protocol.decision(text)
    if found.net in _BEFORE_LEARNED or protocol.matcher.learned is None:
        return found
    return protocol.matcher.explain(text)


def request_kind(item: dict, decided: Decision) -> str:
    """right, silence, wrong intent or wrong slot, as ``evalset.score`` judges a request."""
    found = decided.match
    context = str(item.get("context") or "idle")
    if found is None:
        return "silence"
    found = _reads(found, context)
    want = str(item["intent"])
    if found.intent != want:
        return "wrong intent"
    expected = dict(item.get("slots") or {})
    if item.get("ambiguous"):
        expected["ambiguous"] = True
    if item.get("when"):
        expected["when"] = item["when"]
    if want == "safety":
        ok = found.slots.get("route") == expected.get("route")
    elif want == "timer.other":
        ok = True
    else:
        ok = evalset._slots_right(expected, found.slots)
    return "right" if ok else "wrong slot"


def _row(writer: str, what: str, kind: str, decided: Decision, text: str) -> dict:
    return {
        "writer": writer,
        "what": what,
        "kind": kind,
        "net": decided.net or "-",
        "score": decided.score,
        "asks": asks(tidy(mend(normalize(text)))),
    }


def sweep(rows: list[dict], asked: float, stated: float) -> dict[str, Counter]:
    """Per writer, right requests and everyday answered had the learned net's request
    thresholds been ``asked`` and ``stated`` (each at least the run's own): a learned decision
    below its threshold becomes silence."""
    out: dict[str, Counter] = {}
    for row in rows:
        count = out.setdefault(row["writer"], Counter())
        kind = row["kind"]
        if row["net"] == "learned" and row["score"] < (asked if row["asks"] else stated):
            kind = "silence" if row["what"] == "request" else "-"
        count[row["what"], kind] += 1
    return out


def kinds(protocol: Protocol, writer: str, weights: Weights | None, show: bool) -> Kinds:
    """Sort ``writer``'s requests and everyday talk (with the learned net if ``weights``)."""
    folder = data.ROOT / "bench" / "data" / writer
    protocol.matcher.learned = LearnedNet(data.DATA, weights) if weights is not None else None
    out = Kinds()
    try:
        requests, _ = load_yaml(folder / "requests.yaml")
        for item in requests:
            decided = _explain(protocol, str(item["text"]))
            kind = request_kind(item, decided)
            out.requests[kind, decided.net or "-"] += 1
            out.rows.append(_row(writer, "request", kind, decided, str(item["text"])))
            if kind != "right":
                out.by_intent[str(item["intent"]), kind] += 1
                if show:
                    got = decided.match
                    said = f"{got.intent} {got.slots}" if got else "-"
                    out.shown.append(
                        f"    {kind:<12} {item['intent']:<18} via {decided.net or '-':<10} "
                        f"{said}  <- {item['text']!r} ({item.get('context') or 'idle'}; "
                        f"want {dict(item.get('slots') or {})})"
                    )
        for text in evalset._sentences(folder / "everyday.yaml"):
            decided = _explain(protocol, text)
            answered = decided.match is not None and _answers(decided.match, evalset.HOME)
            out.rows.append(
                _row(writer, "everyday", "answered" if answered else "-", decided, text)
            )
            if answered:
                out.everyday[decided.net or "-"] += 1
                if show:
                    got = decided.match
                    out.shown.append(
                        f"    everyday answered via {decided.net}: {got.intent} {got.slots}"
                        f"  <- {text!r}"
                    )
    finally:
        protocol.matcher.learned = None
    return out


def report(name: str, k: Kinds) -> list[str]:
    lines = [f"  {name}"]
    total = sum(k.requests.values())
    for kind in ("right", "silence", "wrong intent", "wrong slot"):
        nets = {n: c for (kd, n), c in sorted(k.requests.items()) if kd == kind}
        count = sum(nets.values())
        lines.append(f"    {kind:<13} {count:>4}/{total}  by net: {nets}")
    lines.append(
        f"    everyday answered at home: {sum(k.everyday.values())}  by net: {dict(k.everyday)}"
    )
    weak = Counter()
    for (intent, _kind), c in k.by_intent.items():
        weak[intent] += c
    parts = []
    for intent, count in weak.most_common():
        said = sorted((kd, n) for (i, kd), n in k.by_intent.items() if i == intent)
        parts.append(f"{intent} {count} ({', '.join(f'{kd} {n}' for kd, n in said)})")
    lines.append("    misses by intent: " + ", ".join(parts))
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench lowokinds")
    parser.add_argument("--writers", nargs="*", default=list(data.WRITERS))
    parser.add_argument(
        "--fixed", nargs=2, type=float, default=(0.81, 0.91), metavar=("ASKED", "STATED")
    )
    parser.add_argument("--show", action="store_true", help="print each miss (training writers)")
    parser.add_argument("--pipeline", action="store_true", help="also the pipeline alone (A)")
    parser.add_argument("--dump", type=Path, help="write (B)'s per-sentence rows here (JSON)")
    parser.add_argument(
        "--sweep", type=Path, help="replay a --dump over a grid of thresholds; runs nothing"
    )
    parser.add_argument(
        "--balance", type=float, default=learnfit.BALANCE, help="class weight: size ** -BALANCE"
    )
    args = parser.parse_args(argv)
    learnfit.BALANCE = args.balance
    if args.sweep:
        return _print_sweep(json.loads(args.sweep.read_text()))
    protocol = Protocol(IntentMatcher.load(data.DATA), noise=0)
    protocol.noisy = False
    pooled: dict[str, Kinds] = {"(A)": Kinds(), "(B)": Kinds()}
    for held in args.writers:
        others = tuple(w for w in data.WRITERS if w != held)
        weights = protocol.fixed(others, *args.fixed)
        columns = (("(A)", None), ("(B)", weights)) if args.pipeline else (("(B)", weights),)
        for label, w in columns:
            k = kinds(protocol, held, w, args.show)
            print("\n".join(report(f"{held} {label}", k)), flush=True)
            if k.shown:
                print("\n".join(k.shown), flush=True)
            pool = pooled[label]
            pool.requests.update(k.requests)
            pool.by_intent.update(k.by_intent)
            pool.everyday.update(k.everyday)
            if label == "(B)":
                pool.rows.extend(k.rows)
    for label, k in pooled.items():
        if k.requests:
            print("\n".join(report(f"pooled {label} over {len(args.writers)} writers", k)))
    if args.dump:
        args.dump.write_text(json.dumps(pooled["(B)"].rows))
    return 0


def _print_sweep(rows: list[dict]) -> int:
    """Right requests and everyday answered per writer and pooled, for each threshold pair."""
    grid = [round(0.5 + 0.05 * i, 2) for i in range(10)] + [0.97, 0.99]
    writers = sorted({r["writer"] for r in rows})
    print(f"  {'asked':>5} {'stated':>6}  " + " ".join(f"{w:>12}" for w in writers))
    for asked in grid:
        for stated in grid:
            got = sweep(rows, asked, stated)
            cells = [
                f"{got[w]['request', 'right']:>4} e{got[w]['everyday', 'answered']:<2} w"
                f"{got[w]['request', 'wrong intent'] + got[w]['request', 'wrong slot']:<2}"
                for w in writers
            ]
            print(f"  {asked:>5} {stated:>6}  " + " ".join(f"{c:>12}" for c in cells))
    return 0


EXPLICIT_ONLY = True
__all__ = ["Kinds", "kinds", "main", "request_kind"]
