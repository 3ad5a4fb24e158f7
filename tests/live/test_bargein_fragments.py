"""A stop phrase inside longer speech said over its voice is not a stop.

Live, everyday sentences said over the assistant's speech ("we should water the plants", "help
me find my keys") reached the barge-in check as several stretches, and one of them was spotted
as "stop": 3 of 10 replies were cut (README "Where the missed stops came from"). A stretch that
starts right after another one ended, or is followed by more speech, is a fragment of a
sentence. A bare "stop" (or "stop" said twice) still cuts the speech, a moment later.

The stretches here are what ``audio.duck`` hands on (Piper's voice, the real keyphrase
spotter); the times are the microphone's clock, driven frame by frame as the echo path does.
"""

from __future__ import annotations

import numpy as np
import pytest
from testspeech import recording

from voice_repair.asr.stopspot import StopSpotter
from voice_repair.audio.duck import HANG_S, NearSpeech
from voice_repair.live.bargein import FOLLOW_S, THRESHOLD, BargeIn
from voice_repair.models import Utterance

pytestmark = pytest.mark.model  # Piper's voice and pocketsphinx's spotter, loaded and run here

RATE = 16000
FRAME_S = 0.01


def _stretch(text: str, start: float) -> NearSpeech:
    """``text`` said from ``start``: a stretch as the detector hands it on (0.2 s around)."""
    audio = recording(text, "piper")
    pad = np.zeros(int(0.2 * RATE), dtype=np.int16)
    seconds = audio.size / RATE
    data = np.concatenate([pad, audio, pad]).astype("<i2").tobytes()
    return NearSpeech(start, start + seconds, data, start - 0.2)


class _Ear:
    """A barge-in check fed like the echo path feeds it; what it acted on, and when."""

    def __init__(self) -> None:
        self.acted: list[tuple[str, float]] = []
        self.silenced: list[tuple[bool, float]] = []
        """(muted, when): its voice silenced at a spotted stop phrase, or given back."""
        self.barge = BargeIn(
            StopSpotter(["stop", "stop talking", "be quiet"], THRESHOLD),
            lambda on: self.silenced.append((on, self._now)),
        )
        self.barge._deliver = self._deliver
        self._now = 0.0

    def _deliver(self, utterance: Utterance) -> None:
        self.acted.append((utterance.text, self._now))

    def run(self, stretches: list[NearSpeech], until: float) -> None:
        """Frame by frame to ``until``: each stretch handed on ``HANG_S`` after its end (when
        the detector closes it), someone talking during every stretch."""
        pending = sorted(stretches, key=lambda s: s.end)
        for n in range(int(until / FRAME_S)):
            self._now = n * FRAME_S
            while pending and pending[0].end + HANG_S <= self._now:
                self.barge.hear(pending.pop(0))
            talking = any(s.start <= self._now < s.end for s in stretches)
            self.barge.tick(self._now, talking)


@pytest.fixture(scope="module")
def stop_seconds() -> float:
    return recording("stop", "piper").size / RATE


def test_a_bare_stop_is_acted_on_once_nothing_follows_it(stop_seconds: float) -> None:
    ear = _Ear()
    ear.run([_stretch("stop", 1.0)], until=3.0)
    end = 1.0 + stop_seconds
    assert [text for text, _ in ear.acted] == ["stop"]
    assert ear.acted[0][1] == pytest.approx(end + HANG_S + FOLLOW_S, abs=0.011)


def test_a_bare_stop_silences_its_voice_as_soon_as_it_is_spotted(stop_seconds: float) -> None:
    """The wait for more speech (``FOLLOW_S``) is not heard: the voice is muted when the
    phrase is spotted, as its stretch closes, and given back (ducked) once the rest is cut."""
    ear = _Ear()
    ear.run([_stretch("stop", 1.0)], until=3.0)
    end = 1.0 + stop_seconds
    assert [on for on, _ in ear.silenced] == [True, False]
    assert ear.silenced[0][1] == pytest.approx(end + HANG_S, abs=0.011)
    assert ear.silenced[1][1] == ear.acted[0][1]


def test_a_stop_right_after_other_words_is_part_of_a_sentence() -> None:
    words = _stretch("we should", 1.0)
    ear = _Ear()
    ear.run([words, _stretch("stop", words.end + 0.3)], until=4.0)
    assert ear.acted == []
    assert ear.silenced == [], "a fragment of a sentence silenced its voice"


def test_a_stop_followed_by_more_words_is_part_of_a_sentence(stop_seconds: float) -> None:
    stop = _stretch("stop", 1.0)
    ear = _Ear()
    ear.run([stop, _stretch("by the bakery", stop.end + HANG_S + 0.05)], until=5.0)
    assert ear.acted == []
    assert [on for on, _ in ear.silenced] == [True, False], "its voice was not given back"
    assert ear.silenced[1][1] - ear.silenced[0][1] <= FOLLOW_S + 0.011


def test_stop_said_twice_is_acted_on(stop_seconds: float) -> None:
    first = _stretch("stop", 1.0)
    ear = _Ear()
    ear.run([first, _stretch("stop", first.end + HANG_S + 0.05)], until=5.0)
    assert [text for text, _ in ear.acted] == ["stop"]
