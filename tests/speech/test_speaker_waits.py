"""The speaker never waits without end for its speech engine.

A stop said while the first sentence of a reply is still being rendered silences it at once,
not once the engine is done; an engine that hangs (a thread inside libespeak-ng was found in a
hang) costs one line, logged, and the lines after it are still said.
"""

from __future__ import annotations

import logging
import threading

import numpy as np
import pytest
from timing import budget

from voice_repair.models import Say
from voice_repair.speech import speaker as speaker_module
from voice_repair.speech.speaker import Speaker

STOPPED_WITHIN_S = 0.3
"""A stop -> the speaker idle, at most, on a quiet machine (it looks every 50 ms)."""


class _Engine:
    """Renders a short tone at once, except the sentences in ``hang``, which wait until released
    (a real engine cannot be made to hang on demand)."""

    def __init__(self, *hang: str) -> None:
        self.hang = set(hang)
        self.release = threading.Event()

    def render(self, text: str) -> tuple[np.ndarray, int]:
        if text in self.hang:
            self.release.wait(60)
        return np.full(2205, 1000, dtype=np.int16), 22050


class _Player:
    """Records each piece played, at once."""

    sample_rate = 22050

    def __init__(self) -> None:
        self.played: list[np.ndarray] = []

    def play(self, samples: np.ndarray, sample_rate: int, cancel=None) -> bool:
        self.played.append(samples)
        return True

    def interrupt(self) -> None:
        pass


def test_a_stop_while_the_first_sentence_renders_silences_the_reply_at_once() -> None:
    engine, player = _Engine("Breathe in slowly."), _Player()
    speaker = Speaker(engine, player)
    try:
        speaker.say(Say("Breathe in slowly. Then breathe out.", source="test"))
        assert not speaker.wait_idle(0.3)  # it waits for the engine
        speaker.stop()
        assert speaker.wait_idle(budget(STOPPED_WITHIN_S)), "the stop waited for the engine"
    finally:
        engine.release.set()
        speaker.close()
    assert player.played == []  # nothing of the stopped reply was heard


def test_an_engine_that_hangs_costs_one_line_and_the_next_is_said(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(speaker_module, "RENDER_WAIT_SECONDS", 0.5)
    caplog.set_level(logging.ERROR, logger="voice_repair")
    engine, player = _Engine("Breathe in slowly."), _Player()
    speaker = Speaker(engine, player)
    try:
        speaker.say(Say("Breathe in slowly.", source="grounding"))
        assert speaker.wait_idle(budget(0.5 + STOPPED_WITHIN_S)), "the line waited for ever"
        engine.release.set()  # the engine comes back
        speaker.say(Say("Pausing for twenty minutes.", source="pause.start"))
        assert speaker.wait_idle(budget(1.0))
    finally:
        engine.release.set()
        speaker.close()
    assert len(player.played) == 1  # the second line, not the one the engine hung on
    assert "no sound for a sentence of a grounding line" in caplog.text
    assert "Breathe" not in caplog.text  # the words are never logged
