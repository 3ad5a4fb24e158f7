"""Start-up skips the data's tests for data that passed them with this code before.

Every ``chat`` and ``run`` ran all of the data's tests at start-up (seconds here, more on a Pi).
The record of a clean run (``intents/passed.py``) is keyed by the data and the code, so any
change to either runs them again, and ``voice-repair check`` always runs them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import voice_repair.intents.checking as checking_module
from voice_repair.errors import DataProblem, IntentDataError
from voice_repair.intents.matcher import IntentMatcher, check_intents
from voice_repair.intents.passed import record_path

# Each checks a copy of the data once or twice (1-2 s each on the small copy, 5-7 s on the whole
# data): make test's, not the edit loop's.
pytestmark = pytest.mark.slow


@pytest.fixture
def data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_intents: Path
) -> tuple[Path, list[int]]:
    """A copy of the data (the small one, ``tests/intentcopy.py``: the record does not care how
    many sentences there are), a private cache folder, an empty in-process memo, and a count of
    the data's test runs (the real tests still run)."""
    root = tmp_path / "en"
    shutil.copytree(small_intents, root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("CACHE_DIRECTORY", raising=False)
    monkeypatch.setattr(checking_module, "_CHECKED", {})
    runs: list[int] = []
    real = checking_module.run_tests

    def counted(*args, **kwargs):
        runs.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(checking_module, "run_tests", counted)
    return root, runs


def _fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new process, as far as the matcher knows."""
    monkeypatch.setattr(checking_module, "_CHECKED", {})


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
    monkeypatch.setattr(checking_module, "run_tests", lambda *a, **k: [problem])
    with pytest.raises(IntentDataError):
        IntentMatcher.load(root)
    assert not record_path(root).exists()


def test_a_start_after_a_check_in_the_same_process_runs_no_second_time(data, monkeypatch):
    """Even where no record can be kept (a read-only cache folder), one process checks a state
    of the data once: a ``check`` (or a doctor's) serves the loads that follow."""
    root, runs = data
    not_a_folder = root.parent / "cache-is-a-file"
    not_a_folder.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(not_a_folder))
    assert check_intents(root) == []
    matcher = IntentMatcher.load(root)
    assert runs == [1]
    assert matcher.match("I need a pause").intent == "pause.start"
    IntentMatcher.load(root)
    assert check_intents(root) == []
    assert runs == [1]


def test_under_systemd_the_record_goes_to_the_services_own_cache_folder(data, monkeypatch):
    """The service's home is read-only; systemd hands it a writable cache folder
    (``CacheDirectory=`` in the unit, ``$CACHE_DIRECTORY``), so a restart skips the tests."""
    root, runs = data
    given = root.parent / "service-cache"
    given.mkdir()
    monkeypatch.setenv("CACHE_DIRECTORY", str(given))
    IntentMatcher.load(root)
    assert record_path(root).parent == given / "checked"
    assert record_path(root).is_file()
    assert not (root.parent / "cache").exists()  # nothing in $XDG_CACHE_HOME
    _fresh(monkeypatch)
    IntentMatcher.load(root)
    assert runs == [1]
