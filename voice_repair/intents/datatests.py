"""Running the intent data's own tests (``intents/<lang>/tests/``) as ``file:line`` problems.

``tests/<family>.yaml`` mirrors ``sentences/<family>.yaml`` file for file and lists sentences with
the intent and slots they must give. ``tests/_none.yaml`` lists everyday sentences that must match
nothing, and so does every other ``tests/_*.yaml`` (``_idioms.yaml``: idioms that borrow danger
words). Beyond "the best match is right", a test sentence that any *other* intent also matches is
reported as an over-match: it shows two templates competing, which is a bug waiting to happen.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..datafiles import line_of, load_yaml
from ..errors import DataProblem
from ..models import IntentMatch
from .spec import SLOT_TYPES, LoadedData, rel

__all__ = ["run_tests", "NONE_FILE"]

NONE_FILE = "_none"
"""Stem of the tests file whose sentences must match nothing."""

MatchAll = Callable[[str], list[IntentMatch]]


def run_tests(root: Path, data: LoadedData, match_all: MatchAll) -> list[DataProblem]:
    """Check the tests files' shape and mirroring, then run every test sentence."""
    problems: list[DataProblem] = []
    folder = root / "tests"
    files = {p.stem: p for p in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}
    for stem in sorted(data.families):
        if not stem.startswith("_") and stem not in files:
            where = rel(root / "sentences" / f"{stem}.yaml", root)
            problems.append(DataProblem(where, 0, f"no tests file tests/{stem}.yaml mirrors it"))
    if NONE_FILE not in files:
        problems.append(
            DataProblem(
                rel(folder, root), 0, f"missing {NONE_FILE}.yaml (sentences to match nothing)"
            )
        )
    tested: set[str] = set()
    run_all = "*" not in data.broken
    for stem, path in files.items():
        name = rel(path, root)
        doc, file_problems = load_yaml(path, name)
        problems += file_problems
        if file_problems:
            continue
        if not isinstance(doc, dict):
            problems.append(DataProblem(name, 1, "expected a mapping at the top"))
        elif stem.startswith("_"):  # _none, _idioms, ...: every sentence must match nothing
            problems += _run_none(name, doc, match_all if run_all else None)
        elif stem not in data.families:
            problems.append(
                DataProblem(name, 1, f"no sentences/{stem}.yaml for this tests file to mirror")
            )
        else:
            problems += _run_family(name, stem, doc, data, match_all if run_all else None, tested)
    problems += _check_examples(root, data)
    for intent, spec in data.catalogue.items():
        file, line = data.catalogue_lines[intent]
        if intent not in tested and intent not in data.broken:
            problems.append(DataProblem(file, line, f"intent '{intent}' has no tests"))
        if run_all and intent not in data.broken:
            problems += _expect(file, line, spec.example, intent, {}, match_all, check_slots=False)
    return problems


def _check_examples(root: Path, data: LoadedData) -> list[DataProblem]:
    """``examples/`` (sentences for the semantic net alone): each family file maps known
    intents to lists of sentences, each ``_*.yaml`` lists sentences. They need no template."""
    problems: list[DataProblem] = []
    for path in sorted((root / "examples").glob("*.yaml")):
        name = rel(path, root)
        doc, file_problems = load_yaml(path, name)
        problems += file_problems
        if file_problems:
            continue
        key = "sentences" if path.stem.startswith("_") else "examples"
        groups = doc.get(key) if isinstance(doc, dict) else None
        if key == "sentences":
            groups = {"": groups} if isinstance(groups, list) else None
        if not isinstance(groups, dict):
            problems.append(DataProblem(name, 1, f"expected a `{key}:` mapping at the top"))
            continue
        for intent, sentences in groups.items():
            if intent in data.broken:
                continue  # malformed catalogue entry, reported there
            if key == "examples" and (intent not in data.catalogue or intent == "safety"):
                problems.append(
                    DataProblem(name, line_of(sentences, 1), f"no request intent {intent!r}")
                )
            elif not isinstance(sentences, list) or not all(isinstance(t, str) for t in sentences):
                problems.append(DataProblem(name, line_of(sentences, 1), "expected sentences"))
    return problems


def _run_none(name: str, doc: dict[str, Any], match_all: MatchAll | None) -> list[DataProblem]:
    sentences = doc.get("sentences")
    if not isinstance(sentences, list):
        return [DataProblem(name, line_of(doc, 1), "expected a `sentences:` list")]
    problems: list[DataProblem] = []
    for text in sentences:
        if not isinstance(text, str):
            problems.append(DataProblem(name, line_of(text, doc.line), "expected a sentence"))
        elif match_all is not None and (found := match_all(text)):
            problems.append(
                DataProblem(
                    name, text.line, f"{text!r} must match nothing but matches {found[0].intent}"
                )
            )
    return problems


def _run_family(
    name: str,
    stem: str,
    doc: dict[str, Any],
    data: LoadedData,
    match_all: MatchAll | None,
    tested: set[str],
) -> list[DataProblem]:
    tests = doc.get("tests")
    if not isinstance(tests, list):
        return [DataProblem(name, line_of(doc, 1), "expected a `tests:` list")]
    problems: list[DataProblem] = []
    for test in tests:
        line = line_of(test, 1)
        intent_part = test.get("intent") if isinstance(test, dict) else None
        sentences = test.get("sentences") if isinstance(test, dict) else None
        if not isinstance(intent_part, dict) or not isinstance(sentences, list):
            problems.append(DataProblem(name, line, "a test needs `sentences:` and `intent:`"))
            continue
        intent = intent_part.get("name")
        slots = intent_part.get("slots") or {}
        if not data.catalogue_loaded or (intent in data.declared and intent not in data.catalogue):
            continue  # malformed catalogue entry, reported there
        if intent not in data.catalogue:
            problems.append(DataProblem(name, line, f"unknown intent {intent!r} in test"))
            continue
        if intent in data.broken:
            tested.add(intent)  # its data problem is reported; its tests wait for the fix
            continue
        if intent not in data.families[stem]:
            problems.append(
                DataProblem(name, line, f"test for '{intent}' belongs with that intent's sentences")
            )
            continue
        slot_problems = _slot_problems(name, line_of(intent_part, line), intent, slots, data)
        problems += slot_problems
        tested.add(intent)
        if match_all is None or slot_problems or intent in data.broken:
            continue
        for text in sentences:
            problems += _expect(name, line_of(text, line), text, intent, slots, match_all)
    return problems


def _slot_problems(
    name: str, line: int, intent: str, slots: Any, data: LoadedData
) -> list[DataProblem]:
    if not isinstance(slots, dict):
        return [DataProblem(name, line, "`slots` must be a mapping")]
    types = {slot.name: slot.type for slot in data.catalogue[intent].slots}
    problems = []
    for slot, value in slots.items():
        if slot not in types:
            known = ", ".join(types) or "none"
            problems.append(
                DataProblem(name, line, f"intent '{intent}' has no slot '{slot}' (slots: {known})")
            )
        elif not isinstance(value, SLOT_TYPES[types[slot]]) or isinstance(value, bool):
            problems.append(
                DataProblem(name, line, f"slot '{slot}' must be of type {types[slot]}: {value!r}")
            )
    return problems


def _expect(
    name: str,
    line: int,
    text: Any,
    intent: str,
    slots: dict[str, Any],
    match_all: MatchAll,
    check_slots: bool = True,
) -> list[DataProblem]:
    """The sentence's best match is ``intent`` with ``slots``, and no other intent matches."""
    if not isinstance(text, str):
        return [DataProblem(name, line, f"expected a sentence, got {text!r}")]
    found = match_all(text)
    if not found:
        return [DataProblem(name, line, f"{text!r} matches nothing; expected {intent}")]
    best, others = found[0], [m.intent for m in found[1:]]
    if best.intent != intent:
        return [DataProblem(name, line, f"{text!r} matches {best.intent}; expected {intent}")]
    problems = []
    want = {str(k): v if isinstance(v, int) else str(v) for k, v in slots.items()}
    if check_slots and best.slots != want:
        problems.append(
            DataProblem(name, line, f"{text!r} gives slots {best.slots}; expected {want}")
        )
    if others:
        problems.append(
            DataProblem(name, line, f"{text!r} also matches {', '.join(others)} (over-match)")
        )
    return problems
