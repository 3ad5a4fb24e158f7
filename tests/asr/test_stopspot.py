"""The fast local "stop" (``asr.stopspot``) as the Wyoming recognizer uses it: a short segment
that is a stop phrase is handed out early as one; a sentence with "stop" in it is not.

Real pocketsphinx, synthesized speech (Piper and espeak-ng). The server is a port with nothing
listening and the local engine hears nothing, so every early reading is the spotter's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from grammarshare import shipped_phrases
from testspeech import recording
from wyomingservers import DeafEngine, free_port

from voice_repair.asr.wyoming import RemoteASR, WyomingRecognizer
from voice_repair.audio.wavfile import chunks
from voice_repair.intents.matcher import IntentMatcher
from voice_repair.live.listen import Understanding

ROOT = Path(__file__).resolve().parents[2]

# pocketsphinx's acoustic model and Piper's voice: seconds of CPU to load and run (left out of
# `make check`, run by `make test`).
pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def spotted():
    """text, voice -> the early readings' intents."""
    matcher = IntentMatcher.load(ROOT / "intents" / "en")
    phrases = shipped_phrases()
    understood = Understanding(matcher, None)
    rec = WyomingRecognizer(phrases, RemoteASR(f"tcp://127.0.0.1:{free_port()}"), DeafEngine())
    rec.health.failed("nothing listening, on purpose")
    rec.health.close()
    early: list = []
    rec.on_early = early.append

    def spot(text: str, voice: str) -> list[str | None]:
        speech = recording(text, voice).astype(float)
        audio = np.concatenate([np.zeros(8000), speech, np.zeros(16000)])
        audio += np.random.default_rng(0).normal(0, 20, audio.size)
        early.clear()
        rec.reset()
        for c in chunks(np.clip(audio, -32768, 32767).astype(np.int16)):
            rec.accept(c)
        rec.flush()
        return [(m.intent if (m := understood(u)) else None) for u in early]

    yield spot
    rec.close()


@pytest.mark.parametrize("voice", ["piper", "espeak"])
@pytest.mark.parametrize("text", ["stop", "be quiet", "stop talking"])
def test_a_stop_phrase_is_spotted(spotted, text, voice):
    assert "control.stop" in spotted(text, voice)


@pytest.mark.parametrize("voice", ["piper", "espeak"])
@pytest.mark.parametrize(
    "text", ["stop by the bakery", "you can say stop at any time", "i need a pause"]
)
def test_a_sentence_with_stop_in_it_is_not(spotted, text, voice):
    assert spotted(text, voice) == []
