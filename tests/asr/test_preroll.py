"""Every word of the request: the start of a sentence reaches the recognizer.

A request said the moment listening starts (a file that begins with speech; the first words after
the assistant stops talking, when the voice loop resets the recognizer) begins before the noise
gate has learnt the room, so the segment starts late: in Piper's voice "I need a pause" started
at "a pause" and Whisper heard "to pause", which is no request. The segmenter's pre-roll hands
the audio before the start over too (``asr/segmenter.py``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from grammarshare import shipped_phrases
from testspeech import FLITE_VOICES, recording

from voice_repair.asr.segmenter import Segmenter
from voice_repair.asr.whispermodel import bundled_model_dir
from voice_repair.audio.wavfile import chunks

ROOT = Path(__file__).resolve().parents[2]
VOICES = [pytest.param("piper", marks=pytest.mark.model), "espeak", *FLITE_VOICES]
"""Piper's voice is a model loaded here (`make test`); espeak-ng and flite are commands."""
FLAGSHIP = "i need a pause"


def _right_after_a_reset(speech: np.ndarray, seed: int = 0) -> np.ndarray:
    """The speech from the first sample on, then a second of room (a faint noise floor)."""
    audio = np.concatenate([speech.astype(float), np.zeros(16000)])
    audio += np.random.default_rng(seed).normal(0, 20, audio.size)
    return np.clip(audio, -32768, 32767).astype(np.int16)


def _handed_from(seg: Segmenter, audio: np.ndarray) -> float | None:
    """Stream time (s) of the first sample the segmenter hands over when speech starts."""
    pcm, fb, t = audio.tobytes(), seg.frame_bytes, 0.0
    for k in range(0, len(pcm) - fb + 1, fb):
        ev = seg.process(pcm[k : k + fb], t)
        t += seg.frame_seconds
        if ev.started:
            return t - len(ev.audio) / 2 / seg.sample_rate
    return None


@pytest.mark.parametrize("voice", VOICES)
@pytest.mark.parametrize("text", [FLAGSHIP, "how much time is left", "help me calm down"])
def test_the_first_word_is_handed_over_when_speech_starts_at_once(voice, text):
    speech = recording(text, voice)
    onset = np.flatnonzero(np.abs(speech.astype(np.int32)) > 300)[0] / 16000
    start = _handed_from(Segmenter(16000), _right_after_a_reset(speech))
    assert start is not None, "no speech found"
    assert start <= onset + 0.01, f"the first {1000 * (start - onset):.0f} ms were lost"


@pytest.fixture(scope="module")
def listening():
    """(recognizer, understanding) as ``voice-repair run`` builds them, on the product grammar."""
    from voice_repair.asr.whisper import WhisperRecognizer
    from voice_repair.intents.matcher import IntentMatcher
    from voice_repair.live.listen import Understanding

    matcher = IntentMatcher.load(ROOT / "intents" / "en")
    phrases = shipped_phrases()
    return WhisperRecognizer(phrases), Understanding(matcher, None, phrases)


@pytest.mark.model
@pytest.mark.skipif(bundled_model_dir() is None, reason="Whisper model not installed")
@pytest.mark.parametrize("voice", ["piper", *FLITE_VOICES])
def test_i_need_a_pause_is_heard_whole_when_said_at_once(listening, voice):
    """espeak-ng is left out: its "need" is heard as "leave" wherever the segment starts."""
    rec, understood = listening
    rec.reset()
    audio = _right_after_a_reset(recording(FLAGSHIP, voice))
    heard = [u for c in chunks(audio) for u in rec.accept(c)] + rec.flush()
    assert len(heard) == 1 and "need" in heard[0].text.split(), [u.text for u in heard]
    match = understood(heard[0])
    assert match is not None and match.intent == "pause.start", heard[0].text
