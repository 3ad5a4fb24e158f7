"""Checking the intent data, its own test sentences included: ``check_intents`` and start-up.

Moved out of ``matcher.py`` (which matches; this decides whether data may be matched at all).
A loaded matcher is only read afterwards, so one state of the files is checked once per process
and its matcher shared (``checked``); ``IntentMatcher.load`` and ``voice-repair check`` both come
through here, so a broken file stops start-up with the same ``file:line`` messages ``check``
prints. The matcher is built by the function its caller hands in (``matcher.build``), so this
module never imports the matcher: the two would otherwise import each other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

from ..errors import DataProblem
from ..models import IntentMatch
from .danger import DangerScan, load_danger
from .data import LoadedData, load_data
from .datatests import run_tests
from .matchmemo import remembered
from .passed import has_passed, mark_passed

__all__ = ["Build", "checked"]

_LOG = logging.getLogger(__name__)


class Matches(Protocol):
    """What the data's tests run: every reading of a sentence, best first."""

    def match_all(self, text: str) -> list[IntentMatch]: ...


M = TypeVar("M", bound=Matches)
Build = Callable[[LoadedData, DangerScan, Path], M]
"""Makes the matcher of sound data: (the loaded data, its danger scan, its folder)."""

_CHECKED: dict[tuple, tuple[Matches | None, list[DataProblem], bool]] = {}
"""Checked data by fingerprint, with whether the data's tests were run: loading runs every data
test (seconds here, more on a Pi), and one process may load the same folder several times
(``run``, ``chat``, the tests' sessions)."""


def _fingerprint(root: Path) -> tuple:
    """The folder and every file under it with its size and modification time (named from the
    folder, so ``intents/en`` and its absolute path are the same data)."""
    stats = sorted((str(p.relative_to(root)), p.stat()) for p in root.rglob("*") if p.is_file())
    return (str(root.resolve()), *((name, s.st_mtime_ns, s.st_size) for name, s in stats))


def checked(
    root: Path, build: Build[M], trust_record: bool = False
) -> tuple[M | None, list[DataProblem]]:
    """``_check`` once per state of the files: a matcher only reads its data, so it is shared
    (one ``build`` serves the process: the matcher's). ``trust_record``: skip the data's tests
    when this data passed them with this code before (``passed.py``; start-up), rather than run
    them (``check``)."""
    key = _fingerprint(root)
    if key not in _CHECKED or not (trust_record or _CHECKED[key][2]):
        _CHECKED[key] = _check(root, build, trust_record)
    matcher, problems, _ = _CHECKED[key]
    return matcher, list(problems)  # type: ignore[return-value]


def _check(
    root: Path, build: Build[M], trust_record: bool = False
) -> tuple[M | None, list[DataProblem], bool]:
    """The matcher (None when the data cannot make one), the problems, and whether the data's
    tests ran (so a later ``check`` of the same files need not run them again)."""
    data = load_data(root)
    problems = list(data.problems)
    if data.intents is None:
        return None, problems, True
    trusted = trust_record and not problems and has_passed(root)
    danger, danger_problems = load_danger(root, trusted)
    problems += danger_problems
    if danger is None:
        return None, problems, True
    matcher = build(data, danger, root)
    tested = bool(problems) or not trusted
    if tested:
        problems += run_tests(root, data, remembered(root, matcher.match_all))
        if not problems:
            mark_passed(root)
    _LOG.debug("checked intent data in %s: %d problem(s)", root, len(problems))
    return matcher, problems, tested
