"""Everyday talk said over its voice, read by the recognizer as "stop", does not cut the reply.

Live (eleventh session's ``bench bargein``), 3 of 8 everyday sentences said over a reply cut
it: the recognizer read the talk as "stop", seconds later. Here the echo path's barge-in check
hears the talk as the detector hands it on (stretches of Piper's voice, the real keyphrase
spotter), and the recognizer's "stop" over the same time goes through the real front door and
session (``VoiceDoor``): a sentence heard there is not a stop; a bare "stop" the spotter did
not take, or one the echo path did not hear at all, still cuts the reply.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from testspeech import recording

from voice_repair import app
from voice_repair.asr.stopspot import StopSpotter
from voice_repair.audio.duck import NearSpeech
from voice_repair.config import Config
from voice_repair.live.bargein import THRESHOLD, BargeIn
from voice_repair.live.early import VoiceDoor
from voice_repair.live.listen import Understanding
from voice_repair.live.overheard import Overheard
from voice_repair.models import Say, Utterance

RATE = 16000


def _stretch(text: str, start: float, seconds: float | None = None) -> NearSpeech:
    """``text`` said from ``start`` (``seconds`` of it above the echo: all when None)."""
    audio = recording(text, "piper")
    if seconds is not None:
        audio = audio[: int(seconds * RATE)]
    pad = np.zeros(int(0.2 * RATE), dtype=np.int16)
    data = np.concatenate([pad, audio, pad]).astype("<i2").tobytes()
    return NearSpeech(start, start + audio.size / RATE, data, start - 0.2)


@pytest.fixture
def door(tmp_path: Path):
    """(VoiceDoor wired to a barge-in check, lines said, the check)."""
    said: list[Say] = []
    options = app.Options(config=Config(data_dir=tmp_path / "data"), minute_seconds=60.0)
    session, engine = app.start_session(options, said.append, silence=lambda: None)
    barge = BargeIn(StopSpotter(["stop", "stop talking", "be quiet"], THRESHOLD))
    voice = VoiceDoor(Understanding(session.matcher, None), session.hear, lambda: None)
    voice.sentence_over = barge.sentence_over
    yield voice, said, barge
    engine.shutdown()


def _read_as_stop(start: float, end: float) -> Utterance:
    """The recognizer's reading of speech from ``start`` to ``end``: "stop", decided late."""
    return Utterance("stop", start, end, end + 2.5, 0.8, True, True)


@pytest.mark.model  # Piper's voice and pocketsphinx's spotter
def test_a_sentence_over_its_voice_read_as_stop_does_not_cut_it(door) -> None:
    voice, said, barge = door
    first = _stretch("we should water", 1.0)
    second = _stretch("the plants tonight", first.end + 0.25)
    for stretch in (first, second):
        barge.hear(stretch)
    assert not voice(_read_as_stop(0.9, second.end), True)
    assert [s.source for s in said] == []


@pytest.mark.model
def test_a_long_stretch_over_its_voice_read_as_stop_does_not_cut_it(door) -> None:
    voice, said, barge = door
    talk = _stretch("i read an interesting article about gardening today", 1.0)
    assert talk.seconds > 1.6
    barge.hear(talk)
    assert not voice(_read_as_stop(1.0, talk.end), True)
    assert said == []


@pytest.mark.model
def test_a_bare_stop_the_spotter_did_not_take_still_cuts_it(door) -> None:
    """Only the word's start stood above the echo (0.12 s): the spotter heard no stop there,
    and the recognizer's reading is all that is left; it is acted on as before."""
    voice, said, barge = door
    word = _stretch("stop", 1.0, seconds=0.12)
    barge.hear(word)
    assert barge.overheard.near(1.0, 1.6), "the stretch was not noted"
    assert voice(_read_as_stop(1.0, 1.5), True)
    assert [s.source for s in said] == ["control.stop"]


def test_a_stop_where_the_echo_path_heard_nothing_still_cuts_it(door) -> None:
    voice, said, _ = door
    assert voice(_read_as_stop(1.0, 1.5), True)
    assert [s.source for s in said] == ["control.stop"]


def test_only_speech_near_the_reading_counts() -> None:
    heard = Overheard()
    heard.note(1.0, 2.9, "long")  # a sentence seconds before
    heard.note(5.0, 5.4, "not")  # then a short word: the reading's own speech
    assert heard.sentence(5.0, 5.5) is None
    assert heard.sentence(2.0, 3.0) is not None
    heard.note(5.6, 6.0, "joined")
    assert "joined" in (heard.sentence(5.0, 5.5) or "")
    heard.note(7.0, 7.4, "stop")  # a stop among the speech: it is one
    heard.note(7.5, 8.2, "joined")
    assert heard.sentence(7.0, 8.0) is None
