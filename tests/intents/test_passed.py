"""Start-up skips the data's tests for data that passed them with this code before.

Every ``chat`` and ``run`` ran all of the data's tests at start-up (seconds here, more on a Pi).
The record of a clean run (``intents/passed.py``) is keyed by the data and the code, so any
change to either runs them again, and ``voice-repair check`` always runs them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import voice_repair.intents.matcher as matcher_module
from voice_repair.errors import DataProblem, IntentDataError
from voice_repair.intents.matcher import IntentMatcher, check_intents
from voice_repair.intents.passed import record_path

ROOT = Path(__file__).resolve().parents[2] / "intents" / "en"

pytestmark = pytest.mark.slow  # each loads the whole data once or twice (5-7 s)


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[int]]:
    """A copy of the data, a private cache folder, an empty in-process memo, and a count of the
    data's test runs (the real tests still run)."""
    root = tmp_path / "en"
    shutil.copytree(ROOT, root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(matcher_module, "_CHECKED", {})
    runs: list[int] = []
    real = matcher_module.run_tests

    def counted(*args, **kwargs):
        runs.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(matcher_module, "run_tests", counted)
    return root, runs


def _fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new process, as far as the matcher knows."""
    monkeypatch.setattr(matcher_module, "_CHECKED", {})


def test_the_second_start_with_the_same_data_skips_the_tests(data, monkeypatch):
    root, runs = data
    IntentMatcher.load(root)
    assert runs == [1] and record_path(root).is_file()
    _fresh(monkeypatch)
    matcher = IntentMatcher.load(root)
    assert runs == [1]  # not run again
    assert matcher.match("I need a pause").intent == "pause.start"


def test_changed_data_runs_the_tests_again(data, monkeypatch):
    root, runs = data
    IntentMatcher.load(root)
    with (root / "sentences" / "pause.yaml").open("a", encoding="utf-8") as f:
        f.write("# a comment changes nothing but the bytes\n")
    _fresh(monkeypatch)
    IntentMatcher.load(root)
    assert runs == [1, 1]


def test_check_always_runs_the_tests(data, monkeypatch):
    root, runs = data
    IntentMatcher.load(root)
    _fresh(monkeypatch)
    assert check_intents(root) == []
    assert runs == [1, 1]


def test_a_failing_check_is_never_recorded(data, monkeypatch):
    root, _ = data
    problem = DataProblem(str(root / "tests" / "pause.yaml"), 1, "a test failed")
    monkeypatch.setattr(matcher_module, "run_tests", lambda *a, **k: [problem])
    with pytest.raises(IntentDataError):
        IntentMatcher.load(root)
    assert not record_path(root).exists()
