"""One front door: a sentence typed or heard is matched once, then the session applies the wake
phrase, danger and the mode, and decides "stop" (silencing the speaker) in one place."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from voice_repair import app
from voice_repair.config import Config
from voice_repair.config.settings import RecognitionConfig
from voice_repair.live.listen import Understanding
from voice_repair.models import Say, Utterance


class Counting:
    """The real matcher, counting how often a sentence is matched."""

    def __init__(self, matcher) -> None:
        self.matcher = matcher
        self.calls = 0

    def match(self, text: str):
        self.calls += 1
        return self.matcher.match(text)

    def danger(self, text: str):
        self.calls += 1
        return self.matcher.danger(text)


@pytest.fixture
def door(tmp_path: Path):
    """(hear(text, speaking=False) -> lines said, counting matcher, silences)."""
    said: list[Say] = []
    silenced: list[int] = []
    config = Config(
        data_dir=tmp_path / "data", recognition=RecognitionConfig(wake_phrase="hey compass")
    )
    options = app.Options(config=config, minute_seconds=60.0)
    session, engine = app.start_session(options, said.append, silence=lambda: silenced.append(1))
    counting = Counting(session.matcher)
    understood = Understanding(counting, "hey compass")

    def hear(text: str, speaking: bool = False, cancelled: bool = False) -> list[Say]:
        """``cancelled``: the assistant's own voice is taken out of the microphone."""
        before = len(said)
        utterance = Utterance(text, 0.0, 1.0, 1.0, 1.0, True)
        heard = understood.heard(utterance)
        session.hear(replace(heard, while_speaking=speaking, echo_cancelled=cancelled))
        return said[before:]

    yield hear, counting, silenced
    engine.shutdown()


def test_every_sentence_is_matched_once(door):
    hear, counting, _ = door
    for text in ("I need a pause", "hey compass I need a pause", "stop", "I want to die",
                 "pass the salt", "hey compass what can you do"):  # fmt: skip
        before = counting.calls
        hear(text)
        assert counting.calls - before == 1, text


def test_the_wake_phrase_danger_and_stop(door):
    hear, _, silenced = door
    assert hear("I need a pause") == []  # no wake phrase
    assert hear("hey compass I need a pause")[0].source == "pause.start"
    assert hear("stop")[0].source == "control.stop" and silenced == [1]  # bare, and silences
    assert hear("he hit me")[0].source == "safety"  # danger needs no wake phrase


def test_while_speaking_only_stop_is_acted_on(door):
    hear, _, silenced = door
    assert hear("hey compass I need a pause", speaking=True) == []
    assert hear("I want to die", speaking=True) == []  # its own voice reading a line
    assert hear("stop", speaking=True)[0].source == "control.stop"
    assert silenced == [1]


def test_with_its_own_voice_cancelled_danger_said_over_its_speech_cuts_in(door):
    hear, _, silenced = door
    # Still nothing else while it speaks: its reading is not interrupted by a request.
    assert hear("hey compass I need a pause", speaking=True, cancelled=True) == []
    said = hear("I want to die", speaking=True, cancelled=True)
    assert silenced == [1], "the speech it was giving goes on over someone in danger"
    assert said and said[0].source == "safety"
    first = said[0].text.split(".")[0]
    assert "nine eight eight" in first, said[0].text  # the route that fits first: crisis line


def test_its_own_safety_reply_heard_back_does_not_cut_itself_short(door):
    hear, _, silenced = door
    said = hear("he is hitting me")
    assert said[0].source == "safety" and "nine one one" in said[0].text.split(".")[0]
    # Residual echo of its own reply ("if you're thinking about hurting yourself ...")
    assert hear("if you're thinking about hurting yourself", speaking=True, cancelled=True) == []
    assert silenced == []
