"""Checking the intent data, its own test sentences included: ``check_intents`` and start-up.

Moved out of ``matcher.py`` (which matches; this decides whether data may be matched at all).
A loaded matcher is only read afterwards, so one state of the files is checked once per process
and its matcher shared (``checked``); ``IntentMatcher.load`` and ``voice-repair check`` both come
through here, so a broken file stops start-up with the same ``file:line`` messages ``check``
prints.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DataProblem
from .danger import load_danger
from .data import load_data
from .datatests import run_tests
from .learned import LearnedNet
from .matchmemo import remembered
from .passed import has_passed, mark_passed
from .semantic import SemanticNet
from .wording import normalize

if TYPE_CHECKING:  # the matcher imports this module; it is built here only when data is sound
    from .matcher import IntentMatcher

__all__ = ["check_intents", "checked"]

_LOG = logging.getLogger(__name__)


def check_intents(root: Path) -> list[DataProblem]:
    """Every problem in the intent data under ``root``, as ``file:line`` problems; never raises.

    Checks YAML syntax, the catalogue, template syntax, lists, rules and slots, that
    ``tests/`` mirrors ``sentences/``, and runs every test sentence (its best match must be
    its own intent and slots, and no other intent may match it; ``_none.yaml`` must match
    nothing). Tests of intents whose data is broken are skipped: fix the data first.
    """
    return checked(root)[1]


_CHECKED: dict[tuple, tuple[IntentMatcher | None, list[DataProblem], bool]] = {}
"""Checked data by fingerprint, with whether the data's tests were run: loading runs every data
test (seconds here, more on a Pi), and one process may load the same folder several times
(``run``, ``chat``, the tests' sessions)."""


def _fingerprint(root: Path) -> tuple:
    """The folder and every file under it with its size and modification time (named from the
    folder, so ``intents/en`` and its absolute path are the same data)."""
    stats = sorted((str(p.relative_to(root)), p.stat()) for p in root.rglob("*") if p.is_file())
    return (str(root.resolve()), *((name, s.st_mtime_ns, s.st_size) for name, s in stats))


def checked(
    root: Path, trust_record: bool = False
) -> tuple[IntentMatcher | None, list[DataProblem]]:
    """``_check`` once per state of the files: a matcher only reads its data, so it is shared.
    ``trust_record``: skip the data's tests when this data passed them with this code before
    (``passed.py``; start-up), rather than run them (``check``)."""
    key = _fingerprint(root)
    if key not in _CHECKED or not (trust_record or _CHECKED[key][2]):
        _CHECKED[key] = _check(root, trust_record)
    matcher, problems, _ = _CHECKED[key]
    return matcher, list(problems)


def _check(
    root: Path, trust_record: bool = False
) -> tuple[IntentMatcher | None, list[DataProblem], bool]:
    """The matcher (None when the data cannot make one), the problems, and whether the data's
    tests ran (so a later ``check`` of the same files need not run them again)."""
    from .matcher import IntentMatcher  # here, not above: matcher.py imports this module

    data = load_data(root)
    problems = list(data.problems)
    if data.intents is None:
        return None, problems, True
    trusted = trust_record and not problems and has_passed(root)
    danger, danger_problems = load_danger(root, trusted)
    problems += danger_problems
    if danger is None:
        return None, problems, True
    semantic = SemanticNet(root, normalize)  # loads its model on first use, not here
    matcher = IntentMatcher(data.catalogue, data.intents, danger, semantic, LearnedNet(root))
    tested = bool(problems) or not trusted
    if tested:
        problems += run_tests(root, data, remembered(root, matcher.match_all))
        if not problems:
            mark_passed(root)
    _LOG.debug("checked intent data in %s: %d problem(s)", root, len(problems))
    return matcher, problems, tested
