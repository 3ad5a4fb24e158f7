"""The data tests' matching is remembered per state of the files it reads (``matchmemo.py``).

What matters to a user: a check reports exactly what a fresh process would, whatever copies of
the data were checked before in the same process; a template changed since is matched afresh.
The speed (a copy whose templates are unchanged is not matched again) is counted on the real
matcher, through a spy that calls it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

import voice_repair.intents.matchmemo as memo
from voice_repair.intents.matcher import IntentMatcher, check_intents

# Each checks two or three copies of the data (2-5 s of CPU): make test's, not the edit loop's.
pytestmark = pytest.mark.slow


@pytest.fixture
def matched(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """An empty memo, and every sentence the real ``match_all`` was asked to match."""
    monkeypatch.setattr(memo, "_answers", type(memo._answers)())
    asked: list[str] = []
    real = IntentMatcher.match_all

    def spy(self: IntentMatcher, text: str):
        asked.append(text)
        return real(self, text)

    monkeypatch.setattr(IntentMatcher, "match_all", spy)
    return asked


def _copy(small_intents: Path, to: Path) -> Path:
    shutil.copytree(small_intents, to)
    return to


def test_a_copy_with_only_its_tests_changed_reports_what_a_fresh_process_does(
    small_intents: Path, tmp_path: Path, matched: list[str]
):
    assert check_intents(_copy(small_intents, tmp_path / "a" / "en")) == []
    first = len(matched)
    assert first > 30  # the data's own tests ran (47 sentences of the small copy)
    broken = _copy(small_intents, tmp_path / "b" / "en")
    tests = broken / "tests" / "pause.yaml"
    tests.write_text(
        tests.read_text(encoding="utf-8")
        + "  - sentences: ['I need ten minutes']\n"
        + "    intent: {name: pause.start, slots: {minutes: 15}}\n",
        encoding="utf-8",
    )
    problems = [str(p) for p in check_intents(broken)]
    assert any("'minutes': 10" in p and "'minutes': 15" in p for p in problems), problems
    assert len(matched) - first < 5  # only the new sentence was matched again
    memo._answers.clear()  # a fresh process
    assert [str(p) for p in check_intents(broken)] == problems


def test_a_changed_template_is_matched_afresh(
    small_intents: Path, tmp_path: Path, matched: list[str]
):
    assert check_intents(_copy(small_intents, tmp_path / "a" / "en")) == []
    broken = _copy(small_intents, tmp_path / "b" / "en")
    # A sentence the pause tests expect as a pause request, now also a template for help.
    doc = yaml.safe_load((broken / "tests" / "pause.yaml").read_text(encoding="utf-8"))
    sentence = next(t["sentences"][0] for t in doc["tests"] if not t["intent"].get("slots"))
    control = broken / "sentences" / "control.yaml"
    marker = "  control.help:\n    data:\n      - sentences:\n"
    text = control.read_text(encoding="utf-8")
    assert marker in text
    control.write_text(text.replace(marker, marker + f"          - '{sentence}'\n"), "utf-8")
    problems = [str(p) for p in check_intents(broken)]
    assert any(f"'{sentence}'" in p and "control.help" in p for p in problems), problems
