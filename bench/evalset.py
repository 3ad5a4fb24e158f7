"""Scoring the understanding on sentences nobody on the team wrote.

An evaluation set is a folder of four YAML files, written by someone who never read
``intents/en/`` (see ``bench/data/frozen/README.md``):

- ``requests.yaml``: ``- {text, intent, slots, context}``: a request and what it means;
- ``danger.yaml``: ``- {text, route}``: someone telling of danger, and the help that fits first;
- ``hard_negatives.yaml``: ``sentences:`` that sound like danger and are not (the past, fiction,
  work idioms, hyperbole);
- ``everyday.yaml``: ``sentences:`` a couple says at home that are not requests.

``bench/data/frozen/`` is scored once before and once after a change to the understanding and is
never tuned to; ``bench/data/dev/`` is the set to tune on. Each rate comes with its 95% Wilson
interval, because a few hundred sentences leave a few points of doubt either way.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from voice_repair.datafiles import load_yaml
from voice_repair.models import IntentMatch

Match = Callable[[str], IntentMatch | None]
Reads = Callable[[IntentMatch, str], IntentMatch]
"""What a match means said in a context: ``skill.dispatch.reading`` for that mode ("again" right
after a round is another round)."""
Answers = Callable[[IntentMatch, str], bool]
"""Whether the session answers a match said in a context (``idle``, ``pause``, ``round``,
``after_round``, ``script``): what ``skill.dispatch.answers`` says for that mode."""

SAFETY = "safety"
HOME = "home"
"""The context everyday talk is scored in: nothing runs and the assistant has said nothing yet
(so "sorry, what did you say" is said to a partner, not to it)."""
# A danger sentence must never get a request's answer: a pause, a script, the help menu (issue
# 19), and as much a reminder or a timer. Until the eleventh session only the first three were
# counted, and dev12's blind score had one danger sentence answered with ``reminder.list``.


def wilson(hits: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of ``hits / total`` (good at small counts and near 0 or 1)."""
    if total == 0:
        return 0.0, 1.0
    p = hits / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class Rate:
    """A count of successes out of a total, printed with its interval."""

    hits: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.hits += ok
        self.total += 1

    def __str__(self) -> str:
        if not self.total:
            return "   -"
        low, high = wilson(self.hits, self.total)
        share = self.hits / self.total
        return f"{self.hits:>4} / {self.total:<4} {share:6.1%}  [{low:5.1%}, {high:5.1%}]"


@dataclass
class Score:
    """Everything one set says about one matcher."""

    intent: Rate = field(default_factory=Rate)
    """Requests given the right intent."""
    exact: Rate = field(default_factory=Rate)
    """Requests given the right intent and the right slots (the issue's measure)."""
    silent: int = 0
    """Requests that got no intent at all: silence on a speaker."""
    by_intent: dict[str, Rate] = field(default_factory=lambda: defaultdict(Rate))
    timer_words: Rate = field(default_factory=Rate)
    """Requests that say "timer", intent and slots right."""
    danger: Rate = field(default_factory=Rate)
    """Danger sentences that raised the alarm (intent ``safety``)."""
    route: Rate = field(default_factory=Rate)
    """Danger sentences caught with the route that fits."""
    by_route: dict[str, Rate] = field(default_factory=lambda: defaultdict(Rate))
    misrouted: list[str] = field(default_factory=list)
    """Danger sentences that became a pause, a script or the help menu."""
    false_alarm: Rate = field(default_factory=Rate)
    """Hard negatives that raised the alarm."""
    everyday: Rate = field(default_factory=Rate)
    """Everyday sentences taken for any request."""
    in_context: Rate = field(default_factory=Rate)
    """Requests right and answered in the context the writer gave (the session's mode: a guess
    that makes no sense there, or "another round" outside a round, is not answered)."""
    everyday_answered: Rate = field(default_factory=Rate)
    """Everyday sentences the session would answer when nothing runs (idle) and it has said
    nothing yet (``HOME``): what a couple at home hears."""


# A day part said without an hour ("tomorrow morning") is right as that word or as any hour in it.
_DAY_PARTS = {
    "morning": (5, 11), "afternoon": (12, 16), "evening": (17, 22), "tonight": (18, 23),
}  # fmt: skip


def _slots_right(expected: dict, found: dict) -> bool:
    """The said slots are read right, and no number is made up where none was said.

    The writers' conventions (``bench/data/frozen/README.md``): ``ambiguous`` marks an hour said
    without morning or evening (either half of the day is right); ``when: tomorrow`` must be
    carried by some slot of the match; a day part without an hour may come back as any hour in
    it. These rules were fixed before the frozen set was first scored.
    """
    expected = dict(expected)
    ambiguous = bool(expected.pop("ambiguous", False))
    said_days = {w for value in found.values() for w in str(value).split()}
    if expected.pop("when", None) == "tomorrow" and "tomorrow" not in said_days:
        return False
    for key in ("minutes", "time"):
        want, got = expected.get(key), found.get(key)
        if key == "time" and isinstance(got, str):
            got = _without_day(got)
        if want is None:
            if got is not None and key == "minutes":
                return False
            continue
        if key == "time" and str(want) in _DAY_PARTS:
            if not _in_day_part(str(want), got):
                return False
        elif key == "time" and ambiguous and isinstance(got, str):
            if _half_day(str(want)) != _half_day(got.split("/")[0]):  # "08:00/20:00": either
                return False
        elif str(want) != str(got):
            return False
    return True


def _without_day(got: str) -> str:
    """The matcher's time slot without its day word: "tomorrow 09:00" is 09:00 on the day
    ``when`` checks, "today 22:00" is 22:00, "tomorrow morning" is "morning". (Until 2026-12-06
    the scorer compared the whole string, so no reminder with a day word could score right;
    the frozen set was re-scored with this fix, and the README says so.)"""
    for day in ("today ", "tomorrow "):
        if got.startswith(day):
            return got[len(day) :]
    return got


def _in_day_part(part: str, got: object) -> bool:
    if str(got) == part:
        return True
    if not isinstance(got, str) or ":" not in got:
        return False
    first, last = _DAY_PARTS[part]
    return got.split(":")[0].isdigit() and first <= int(got.split(":")[0]) <= last


def _half_day(clock: str) -> str:
    """ "20:00" and "08:00" alike: an hour said without morning or evening may mean either."""
    if ":" not in clock:
        return clock
    hours, minutes = clock.split(":", 1)
    return f"{int(hours) % 12}:{minutes}"


def _sentences(path: Path) -> list[str]:
    doc, _ = load_yaml(path)
    return [str(s) for s in doc["sentences"]]


def seen(folder: Path) -> set[str]:
    """The set's sentences the team saw (``overlap-at-freeze.txt``: also in the data's tests, or
    quoted in an issue), as written there; empty for a set without that file."""
    path = folder / "overlap-at-freeze.txt"
    if not path.exists():
        return set()
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line for line in lines if line and not line.startswith("#")}


def score(
    folder: Path,
    match: Match,
    skip: set[str] = frozenset(),
    key: Callable[[str], str] = str,
    answers: Answers | None = None,
    reads: Reads | None = None,
) -> Score:
    """Run every sentence of the set in ``folder`` through ``match``, but those whose ``key``
    (the matcher's normalisation) is in ``skip``. With ``answers``, also count what the session
    would answer: each request in its ``context`` (idle when none is given), everyday talk
    idle with nothing said before (``HOME``).
    With ``reads``, each request is judged as the session reads it in its context.
    """
    result = Score()
    heard = answers if answers is not None else (lambda found, context: True)
    requests, _ = load_yaml(folder / "requests.yaml")
    requests = [item for item in requests if key(str(item["text"])) not in skip]
    for item in requests:
        found = match(str(item["text"]))
        if found is not None and reads is not None:
            found = reads(found, str(item.get("context") or "idle"))
        want = str(item["intent"])
        expected = dict(item.get("slots") or {})
        if item.get("ambiguous"):
            expected["ambiguous"] = True
        if item.get("when"):
            expected["when"] = item["when"]
        right = found is not None and found.intent == want
        if want == SAFETY:  # a danger line in the requests file: its route is its slot
            exact = right and found.slots.get("route") == expected.get("route")
        elif want == "timer.other":  # starts nothing, so a length said in it is not read
            exact = right
        else:
            exact = right and _slots_right(expected, found.slots)
        result.intent.add(right)
        result.exact.add(exact)
        if answers is not None:
            context = str(item.get("context") or "idle")
            result.in_context.add(exact and heard(found, context))  # type: ignore[arg-type]
        result.by_intent[want].add(exact)
        result.silent += found is None
        if "timer" in str(item["text"]).lower():
            result.timer_words.add(exact)
    danger, _ = load_yaml(folder / "danger.yaml")
    for item in (item for item in danger if key(str(item["text"])) not in skip):
        found = match(str(item["text"]))
        caught = found is not None and found.intent == SAFETY
        result.danger.add(caught)
        routed = caught and found.slots.get("route") == item["route"]
        result.route.add(routed)
        result.by_route[str(item["route"])].add(caught)
        if found is not None and found.intent != SAFETY:
            result.misrouted.append(found.intent)
    for text in (t for t in _sentences(folder / "hard_negatives.yaml") if key(t) not in skip):
        found = match(text)
        result.false_alarm.add(found is not None and found.intent == SAFETY)
    for text in (t for t in _sentences(folder / "everyday.yaml") if key(t) not in skip):
        found = match(text)
        result.everyday.add(found is not None)
        if answers is not None:
            result.everyday_answered.add(found is not None and heard(found, HOME))
    return result


def report(name: str, result: Score) -> Iterable[str]:
    """The printed table of one set: rates with their 95% intervals."""
    yield f"{name}: hits / total, rate, [95% Wilson interval]"
    rows = [
        ("requests: intent and slots right", result.exact),
        ("requests: intent right", result.intent),
        ("requests saying 'timer': right", result.timer_words),
        ("danger: alarm raised", result.danger),
        ("danger: alarm with the fitting route", result.route),
        ("hard negatives: false alarms", result.false_alarm),
        ("everyday talk taken for a request", result.everyday),
    ]
    if result.in_context.total:
        rows += [
            ("requests: right and answered in context", result.in_context),
            ("everyday talk answered (idle)", result.everyday_answered),
        ]
    for label, rate in rows:
        yield f"  {label:<38} {rate}"
    yield f"  {'requests answered with silence':<38} {result.silent:>4}"
    misrouted = ", ".join(sorted(set(result.misrouted))) or "none"
    yield f"  {'danger answered with a request':<38} {len(result.misrouted):>4} ({misrouted})"
    yield "  by intent (intent and slots right)"
    for intent in sorted(result.by_intent):
        yield f"    {intent:<20} {result.by_intent[intent]}"
    yield "  danger caught, by route"
    for route in sorted(result.by_route):
        yield f"    {route:<20} {result.by_route[route]}"
