"""Whisper decodes a request while the endpointer still waits for silence (``asr/speculate.py``).

What a person notices: the answer to a request comes sooner (its decode began 0.15 s into the
silence, not at the endpointer's 0.27 s, and the decision reuses it instead of decoding again),
and a sentence that goes on after a short gap is still heard whole, never answered from its
first words ("stop ... by the bakery" is not "stop").
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from grammarshare import shipped_phrases
from testspeech import recording

from voice_repair.asr.segmenter import FRAME_SECONDS
from voice_repair.asr.whisper import WhisperRecognizer
from voice_repair.asr.whispermodel import bundled_model_dir
from voice_repair.audio.wavfile import chunks
from voice_repair.intents.matcher import IntentMatcher
from voice_repair.live.listen import Understanding

ROOT = Path(__file__).resolve().parents[2]
RATE = 16000

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(bundled_model_dir() is None, reason="Whisper model not installed"),
]


@pytest.fixture(scope="module")
def listening():
    matcher = IntentMatcher.load(ROOT / "intents" / "en")
    phrases = shipped_phrases()  # the grammar of intents/en, built once per test run
    return WhisperRecognizer(phrases), Understanding(matcher, None, phrases)


def _trimmed(text: str) -> np.ndarray:
    """espeak-ng's speech (deterministic) without its own silence before and after."""
    x = recording(text, "espeak")
    loud = np.flatnonzero(np.abs(x) > 500)
    return x[loud[0] : loud[-1] + 1].astype(float)


def _room(*parts: np.ndarray, gap: float = 0.0) -> np.ndarray:
    """Half a second of room, the parts ``gap`` seconds apart, a second of room after."""
    pieces = [np.zeros(RATE // 2)]
    for i, part in enumerate(parts):
        pieces += [np.zeros(round(gap * RATE))] * bool(i) + [part]
    audio = np.concatenate([*pieces, np.zeros(RATE)])
    audio += np.random.default_rng(0).normal(0, 20, audio.size)
    return np.clip(audio, -32768, 32767).astype(np.int16)


def _frames(audio: np.ndarray):
    """The audio in 30 ms blocks, as the microphone hands it over."""
    return chunks(audio, round(FRAME_SECONDS * RATE))


def test_a_request_is_decoded_while_the_endpointer_still_waits_and_answered_from_it(listening):
    rec, understood = listening
    rec.reset()
    calls: list[bytes] = []
    started = threading.Event()
    real = rec._transcribe

    def counted(pcm, prompt):
        calls.append(pcm)
        started.set()
        return real(pcm, prompt)

    rec._transcribe = counted
    try:
        heard, blocks = [], iter(_frames(_room(_trimmed("how much time is left"))))
        for block in blocks:  # feed until 0.18 s of silence: the endpointer decides at 0.27 s
            heard += rec.accept(block)
            if rec._seg.in_speech and rec._seg.silence >= 0.18:
                break
        assert not heard, "the endpointer decided before 0.27 s of silence"
        assert started.wait(30), "no decode began before the endpointer decided"
        for block in blocks:
            heard += rec.accept(block)
        heard += rec.flush()
    finally:
        del rec._transcribe
    meant = [m.intent for m in map(understood, heard) if m is not None]
    assert meant == ["pause.status"], [u.text for u in heard]
    assert len(calls) == 1, "the decision decoded the request again"


def test_a_sentence_that_goes_on_after_a_short_gap_is_heard_whole(listening):
    """0.2 s between "stop" and "by the bakery": long enough for the early decode of "stop",
    too short for the endpointer, so that decode is dropped and nothing is acted on."""
    rec, understood = listening
    rec.reset()
    dropped = rec.decodes.dropped
    audio = _room(_trimmed("stop"), _trimmed("by the bakery"), gap=0.2)
    heard = [u for block in _frames(audio) for u in rec.accept(block)] + rec.flush()
    assert len(heard) == 1 and heard[0].text.startswith("stop by"), [u.text for u in heard]
    assert understood(heard[0]) is None
    assert rec.decodes.dropped == dropped + 1, "the early decode of 'stop' was not started"


@pytest.mark.parametrize(("value", "on"), [(None, True), ("1", True), ("0", False)])
def test_the_measurement_switch_turns_the_early_decode_on_and_off(monkeypatch, value, on):
    from voice_repair.asr.whisper import speculate_by_default

    if value is None:
        monkeypatch.delenv("VOICE_REPAIR_SPECULATE", raising=False)
    else:
        monkeypatch.setenv("VOICE_REPAIR_SPECULATE", value)
    assert speculate_by_default() is on


def test_a_misspelt_switch_says_what_to_write(monkeypatch):
    from voice_repair.asr.whisper import speculate_by_default
    from voice_repair.errors import ConfigError

    monkeypatch.setenv("VOICE_REPAIR_SPECULATE", "off")
    with pytest.raises(ConfigError, match=r"use 1 .* or 0"):
        speculate_by_default()
