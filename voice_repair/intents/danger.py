"""The danger scan: finds a sentence that tells of danger anywhere in it, before any matching.

Whole-sentence templates cannot see "he choked me" inside "okay so yesterday he choked me and I
need a break", and a missed disclosure is the worst mistake this product can make. So the matcher
first searches every sentence for the danger patterns of ``intents/<lang>/danger.yaml`` (data, not
English in code), and a hit is ``safety`` with a ``route`` slot that decides which line the reply
leads with. The scan sees the sentence as said (only normalised), so nothing that reshapes a
transcript later, such as snapping it onto a known sentence, can turn danger into something else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..datafiles import line_of, load_yaml
from ..errors import DataProblem
from .passed import cache_folder
from .regexstore import FOLDER, compile_kept
from .spec import rel

__all__ = ["DANGER_FILE", "DangerScan", "load_danger"]

DANGER_FILE = "danger.yaml"
"""The danger data, next to ``intents.yaml``."""

_NAME = re.compile(r"<([a-z_]+)>")
_UNANCHORED_LOOK = re.compile(r"(?:^|\||\(\?:)\(\?[=!]\.\*")
"""A look at the rest of the sentence (``(?!.*`` or ``(?=.*``) that the search may try at
every position: the scan then reads the sentence once per character, and a long text costs
the square of its length (20,000 characters took 5.5 s instead of 0.3 s). Anchored (``^``) or
behind a word the alternative needs first (``(?=hit|smack)(?!.*...)``), it is tried rarely."""
_EDGE_BEFORE, _EDGE_AFTER = r"(?<![\w'])", r"(?![\w'])"


@dataclass(frozen=True)
class DangerScan:
    """Compiled danger data of one language; read-only, safe to share between threads."""

    respell: dict[str, str]
    """Contraction -> written out ("he's" -> "he is"), so one pattern serves both spellings."""
    drop: re.Pattern[str] | None
    """Fillers removed anywhere before scanning ("he um kind of choked me")."""
    defuse: re.Pattern[str] | None
    """Idioms blanked out before scanning ("the suspense is killing me")."""
    routes: tuple[tuple[str, re.Pattern[str]], ...]
    """(route, every pattern of it as one expression), in precedence order."""
    template_route: str
    """The route of a ``safety`` found by a whole-sentence template instead of the scan."""
    frames: re.Pattern[str] | None = None
    """Past or made-up frames ("when I was a kid", "in the movie"): a danger word inside one
    tells of no danger now. Kept narrow: a partner's past violence still counts."""
    ground: re.Pattern[str] | None = None
    """Sentences whose danger may be panic ("I can't breathe", "I need help"): after the
    emergency line the reply offers grounding (``offers_grounding``)."""
    settled: re.Pattern[str] | None = None
    """A past, settled frame ("last year", "but she was fine", "nothing serious"): cancels only
    the routes of ``settled_routes`` (an illness or an accident that is over), never a partner's
    violence or a wish to die."""
    settled_routes: frozenset[str] = frozenset()
    purpose: re.Pattern[str] | None = None
    """Said on purpose ("on purpose", "because of the fight", "he is going to overdose"): a hit of
    a ``purpose_from`` route becomes ``purpose_route`` (pills taken on purpose are self-harm, the
    crisis line first; taken by mistake, a medical emergency)."""
    purpose_from: frozenset[str] = frozenset()
    purpose_route: str = ""
    doubt: re.Pattern[str] | None = None
    """Words of the kinds that make most of the patterns' false alarms on writers they were not
    written from (long ago, a joke, a film or the news, a game or a sport, a trivial "when she
    sees the car"): a hit inside one stands only when the learned net agrees (``dangerdoubt``).
    Broad on purpose, since alone they cancel nothing."""
    lifted: re.Pattern[str] | None = None
    """Words that say it is happening now ("and now he hits me", "still", "again", "right
    now"): a sentence holding one is not doubted, whatever else it holds."""

    def prepare(self, said: str) -> str:
        """The normalised sentence as the patterns see it: contractions out, fillers gone."""
        words = " ".join(self.respell.get(w, w) for w in said.split())
        if self.drop is not None:  # spaces closed up, or "is basically suicidal" escapes a defuse
            words = " ".join(self.drop.sub(" ", words).split())
        if self.defuse is not None:
            words = self.defuse.sub(" , ", words)
        return " ".join(words.split())

    def route(self, said: str) -> str | None:
        """The route of the first danger found in a normalised sentence, or None.

        A route whose hit stands in a settled frame gives way to the next route with a hit
        ("last year I fainted, and now he hits me" is violence)."""
        text = self.prepare(said)
        if not text:
            return None
        for name, pattern in self.routes:
            if pattern.search(text):
                if self.frames is not None and self.frames.search(text):
                    return None
                if self._settled(name, text):
                    continue
                if name in self.purpose_from and self.purpose and self.purpose.search(text):
                    return self.purpose_route
                return name
        return None

    def cancels(self, said: str, route: str) -> bool:
        """Whether the sentence's frame says no danger now for ``route``: a story, a film, long
        ago, a question of what one would do, or (for some routes) something over; or an idiom
        of ``defuse`` ("I can't breathe in these jeans"). The semantic net's danger side asks
        this, since nearness in meaning sees neither a frame nor an idiom: the net is asked only
        when no pattern fired, so a defused idiom is then the likeliest danger word it saw."""
        text = self.prepare(said)
        framed = self.frames is not None and self.frames.search(text) is not None
        return framed or self._settled(route, text) or self._idiom(said)

    def _idiom(self, said: str) -> bool:
        if self.defuse is None:
            return False
        words = " ".join(self.respell.get(w, w) for w in said.split())
        if self.drop is not None:
            words = self.drop.sub(" ", words)
        return self.defuse.search(" ".join(words.split())) is not None

    def _settled(self, route: str, text: str) -> bool:
        return (
            route in self.settled_routes
            and self.settled is not None
            and self.settled.search(text) is not None
        )

    def doubted(self, said: str) -> bool:
        """Whether a normalised sentence holds a ``doubt`` word (see ``dangerdoubt.py``)."""
        text = self.prepare(said)
        if self.doubt is None or self.doubt.search(text) is None:
            return False
        return self.lifted is None or self.lifted.search(text) is None

    def offers_grounding(self, said: str) -> bool:
        """Whether a sentence the scan found may be panic rather than an emergency only."""
        return self.ground is not None and self.ground.search(self.prepare(said)) is not None


def load_danger(root: Path, trusted: bool = False) -> tuple[DangerScan | None, list[DataProblem]]:
    """Read and compile ``root/danger.yaml``; problems as ``file:line``, never raises.

    ``trusted``: this exact file passed these checks with this code before (``passed.py``), so
    each route's patterns are compiled once, as one expression, and not each alone first to
    name the line of a bad one: a third of the scan's start-up, paid by every ``chat`` and
    ``run`` (should the whole still fail, the patterns are checked one by one as usual)."""
    path = root / DANGER_FILE
    name = rel(path, root)
    doc, problems = load_yaml(path, name)
    if problems:
        return None, problems
    if not isinstance(doc, dict):
        return None, [DataProblem(name, 1, "expected a mapping at the top")]
    words = doc.get("words") or {}
    routes_doc = doc.get("routes")
    order = doc.get("order")
    if not isinstance(words, dict) or not isinstance(routes_doc, dict):
        return None, [DataProblem(name, 1, "expected `words:` and `routes:` mappings")]
    if not isinstance(order, list) or sorted(map(str, order)) != sorted(map(str, routes_doc)):
        line = line_of(order, 1)
        return None, [DataProblem(name, line, "`order:` must list every route once")]
    routes: list[tuple[str, re.Pattern[str]]] = []
    for route in order:
        patterns = routes_doc[route]
        line = routes_doc.key_lines.get(route, 1)
        if not isinstance(patterns, list) or not patterns:
            problems.append(DataProblem(name, line, f"route '{route}': expected a list"))
            continue
        parts = [
            (_expand(str(p), words, name, line_of(p, line), problems), line_of(p, line))
            for p in patterns
        ]
        compiled = _compile(parts, name, problems, trusted)
        if compiled is not None:
            routes.append((str(route), compiled))
    template_route = str(doc.get("template_route", ""))
    if template_route not in routes_doc:
        line = doc.key_lines.get("template_route", 1)
        problems.append(DataProblem(name, line, "`template_route:` must name one of the routes"))
    respell = {str(k): str(v) for k, v in (doc.get("respell") or {}).items()}
    drop_parts = [(re.escape(str(w)), line_of(w, 1)) for w in doc.get("drop") or []]
    drop = _compile(drop_parts, name, problems, trusted)
    defuse_line = doc.key_lines.get("defuse", 1)
    defuse_parts = [(str(p), line_of(p, defuse_line)) for p in doc.get("defuse") or []]
    defuse = _compile(defuse_parts, name, problems, trusted)
    frames, ground, settled, purpose, doubt, lifted = (
        _optional(doc, key, name, problems, trusted)
        for key in ("frames", "ground", "settled", "purpose", "doubt", "doubt_lifted")
    )
    settled_routes = doc.get("settled_routes") or []
    if not isinstance(settled_routes, list) or not set(map(str, settled_routes)) <= set(order):
        line = doc.key_lines.get("settled_routes", 1)
        problems.append(DataProblem(name, line, "`settled_routes:` must list routes of `order:`"))
    purpose_from = doc.get("purpose_from") or []
    purpose_route = str(doc.get("purpose_route", ""))
    if purpose is not None and (
        not isinstance(purpose_from, list) or not set(map(str, purpose_from)) <= set(order)
    ):
        line = doc.key_lines.get("purpose_from", doc.key_lines.get("purpose", 1))
        msg = "`purpose:` needs `purpose_from:`, a list of routes of `order:`"
        problems.append(DataProblem(name, line, msg))
    if purpose is not None and purpose_route not in routes_doc:
        line = doc.key_lines.get("purpose_route", doc.key_lines.get("purpose", 1))
        msg = f"`purpose:` needs `purpose_route:` to name one of the routes, not {purpose_route!r}"
        problems.append(DataProblem(name, line, msg))
    if problems:
        return None, problems
    scan = DangerScan(
        respell, drop, defuse, tuple(routes), template_route, frames, ground, settled,
        frozenset(map(str, settled_routes)), purpose, frozenset(map(str, purpose_from)),
        purpose_route, doubt, lifted,
    )  # fmt: skip
    return scan, []


def _optional(
    doc, key: str, name: str, problems: list[DataProblem], trusted: bool
) -> re.Pattern[str] | None:
    """An optional list of patterns (``frames:``, ``ground:``, ...) as one expression, or None."""
    items = doc.get(key) or []
    if not isinstance(items, list):
        problems.append(DataProblem(name, doc.key_lines.get(key, 1), f"`{key}:` must be a list"))
        return None
    line = doc.key_lines.get(key, 1)
    return _compile([(str(p), line_of(p, line)) for p in items], name, problems, trusted)


def _expand(
    pattern: str, words: dict[str, str], name: str, line: int, problems: list[DataProblem]
) -> str:
    """``<person>`` -> the ``words:`` entry, recursively (an entry may use another)."""
    for _ in range(5):
        missing = [w for w in _NAME.findall(pattern) if w not in words]
        if missing:
            problems.append(DataProblem(name, line, f"unknown word <{missing[0]}> in {pattern!r}"))
            return "(?!)"
        if not _NAME.search(pattern):
            return pattern
        pattern = _NAME.sub(lambda m: str(words[m.group(1)]), pattern)
    return pattern


def _compile(
    parts: list[tuple[str, int]], name: str, problems: list[DataProblem], trusted: bool = False
) -> re.Pattern[str] | None:
    """One expression for a list of (alternative, its line), each matched at word edges; each
    alternative compiled alone first (a bad one is named with its line), unless ``trusted``."""
    if not parts:
        return None
    whole = "|".join(f"{_EDGE_BEFORE}(?:{p}){_EDGE_AFTER}" for p, _ in parts)
    if trusted:
        try:
            return _kept(whole)
        except re.error:
            pass  # not the file that passed after all: check each part below
    bad = False
    for part, line in parts:
        if any(ord(c) < 32 for c in part):  # "\b" in double quotes is a backspace in YAML
            msg = f"control character in {part[:40]!r}...: write \\\\b, not \\b, in double quotes"
            problems.append(DataProblem(name, line, msg))
            bad = True
            continue
        try:
            _regex(part)
        except re.error as exc:
            problems.append(DataProblem(name, line, f"bad pattern {part!r}: {exc}"))
            bad = True
            continue
        if _UNANCHORED_LOOK.search(part):
            msg = (
                f"{part[:40]!r}... looks ahead over the rest of the sentence at every position"
                " (slow on long text): start it with ^, or with (?=word|word) naming the words"
                " the match begins with"
            )
            problems.append(DataProblem(name, line, msg))
            bad = True
    if bad:
        return None
    return _kept(whole)


@lru_cache(maxsize=2048)
def _regex(pattern: str) -> re.Pattern[str]:
    """``re.compile``, kept for the process: the scan's few hundred patterns overflow ``re``'s
    own cache of 512 once the matcher has run, and compiling them is most of loading the scan,
    paid again by each load of the data in one process (``check``, the tests). A pattern is
    immutable, so sharing one is safe; a bad one raises ``re.error`` and is not kept."""
    return re.compile(pattern)


@lru_cache(maxsize=64)
def _kept(pattern: str) -> re.Pattern[str]:
    """``_regex`` for a whole list's expression, whose compiled program is also kept between
    starts in the cache folder (``regexstore.py``): parsing these few long expressions was a
    third of each start-up's CPU."""
    return compile_kept(pattern, cache_folder() / FOLDER)
