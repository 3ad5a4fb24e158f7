"""How long understanding takes, and how broad it is.

``python -m bench intents``. Times: loading the intent data, matching a sentence, sampling
phrases. Breadth: how many of the fresh rewordings in ``bench/data/rewordings.yaml`` (written
before the templates were extended, kept apart from the data's tests) are understood, per intent;
and how the danger scan does on the safety, idiom and must-match-nothing files. Matching runs on
every typed line and on every utterance the recognizer hands over, so its latency is what a user
feels; loading runs once at start-up (and includes running the data's own tests, which is most of
it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from bench import evalset, ha
from voice_repair.datafiles import load_yaml
from voice_repair.intents.data import load_data
from voice_repair.intents.matcher import IntentMatcher, check_intents, normalize
from voice_repair.models import IntentMatch, Mode
from voice_repair.skill import answers, reading

ROOT = Path(__file__).resolve().parent.parent / "intents" / "en"
REWORDINGS = Path(__file__).resolve().parent / "data" / "rewordings.yaml"
# Sets written by people who never read intents/en/: frozen (scored, never tuned to), dev (tuned).
SETS = [Path(__file__).resolve().parent / "data" / name for name in ("frozen", "dev")]


def _sentences(root: Path) -> list[str]:
    texts: list[str] = []
    for path in sorted((root / "tests").glob("*.yaml")):
        doc, _ = load_yaml(path)
        if path.stem.startswith("_"):
            texts += doc["sentences"]
        else:
            texts += [t for test in doc["tests"] for t in test["sentences"]]
    return texts


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench intents")
    parser.add_argument("--root", type=Path, default=ROOT, help="intent data folder")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    parser.add_argument(
        "--set",
        type=Path,
        action="append",
        dest="sets",
        help="an evaluation set folder to score (default: bench/data/frozen and bench/data/dev)",
    )
    parser.add_argument("--sets-only", action="store_true", help="score the sets, time nothing")
    parser.add_argument(
        "--parse-only", action="store_true", help="only time parse over the dev set's sentences"
    )
    args = parser.parse_args(argv)
    if args.parse_only:
        _parse_times(IntentMatcher.load(args.root), args.repeat)
        return 0
    if args.sets_only:
        matcher = IntentMatcher.load(args.root)
        _score_sets(matcher, args.sets or SETS)
        _home_assistant(matcher)
        return 0

    rows: list[tuple[str, str]] = []
    loads = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        load_data(args.root)
        loads.append(time.perf_counter() - start)
    rows.append(("load data only (YAML + templates)", _ms(min(loads))))
    checks = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        check_intents(args.root)
        checks.append(time.perf_counter() - start)
    rows.append(("check_intents (load + run data tests)", _ms(min(checks))))
    start = time.perf_counter()
    matcher = IntentMatcher.load(args.root)
    rows.append(("IntentMatcher.load", _ms(time.perf_counter() - start)))

    texts = _sentences(args.root)
    times = []
    for _ in range(args.repeat):
        for text in texts:
            start = time.perf_counter()
            matcher.match(text)
            times.append(time.perf_counter() - start)
    times.sort()
    rows.append((f"match, median of {len(texts)} test sentences", _ms(statistics.median(times))))
    rows.append(("match, 95th percentile", _ms(times[int(len(times) * 0.95)])))
    rows.append(("match, slowest", _ms(times[-1])))
    long_text = " ".join(["and then we talked about the holidays"] * 30)
    start = time.perf_counter()
    matcher.match(long_text)
    rows.append(("match, a 210-word ramble (no intent)", _ms(time.perf_counter() - start)))

    for limit in (20, 200, None):
        start = time.perf_counter()
        phrases = matcher.phrases(max_per_intent=limit)
        took = time.perf_counter() - start
        rows.append((f"phrases(max_per_intent={limit}): {len(phrases)} phrases", _ms(took)))
    rows.append((f"vocabulary: {len(matcher.vocabulary())} words", ""))

    width = max(len(name) for name, _ in rows)
    print("intents benchmark")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    _breadth(matcher, args.root)
    _parse_times(matcher, args.repeat)
    _score_sets(matcher, args.sets or SETS)
    _home_assistant(matcher)
    return 0


def _home_assistant(matcher: IntentMatcher) -> None:
    """Home Assistant's timer sentences, each group's rate (``bench/ha.py``; misses there)."""
    for line in ha.report(ha.score(matcher.match), misses=False):
        print(line)


def _score_sets(matcher: IntentMatcher, folders: list[Path]) -> None:
    """Print each evaluation set's rates with their 95% intervals (bench/evalset.py)."""
    for folder in folders:
        if not (folder / "requests.yaml").exists():
            print(f"{folder}: no evaluation set there")
            continue
        scored = evalset.score(folder, matcher.match, answers=_answers, reads=_reads)
        for line in evalset.report(str(folder), scored):
            print(line)
        seen = evalset.seen(folder)
        if seen:  # the same set without what the team saw: the number to trust
            unseen = evalset.score(
                folder, matcher.match, skip=seen, key=normalize, answers=_answers, reads=_reads
            )
            for line in evalset.report(f"{folder}, unseen ({len(seen)} seen left out)", unseen):
                print(line)


# The writers' contexts as the session's modes.
_MODES = {
    "idle": Mode.IDLE,
    "pause": Mode.PAUSING,
    "round": Mode.IN_ROUND,
    "after_round": Mode.AFTER_ROUND,
    "script": Mode.READING,
}


def _answers(found: IntentMatch, context: str) -> bool:
    """Whether the session answers ``found`` said in the writer's ``context`` (``dispatch``);
    ``home`` (everyday talk) is idle with nothing said before (``evalset.HOME``)."""
    mode = _MODES.get(context, Mode.IDLE)
    return answers(found, mode, said_before=context != evalset.HOME)


def _reads(found: IntentMatch, context: str) -> IntentMatch:
    """What the session takes ``found`` for in the writer's ``context`` (``dispatch.reading``)."""
    return reading(found, _MODES.get(context, Mode.IDLE))


def _breadth(matcher: IntentMatcher, root: Path) -> None:
    """Print the rewordings understood per intent, and the danger files' results."""
    doc, _ = load_yaml(REWORDINGS)
    print("rewordings understood (bench/data/rewordings.yaml)")
    total = understood = 0
    for intent, sentences in doc.items():
        ok = 0
        for text in sentences:
            found = matcher.match(text)
            ok += found is not None and found.intent == intent
        total, understood = total + len(sentences), understood + ok
        print(f"  {intent:<16} {ok:>3} / {len(sentences):<3}")
    print(f"  {'all':<16} {understood:>3} / {total:<3} = {understood / total:.1%}")
    safety, _ = load_yaml(root / "tests" / "safety.yaml")
    said = [
        (str(t["intent"]["slots"]["route"]), s) for t in safety["tests"] for s in t["sentences"]
    ]
    hits = sum(_safety_route(matcher, s) == route for route, s in said)
    print("danger scan")
    print(f"  {'safety sentences found, right route':<36} {hits} / {len(said)}")
    for stem in ("_idioms", "_none"):
        none, _ = load_yaml(root / "tests" / f"{stem}.yaml")
        quiet = sum(matcher.match(s) is None for s in none["sentences"])
        label = f"{stem}.yaml matching nothing"
        print(f"  {label:<36} {quiet} / {len(none['sentences'])}")


def _safety_route(matcher: IntentMatcher, text: str) -> str | None:
    found = matcher.match(text)
    return str(found.slots.get("route")) if found is not None and found.intent == "safety" else None


def _dev_sentences(folder: Path = SETS[1]) -> list[str]:
    """Every sentence of the development set: requests, danger, hard negatives, everyday."""
    texts = []
    for name in ("requests", "danger"):
        doc, _ = load_yaml(folder / f"{name}.yaml")
        texts += [str(item["text"]) for item in doc]
    for name in ("hard_negatives", "everyday"):
        doc, _ = load_yaml(folder / f"{name}.yaml")
        texts += [str(s) for s in doc["sentences"]]
    return texts


def _parse_times(matcher: IntentMatcher, repeat: int) -> None:
    """What ``voice-repair parse`` costs for one sentence after loading (``explain``: danger
    patterns, templates, then the semantic net), over the dev set's sentences, by the net that
    decided. Wall time is what a user waits; CPU time is this process's (the embedding runs on
    one thread), which a busy machine does not inflate: the load average is printed with it."""
    texts = _dev_sentences()
    if matcher.semantic is not None:
        matcher.semantic.ready()  # loading is start-up's cost (done in the background there)
    load_before = os.getloadavg()[0]
    wall: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    for _ in range(repeat):
        for text in texts:
            start, start_cpu = time.perf_counter(), time.process_time()
            net = matcher.explain(text).net or "nothing"
            took, took_cpu = time.perf_counter() - start, time.process_time() - start_cpu
            for key in (net, "all"):
                wall.setdefault(key, []).append(took)
                cpu.setdefault(key, []).append(took_cpu)
    load_after = os.getloadavg()[0]
    print(
        f"parse, one sentence after loading: {len(texts)} dev-set sentences x {repeat}, "
        f"load average {load_before:.1f} before, {load_after:.1f} after ({os.cpu_count()} cores)"
    )
    head = f"  {'decided by':<16} {'count':>6} {'wall median':>12} {'wall p90':>10}"
    print(f"{head} {'CPU median':>11}")
    for key in sorted(wall, key=lambda k: (k == "all", k)):
        times, cpus = sorted(wall[key]), sorted(cpu[key])
        p90 = times[int(len(times) * 0.9)]
        print(
            f"  {key:<16} {len(times):>6} {_ms(statistics.median(times)):>12} {_ms(p90):>10} "
            f"{_ms(statistics.median(cpus)):>11}"
        )
