"""Home Assistant's English timer sentences: does a home speaker's timer talk reach the pause?

``python -m bench ha`` (also printed by ``python -m bench intents``). The sentences are Home
Assistant's own English timer tests (``bench/data/ha_timers.yaml``, CC BY 4.0, attribution in
its header), each group with what it must do here, where the one timer is the pause: an unnamed
timer in whole minutes starts a pause of that length, its status is the pause's time left, added
time is more pause, cancelling ends it; a named timer ("pizza", "kitchen") or a delayed command
("open the garage door in 5 minutes") acts on nothing. The issue's targets: unnamed start,
status and add time at least 90% each; no named timer or delayed command touches the pause.

This is an evaluation set, scored with ``IntentMatcher.match`` alone (no mode): never copy its
sentences into ``intents/en/``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bench.evalset import Rate
from voice_repair.datafiles import load_yaml
from voice_repair.models import IntentMatch

DATA = Path(__file__).resolve().parent / "data" / "ha_timers.yaml"
ROOT = Path(__file__).resolve().parent.parent / "intents" / "en"

Match = Callable[[str], IntentMatch | None]

_MORE = ("pause.start", "pause.extend")
"""Requests that give more time: taking time off must not become one of them."""
_NOTHING = (None, "timer.other")
"""What a named timer or a delayed command may become: nothing, or the one-line answer."""


@dataclass
class Group:
    """One group of sentences and how many did what they must."""

    name: str
    expect: str
    rate: Rate = field(default_factory=Rate)
    misses: list[tuple[str, str]] = field(default_factory=list)
    """(sentence, what it became) for each miss."""
    touched_pause: int = 0
    """Sentences that became any pause request (for the groups that must act on nothing)."""


def passes(expect: str, item: dict, found: IntentMatch | None) -> bool:
    """Whether ``found`` is what ``item`` of a group expecting ``expect`` must become."""
    intent = found.intent if found is not None else None
    minutes = found.slots.get("minutes") if found is not None else None
    if expect == "nothing":
        return intent in _NOTHING
    if expect == "not-more":
        return intent not in _MORE
    if expect == "not-length":
        return intent != "pause.start" or minutes is None or minutes in item.get("allowed", [])
    if intent != expect:
        return False
    return "minutes" not in item or minutes == item["minutes"]


def score(match: Match, data: Path = DATA) -> list[Group]:
    """Every group of ``data`` run through ``match``."""
    doc, _ = load_yaml(data)
    groups = []
    for name, spec in doc["groups"].items():
        group = Group(name, str(spec["expect"]))
        for item in spec["sentences"]:
            found = match(str(item["text"]))
            ok = passes(group.expect, item, found)
            group.rate.add(ok)
            if found is not None and found.intent.startswith("pause."):
                group.touched_pause += group.expect == "nothing"
            if not ok:
                group.misses.append((str(item["text"]), _said(found)))
        groups.append(group)
    return groups


def _said(found: IntentMatch | None) -> str:
    if found is None:
        return "nothing"
    slots = "".join(f" {k}={v}" for k, v in sorted(found.slots.items()))
    return f"{found.intent}{slots}"


def report(groups: list[Group], misses: bool = True) -> Iterable[str]:
    """The printed table: each group's rate with its 95% Wilson interval, then the misses."""
    yield f"Home Assistant timer sentences ({DATA.name}): hits / total, rate, [95% Wilson]"
    for group in groups:
        label = f"{group.name} -> {group.expect}"
        yield f"  {label:<48} {group.rate}"
    touched = sum(g.touched_pause for g in groups)
    yield f"  {'named timers and delayed commands acting on the pause':<48} {touched:>4}"
    if misses:
        for group in groups:
            for text, said in group.misses:
                yield f"    miss ({group.name}): {text!r} -> {said}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench ha")
    parser.add_argument("--root", type=Path, default=ROOT, help="intent data folder")
    parser.add_argument("--quiet", action="store_true", help="rates only, no list of misses")
    args, _ = parser.parse_known_args(argv)
    from voice_repair.intents.matcher import IntentMatcher

    matcher = IntentMatcher.load(args.root)
    for line in report(score(matcher.match), misses=not args.quiet):
        print(line)
    return 0
