"""The optional wake phrase: the rule itself, the speech grammar it makes, and text mode."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from timing import budget

from voice_repair.intents.matcher import IntentMatcher
from voice_repair.live.wake import BARE_INTENTS, WakeGate, grammar

ROOT = Path(__file__).resolve().parents[2]
INTENTS = ROOT / "intents" / "en"


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher.load(INTENTS)


def _is_stop(matcher: IntentMatcher):
    """The gate's test for a sentence that needs no wake phrase: "stop" or danger."""

    def is_bare(text: str) -> bool:
        m = matcher.match(text)
        return m is not None and m.intent in BARE_INTENTS

    return is_bare


def test_without_a_wake_phrase_every_sentence_is_a_request(matcher) -> None:
    gate = WakeGate(None)
    assert gate.admit("I need a pause", _is_stop(matcher)) == "I need a pause"


def test_with_a_wake_phrase_only_what_follows_it_is_a_request(matcher) -> None:
    gate = WakeGate("hey compass")
    is_stop = _is_stop(matcher)
    assert gate.admit("I need a pause", is_stop) is None
    assert gate.admit("Hey, Compass! I need a pause.", is_stop) == "I need a pause."
    assert gate.admit("hey compass remind us at 8:30", is_stop) == "remind us at 8:30"
    assert gate.admit("hey compass", is_stop) is None  # the name alone asks for nothing
    assert gate.admit("hey compassion i need a pause", is_stop) is None  # whole words only
    assert gate.admit("i need a pause hey compass", is_stop) is None  # it must come first


def test_stop_always_works(matcher) -> None:
    gate = WakeGate("hey compass")
    is_stop = _is_stop(matcher)
    for text in ("stop", "be quiet", "stop the alarm"):
        assert gate.admit(text, is_stop) == text
    assert gate.admit("stop by the bakery", is_stop) is None  # not a stop request


def test_danger_is_never_behind_the_wake_phrase(matcher) -> None:
    gate = WakeGate("hey compass")
    is_bare = _is_stop(matcher)
    for text in ("I don't feel safe", "he choked me", "okay so um I want to end my life"):
        assert gate.admit(text, is_bare) == text
    assert gate.admit("the suspense is killing me", is_bare) is None  # an idiom, not danger


def test_grammar_holds_woken_requests_and_bare_stops_and_safety(matcher) -> None:
    pairs = matcher.phrases(max_per_intent=20)
    plain = grammar(pairs, None)
    assert plain == [text for _, text in pairs]
    woken = grammar(pairs, "hey compass")
    bare_ones = {text for intent, text in pairs if intent in ("control.stop", "safety")}
    bare = [p for p in woken if not p.startswith("hey compass ")]
    assert any(i == "safety" for i, _ in pairs)
    assert bare_ones and set(bare) == bare_ones  # bare requests are out, stops and safety in
    assert len(woken) == len(pairs) + len(bare_ones)
    # Every woken sentence means, after the gate, what the sentence means on its own.
    gate = WakeGate("hey compass")
    for intent, text in pairs[::7]:
        admitted = gate.admit(f"hey compass {text}", _is_stop(matcher))
        assert admitted is not None and matcher.match(admitted).intent == intent


def _chat(tmp_path: Path, lines: list[str], wake: str | None) -> list[dict]:
    config = tmp_path / "voice-repair.toml"
    config.write_text(f'[recognition]\nwake_phrase = "{wake}"\n' if wake else "")
    # The time-out is a hang guard that grows with the slowness measured (``budget``): a fixed
    # 60 s ended all three text-mode chats of one ``make check`` at a load average of 16.
    out = subprocess.run(
        [sys.executable, "-m", "voice_repair", "chat", "--json", "--config", str(config),
         "--data-dir", str(tmp_path / "data"), "--minute", "5"],
        input="\n".join(lines) + "\n", capture_output=True, text=True, cwd=ROOT, timeout=budget(60),
        env={**os.environ},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_text_mode_applies_the_same_rule(tmp_path: Path) -> None:
    lines = ["I need a pause", "how much time is left", "hey compass, I need a pause"]
    said = _chat(tmp_path, [*lines, "hey compass how much time is left", "stop"], "hey compass")
    sources = [e["source"] for e in said]
    # The two requests without the wake phrase got no answer; the woken ones and "stop" did.
    assert sources == ["pause.start", "pause.status", "control.stop"]


def test_text_mode_answers_danger_without_the_wake_phrase(tmp_path: Path) -> None:
    said = _chat(tmp_path, ["I need a pause", "he hit me, can we take a break"], "hey compass")
    assert [e["source"] for e in said] == ["safety"]


def test_text_mode_without_wake_phrase_answers_everything(tmp_path: Path) -> None:
    said = _chat(tmp_path, ["I need a pause", "how much time is left"], None)
    assert [e["source"] for e in said] == ["pause.start", "pause.status"]
