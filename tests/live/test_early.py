"""Early readings (the speaker's own engine, while a home server transcribes): "stop" and danger
are acted on at once, everything else waits for the server, and a wrong early "stop" costs no
more than the rest of a sentence.

The real session, matcher and understanding; the utterances are given as the voice loop hands
them on (``VoiceDoor`` is its ``on_utterance``). The recognizer that makes them, against real
Wyoming servers, is in ``tests/asr/test_wyoming_early.py``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from voice_repair import app
from voice_repair.config import Config
from voice_repair.live.early import VoiceDoor
from voice_repair.live.listen import Understanding
from voice_repair.models import Mode, Say, Utterance


@pytest.fixture
def door(tmp_path: Path):
    """(VoiceDoor, lines said, silences, session)."""
    said: list[Say] = []
    silenced: list[int] = []
    options = app.Options(config=Config(data_dir=tmp_path / "data"), minute_seconds=60.0)
    session, engine = app.start_session(options, said.append, silence=lambda: silenced.append(1))
    understood = Understanding(session.matcher, None)
    yield VoiceDoor(understood, session.hear, lambda: silenced.append(1)), said, silenced, session
    engine.shutdown()


def _heard(text: str, start: float = 1.0, early: bool = False) -> Utterance:
    return Utterance(text, start, start + 1.0, start + 1.5, 1.0, True, True, early=early)


def test_stop_over_speech_silences_at_once_and_the_server_confirms_it(door):
    voice, said, silenced, _ = door
    assert voice(_heard("stop", early=True), True)
    assert silenced == [1] and said == []  # silenced before the server answered
    voice(_heard("stop"), False)  # the server's reading; the speaker is quiet now
    assert [s.source for s in said] == ["control.stop"]


def test_a_wrong_early_stop_costs_only_the_silence(door):
    voice, said, silenced, session = door
    assert voice(_heard("stop", early=True), True)
    assert not voice(_heard("i need a pause"), False)  # what was really said, over its speech
    assert silenced == [1] and said == [] and session.mode == Mode.IDLE


def test_danger_is_answered_early_and_once(door):
    voice, said, silenced, _ = door
    assert voice(_heard("he hit me", early=True), False)
    assert [s.source for s in said][:1] == ["safety"]
    count = len(said)
    assert not voice(_heard("he hit me", early=True), True)  # a second local reading
    assert not voice(_heard("stop"), True)  # the server's reading of the same speech
    assert not voice(_heard("i need a pause"), False)
    assert len(said) == count and silenced == []  # the danger reply is not cut off


def test_everything_else_waits_for_the_servers_reading(door):
    voice, said, silenced, _ = door
    assert not voice(_heard("i need a pause", early=True), False)
    assert not voice(_heard("stop", early=True), False)  # nothing to silence
    assert said == [] and silenced == []
    assert voice(_heard("i need a pause"), False)
    assert [s.source for s in said][:1] == ["pause.start"]


def test_later_speech_is_not_mistaken_for_speech_answered_early(door):
    voice, said, _, _ = door
    assert voice(_heard("he hit me", early=True), False)
    count = len(said)
    voice(_heard("he hit me"), False)  # the server's reading: dropped
    later = replace(_heard("what can you do", start=5.0))
    assert voice(later, False) and len(said) > count


def test_stop_over_speech_is_silenced_before_the_slow_route_check(tmp_path: Path):
    """The route check asks the sound server twice (``pactl``): seconds under load. A "stop"
    said over speech cuts the speech before it; the session still decides after the check."""
    events: list[str] = []
    said: list[Say] = []
    options = app.Options(config=Config(data_dir=tmp_path / "data"), minute_seconds=60.0)
    session, engine = app.start_session(options, said.append, silence=lambda: None)
    try:
        door = VoiceDoor(
            Understanding(session.matcher, None),
            session.hear,
            lambda: events.append("silenced"),
            check=lambda: events.append("route checked"),
        )
        assert door(_heard("stop"), True)
        assert events[:2] == ["silenced", "route checked"]
        assert [s.source for s in said] == ["control.stop"]
        events.clear()
        assert door(_heard("i need a pause"), False)  # not over speech: nothing to cut first
        assert events == ["route checked"]
    finally:
        engine.shutdown()


def test_a_misspelt_stop_first_switch_says_what_to_write(monkeypatch):
    from voice_repair.errors import ConfigError
    from voice_repair.live.early import stop_first_by_default

    monkeypatch.setenv("VOICE_REPAIR_STOP_FIRST", "yes")
    with pytest.raises(ConfigError, match=r"use 1 .* or 0"):
        stop_first_by_default()
