"""A request the semantic net guessed is answered only where it makes sense (issue 19).

"We're ready to go" is everyday talk at the door, and near "we're ready to talk" in meaning:
with no pause running the speaker must say nothing, while during a pause the same words end it.
A template's exact words keep their answer in every mode ("end the pause": there is none).
Real matcher, semantic net, response data, session and timer engine; the minute is sped up.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ears import sessions

from voice_repair.models import IntentMatch, Mode
from voice_repair.skill import GUESSED, answers

pytestmark = pytest.mark.model


@pytest.fixture
def send(tmp_path: Path):
    """``send(text)`` -> the lines said in reply, through the real session."""
    with sessions(tmp_path) as start:
        said, _, _ = start(0.5)
        yield said


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
