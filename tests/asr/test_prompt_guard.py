"""Whisper biased toward the product's sentences (the catalogue's examples as its initial prompt,
as ``voice-repair run`` builds it) must not act on noise it writes those sentences over, and a
spoken request must still come through the guard (``voice_repair/asr/promptguard.py``).

The noise is what a home microphone hears: bursts of pink and white noise and a clipped buzz,
each between room hiss. With the prompt and no guard, Whisper wrote "we're done" over them (the
request to end the turns), where without the prompt it wrote nothing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from grammarshare import shipped_phrases
from testspeech import recording

import voice_repair.asr.whisperdecode as whisperdecode
from voice_repair.asr.promptguard import Decode, confirmed
from voice_repair.asr.whisper import WhisperRecognizer
from voice_repair.asr.whispermodel import bundled_model_dir
from voice_repair.audio.wavfile import chunks
from voice_repair.intents.matcher import IntentMatcher
from voice_repair.live.listen import Understanding, prompt_sentences

ROOT = Path(__file__).resolve().parents[2]
RATE = 16000


def test_only_an_unsure_decode_is_checked_again():
    assert not Decode("we're done", no_speech_prob=0.05, avg_logprob=-0.3).unsure
    assert Decode("we're done", no_speech_prob=0.65, avg_logprob=-0.92).unsure  # pink noise
    assert Decode("we're done", no_speech_prob=0.1, avg_logprob=-0.3, temperature=1.0).unsure
    assert Decode("i don't feel safe", no_speech_prob=0.1, avg_logprob=-1.15).unsure
    # Beam only now (whisperdecode.TEMPERATURE): a repetition the fallback used to resample
    # is unsure.
    repeated = Decode("we're done we're done we're done", 0.1, -0.3, compression_ratio=2.9)
    assert repeated.unsure


def test_the_second_opinion_must_hear_a_word_of_the_first():
    prompted = Decode("i need a pause", avg_logprob=-0.9)
    assert confirmed(prompted, Decode("i leave the pause"))  # espeak-ng's voice, no prompt
    assert not confirmed(prompted, Decode(""))  # noise: nothing without the prompt
    assert not confirmed(Decode("we're done"), Decode("music"))


def _burst(kind: str, seed: int) -> np.ndarray:
    """1 s of room hiss, a burst of noise (0.8-4 s, RMS 1000-8000), 1.5 s of hiss."""
    rng = np.random.default_rng(seed)
    n, level = int([0.8, 1.5, 2.5, 4.0][seed % 4] * RATE), [1000, 3000, 8000][seed % 3]
    hiss = rng.normal(0, 30, RATE)
    if kind == "clipped":  # a buzz switching on and off, far past full scale
        on = (rng.random(n // 1600 + 1) > 0.5).repeat(1600)[:n]
        hz = rng.choice([120, 180, 400])
        x = np.sign(np.sin(2 * np.pi * hz * np.arange(n) / RATE)) * 40000 * on
    else:
        spectrum = np.fft.rfft(rng.normal(0, 1, n))
        f = np.maximum(np.arange(spectrum.size, dtype=float), 1.0)
        x = np.fft.irfft(spectrum / (np.sqrt(f) if kind == "pink" else 1.0), n)
        x = x / x.std() * level
    x = np.concatenate([hiss, x, rng.normal(0, 30, int(1.5 * RATE))])
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


NOISE = [("clipped", 0), ("pink", 1), ("white", 1), ("pink", 2)]
"""Bursts over which the prompted decoder wrote "we're done" (found by a scratch search over
pink, white, clipped, hum and tone bursts: 4 of the first 9 tried)."""


@pytest.fixture(scope="module")
def prompted():
    """(recognizer, understanding) as ``voice-repair run`` builds them for Whisper."""
    if bundled_model_dir() is None:
        pytest.skip("Whisper model not installed")
    matcher = IntentMatcher.load(ROOT / "intents" / "en")
    phrases = shipped_phrases()
    rec = WhisperRecognizer(phrases, prompt=prompt_sentences(matcher))
    return rec, Understanding(matcher, None, phrases)


def _requests(listening, audio: np.ndarray) -> list[str]:
    rec, understood = listening
    rec.reset()
    heard = [u for c in chunks(audio) for u in rec.accept(c)] + rec.flush()
    return [m.intent for u in heard if (m := understood(u)) is not None]


@pytest.mark.model
@pytest.mark.slow
def test_noise_the_prompt_is_written_over_is_not_acted_on(prompted, monkeypatch):
    room = np.concatenate([_burst(kind, seed) for kind, seed in NOISE])
    # Over noise Whisper falls back to sampling, so what it writes varies from run to run:
    # without the guard, some of these bursts became a request in every run tried (1-3 of 4).
    with monkeypatch.context() as m:
        m.setattr(whisperdecode, "confirmed", lambda prompted, unprompted: True)  # no guard
        unguarded = [_requests(prompted, room) for _ in range(2)]
    assert any(unguarded), "this recording no longer makes the prompted decoder write a request"
    assert _requests(prompted, room) == []


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.parametrize(
    "voice, text, intent",
    [("espeak", "i need a pause", "pause.start"), ("awb", "how much time is left", "pause.status")],
)
def test_a_request_checked_again_still_comes_through(prompted, monkeypatch, voice, text, intent):
    """Requests in 10 dB noise came out with Whisper sure of them, so the guard is not asked;
    here it is asked about every transcript, to show that speech passes its second opinion.
    espeak-ng's "i need a pause" is the hard one: without the prompt it is "i leave the pause"."""
    monkeypatch.setattr(Decode, "unsure", property(lambda self: True))
    rng = np.random.default_rng(3)
    speech = recording(text, voice).astype(float)
    audio = rng.normal(0, 20, speech.size + 3 * RATE)
    audio[RATE : RATE + speech.size] += speech
    pcm = np.clip(np.round(audio), -32768, 32767).astype(np.int16)
    rec, _ = prompted
    before = rec.second_decodes
    assert _requests(prompted, pcm) == [intent]
    assert rec.second_decodes > before
