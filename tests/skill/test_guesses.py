"""A request the semantic net guessed is answered only where it makes sense (issue 19).

"We're ready to go" is everyday talk at the door, and near "we're ready to talk" in meaning:
with no pause running the speaker must say nothing, while during a pause the same words end it.
A template's exact words keep their answer in every mode ("end the pause": there is none).
Real matcher, semantic net, response data, session and timer engine; the minute is sped up.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from voice_repair import app
from voice_repair.config import Config
from voice_repair.models import IntentMatch, Mode, Say
from voice_repair.skill import GUESSED, answers

pytestmark = pytest.mark.model


class _Heard:
    def __init__(self) -> None:
        self.items: list[Say] = []
        self.lock = threading.Lock()

    def __call__(self, say: Say) -> None:
        with self.lock:
            self.items.append(say)


@pytest.fixture
def send(tmp_path: Path):
    """``send(text)`` -> the lines said in reply, through the real session."""
    heard = _Heard()
    options = app.Options(config=Config(data_dir=tmp_path / "data"), minute_seconds=0.5)
    session, engine = app.start_session(options, heard)

    def said(text: str) -> list[Say]:
        before = len(heard.items)
        session.handle_text(text)
        return heard.items[before:]

    yield said
    engine.shutdown()


def test_a_guessed_end_of_a_pause_is_silent_with_no_pause_and_ends_a_running_one(send):
    assert send("we're ready to go") == []
    started = send("i need ten minutes")
    assert started and started[0].source == "pause.start"
    ended = send("we're ready to go")
    assert ended and ended[0].source == "pause.end"


def test_a_template_keeps_its_answer_with_no_pause(send):
    said = send("end the pause")
    assert said and said[0].source == "pause.end"  # "there's no pause running"


def test_the_gate_reads_the_mode_never_the_words():
    guess = IntentMatch("pause.end", {}, "", guessed=True)
    template = IntentMatch("pause.end", {}, "")
    assert [m for m in Mode if answers(guess, m)] == [Mode.PAUSING]
    assert all(answers(template, m) for m in Mode)
    repeat = IntentMatch("control.repeat", {}, "", guessed=True)
    assert not answers(repeat, Mode.IDLE) and answers(repeat, Mode.READING)
    assert all(
        answers(IntentMatch(name, {}, "", guessed=True), Mode.PAUSING)
        for name in GUESSED
        if name != "control.next"
    )
