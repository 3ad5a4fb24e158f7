"""A small, valid copy of the intent data, for the tests that break one piece of it.

Checking the data (``check_intents``, ``voice-repair check``, start-up) runs every sentence of
``intents/en/tests/`` through the matcher: a few seconds here. A dozen tests each break a copy
of the data to see one problem reported with its ``file:line`` (a bad template, a wrong shape,
a missing tests file), and each paid those seconds again for sentences that have nothing to do
with the broken piece: most of ``make check``'s time. Those tests break this copy instead: the
same catalogue, templates, lists, danger patterns and responses, with each tests file cut to the
first sentence of the first test of each intent for each set of slot names it fills (34 tests
of the 261; until the sixteenth session the first sentence of every test, whose matching was
most of each broken copy's check: 1.0-1.3 s of CPU, now 0.25-0.35 s) and the first few
must-match-nothing sentences. Every code path of the check still runs (family tests, their
slots' types, over-matches, ``_none``, the catalogue's examples), and no test that breaks the
copy asserts anything of the sentences left out: each asserts the problem it made. Every
sentence of the full data is still run by ``voice-repair check`` in ``tests/test_cli.py``'s
``test_check_passes_on_the_shipped_data`` (``make test``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

SHIPPED = Path(__file__).resolve().parents[1] / "intents" / "en"
"""The data as shipped."""

KEEP_NOTHING_SENTENCES = 4
"""Sentences kept of each must-match-nothing file (``_none.yaml``, ``_idioms.yaml``)."""


def _flow(value: object) -> str:
    """``value`` as YAML flow text (JSON is YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _small_tests_file(path: Path) -> str:
    """The tests file cut short, in the block layout of the real files (``  - `` items), so
    a test can append to it as it would to the real one."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    lines = [f"language: {doc['language']}"]
    if path.stem.startswith("_"):
        lines.append("sentences:")
        lines += [f"  - {_flow(s)}" for s in doc["sentences"][:KEEP_NOTHING_SENTENCES]]
    else:
        lines.append("tests:")
        kept: set[tuple[str, tuple[str, ...]]] = set()
        for test in doc["tests"]:
            kind = (test["intent"]["name"], tuple(sorted(test["intent"].get("slots") or {})))
            if kind in kept:
                continue
            kept.add(kind)
            lines.append("  - sentences:")
            lines.append(f"      - {_flow(test['sentences'][0])}")
            lines.append(f"    intent: {_flow(test['intent'])}")
    return "\n".join(lines) + "\n"


def make_small_copy(dest: Path) -> Path:
    """Copy the shipped data to ``dest`` with its tests files cut short; returns ``dest``."""
    shutil.copytree(SHIPPED, dest)
    for path in sorted((dest / "tests").glob("*.yaml")):
        path.write_text(_small_tests_file(path), encoding="utf-8")
    return dest
