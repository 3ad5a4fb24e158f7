"""The one table of what each request means in each mode: complete, and only about real
intents and modes (the rest of its behaviour is heard in test_modes.py and test_model.py)."""

from __future__ import annotations

from pathlib import Path

from voice_repair.datafiles import load_yaml
from voice_repair.models import Mode
from voice_repair.skill import ANY, TABLE, route

ROOT = Path(__file__).resolve().parents[2]


def _catalogue() -> set[str]:
    doc, problems = load_yaml(ROOT / "intents" / "en" / "intents.yaml")
    assert not problems
    return set(doc["intents"])


def test_every_intent_has_a_row_for_any_mode_and_no_row_names_another():
    intents = _catalogue()
    assert {intent for mode, intent in TABLE if mode == ANY} == intents
    assert {intent for _, intent in TABLE} <= intents
    assert {mode for mode, _ in TABLE} <= {ANY, *Mode}


def test_danger_means_the_same_in_every_mode():
    assert {route(mode, "safety") for mode in Mode} == {TABLE[(ANY, "safety")]}


def test_round_words_are_requests_only_in_or_right_after_a_round():
    for intent in ("turns.next", "turns.stop", "turns.again"):
        for mode in Mode:
            wanted = mode in (Mode.IN_ROUND, Mode.AFTER_ROUND)
            assert (route(mode, intent) is not None) == wanted, (mode, intent)
