"""With a wake phrase set, the requests the replies teach must carry it, or following them fails.

"Try: I need a pause" is ignored once ``wake_phrase = "hey compass"`` is set (only "stop" works
bare), so a person who does what the assistant says would get silence. Every request a reply
quotes (after a colon: "say: ...", "Try: ...", "Or: ...") is marked ``{wake}`` in replies.yaml;
these tests read every reply as it is spoken, with and without a wake phrase, and follow the
hints in text mode as a person would.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from voice_repair import app
from voice_repair.config import Config, RecognitionConfig
from voice_repair.content.loader import load_content
from voice_repair.content.rules import REPLY_RULES, WAKE
from voice_repair.intents.matcher import IntentMatcher
from voice_repair.live.wake import STOP_INTENT, WakeGate

REPO = Path(__file__).resolve().parents[2]
ROOT = REPO / "intents" / "en"
WAKE_PHRASE = "hey compass"

_VALUES = {
    "minutes": "twenty minutes", "remaining": "about seven minutes", "count": "2",
    "time": "eight o'clock", "n": "two", "m": "ten", "duration": "seven minutes",
    "hour": "eight", "minute": "thirty", "support_contact_sentence": "",
    "support_contact": "Riverside Counseling", "problem": "full", "first": "Sam",
    "second": "Alex", "speaker": "Sam", "listener": "Alex",
    "when": "eight o'clock this evening", "offer": "eight o'clock tomorrow evening",
}  # fmt: skip
"""A value for every placeholder a handler fills in ({wake} is the content's own)."""


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher.load(ROOT)


def _spoken(wake: str | None) -> list[tuple[str, str]]:
    """(key, text) of every variant of every reply, as spoken with ``wake`` as wake phrase."""
    content = load_content(ROOT, wake_phrase=wake)
    out = []
    for key in REPLY_RULES:
        values = {k: v for k, v in _VALUES.items() if k in REPLY_RULES[key].allowed}
        out += [(key, content.line(key, i, **values)) for i in range(content.variants(key))]
    return out


def _quoted(text: str) -> list[str]:
    """What follows each colon, up to the end of its sentence (the wake phrase's comma kept)."""
    return [m.strip() for m in re.findall(r":\s*([^.:;!?]+)", text)]


def _request(fragment: str, matcher: IntentMatcher) -> str | None:
    """The intent of a quoted fragment's first clause, or None."""
    match = matcher.match(fragment.split(",")[0].strip())
    return match.intent if match else None


def test_every_quoted_request_carries_the_wake_phrase(matcher: IntentMatcher) -> None:
    """With a wake phrase, each request after a colon starts with it ("stop" excepted), and
    the wake phrase appears nowhere else."""
    woken_hints = 0
    for key, text in _spoken(WAKE_PHRASE):
        for fragment in _quoted(text):
            if fragment.startswith(f"{WAKE_PHRASE}, "):
                rest = fragment.removeprefix(f"{WAKE_PHRASE}, ")
                intent = _request(rest, matcher)
                assert intent not in (None, STOP_INTENT), f"{key}: {{wake}} before {rest!r}"
                woken_hints += 1
            else:
                intent = _request(fragment, matcher)
                assert intent in (None, STOP_INTENT), f"{key}: {fragment!r} lacks {{wake}}"
        assert text.count(WAKE_PHRASE) == sum(
            f.startswith(f"{WAKE_PHRASE}, ") for f in _quoted(text)
        ), f"{key}: the wake phrase outside a quoted request: {text!r}"
    assert woken_hints >= 10  # the pause, status, reminder and help lines all teach requests


def test_every_woken_hint_is_acted_on_and_its_bare_form_is_not(matcher: IntentMatcher) -> None:
    """What the hint says, said as it says it, passes the wake gate and means a request; the
    same words without the wake phrase would be ignored (which is why it must be there)."""
    gate = WakeGate(WAKE_PHRASE)

    def is_stop(text: str) -> bool:
        m = matcher.match(text)
        return m is not None and m.intent == STOP_INTENT

    for key, text in _spoken(WAKE_PHRASE):
        for fragment in _quoted(text):
            if not fragment.startswith(f"{WAKE_PHRASE}, "):
                continue
            said = WAKE_PHRASE + ", " + fragment.removeprefix(f"{WAKE_PHRASE}, ").split(",")[0]
            admitted = gate.admit(said, is_stop)
            assert admitted is not None and matcher.match(admitted) is not None, (key, said)
            assert gate.admit(said.removeprefix(f"{WAKE_PHRASE}, "), is_stop) is None


def test_without_a_wake_phrase_the_replies_are_unchanged_words(matcher: IntentMatcher) -> None:
    plain = dict(_spoken(None))
    assert plain["control.help"] != dict(_spoken(WAKE_PHRASE))["control.help"]
    for key, text in _spoken(None):
        assert "{" not in text and "  " not in text and ": ," not in text, (key, text)
        assert WAKE_PHRASE not in text
    help_lines = [t for k, t in _spoken(None) if k == "control.help"]
    assert any("Try: I need a pause. Or: help me calm down." in t for t in help_lines)


def test_the_wake_placeholder_is_for_replies_only() -> None:
    """Scripts are sentences partners say to each other ("Try: I can see how much that
    hurt"), never requests: {wake} there would be an unknown placeholder."""
    assert all(WAKE in rule.allowed for rule in REPLY_RULES.values())
    scripts = (ROOT / "responses" / "scripts.yaml").read_text()
    assert "{wake}" not in scripts


def _last_hint(text: str) -> str:
    """The last request a reply tells people to say ("... say: X." -> "X")."""
    hints = re.findall(r"say: ([^.]+)\.", text)
    assert hints, f"no hint in {text!r}"
    return hints[-1]


class _Person:
    """Standard input for text mode: says ``first``, then each time exactly the last request
    the assistant's latest reply told them to say."""

    def __init__(self, first: str, out: io.StringIO, turns: int) -> None:
        self.first, self.out, self.turns = first, out, turns
        self.typed: list[str] = []

    def isatty(self) -> bool:
        return False

    def __iter__(self) -> Iterator[str]:
        line = self.first
        for turn in range(self.turns):
            if turn:  # the reply to the previous line has been printed by now
                line = _last_hint(json.loads(self.out.getvalue().splitlines()[-1])["text"])
            self.typed.append(line)
            yield line + "\n"


@pytest.mark.parametrize("wake", [WAKE_PHRASE, None])
def test_following_the_hints_in_text_mode(tmp_path: Path, wake: str | None) -> None:
    """``voice-repair chat`` (``app.chat``), typing exactly what each reply says to say: "no
    pause is running ... say: I need a pause" starts a pause, whose reply "... say: I need five
    more minutes" extends it. With a wake phrase, the hints carry it and so they work."""
    config = Config(data_dir=tmp_path / "data", recognition=RecognitionConfig(wake_phrase=wake))
    options = app.Options(config=config, json=True)
    out = io.StringIO()
    prefix = f"{wake}, " if wake else ""
    person = _Person(f"{prefix}how much time is left", out, turns=3)
    assert app.chat(options, person, out) == 0  # type: ignore[arg-type]
    sources = [json.loads(line)["source"] for line in out.getvalue().splitlines()]
    assert sources == ["pause.status", "pause.start", "pause.extend"], out.getvalue()
    assert all(t.startswith(prefix) for t in person.typed), person.typed
    assert person.typed[1].removeprefix(prefix) in ("I need a pause", "I need a break")
    assert person.typed[2].removeprefix(prefix) == "I need five more minutes"
