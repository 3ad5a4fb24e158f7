"""Ten minutes of what a home microphone hears when nobody asks anything: silence, hiss, noise,
clipped bursts, mains hum. Fed through the real recognizer (the default engine: Whisper when its
model is installed, else pocketsphinx; the product's grammar, and nearest-sentence snapping as the
live loop has it) and the real loop as fast as they go; nothing may crash, nothing is acted on.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import pytest
from grammarshare import listening_phrases

from voice_repair.app import Options
from voice_repair.intents.matcher import IntentMatcher
from voice_repair.live.listen import Understanding, build_recognizer
from voice_repair.live.loop import VoiceLoop
from voice_repair.models import AudioChunk, Utterance

RATE = 16000
BLOCK = 1600  # 0.1 s, as the microphone delivers

ROOM = (
    ("silence", 460.0),  # digital zero: a muted or idle input
    ("hiss", 70.0),  # a quiet room through a cheap microphone
    ("noise", 30.0),  # a loud fan switching on and off
    ("clipped", 30.0),  # full-scale bursts, far past 16 bits before clipping
    ("hum", 10.0),  # loud 50 Hz mains hum
)
"""(kind, seconds): 10 minutes in all."""


def _room(kind: str, seconds: float, rng: np.random.Generator) -> np.ndarray:
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    if kind == "silence":
        x = np.zeros(n)
    elif kind == "hiss":
        x = rng.normal(0, 30, n)
    elif kind == "noise":
        x = rng.normal(0, 4000, n) * (np.sin(2 * np.pi * 0.3 * t) > 0)
    elif kind == "clipped":
        on = (rng.random(n // BLOCK + 1) > 0.5).repeat(BLOCK)[:n]
        x = np.sign(np.sin(2 * np.pi * 180 * t)) * 40000 * on
    else:
        x = 20000 * np.sin(2 * np.pi * 50 * t)
    return np.clip(np.round(x), -32768, 32767).astype("<i2")


def _chunks() -> Iterator[AudioChunk]:
    rng = np.random.default_rng(5)
    start = 0.0
    for kind, seconds in ROOM:
        audio = _room(kind, seconds, rng)
        for i in range(0, audio.size, BLOCK):
            block = audio[i : i + BLOCK]
            yield AudioChunk(block.tobytes(), RATE, start)
            start += block.size / RATE


class _SilentSpeaker:
    """Stand-in for the Speaker: this test plays no sound (the audio path has its own tests),
    so the assistant is never busy."""

    busy = False
    quiet_since = 0.0

    def stop(self) -> None:
        raise AssertionError("nothing here should stop the speaker")


@pytest.mark.slow
def test_ten_minutes_of_silence_noise_and_clipping_act_on_nothing() -> None:
    options = Options()
    matcher = IntentMatcher.load(options.intents_dir)
    phrases = listening_phrases(options, matcher)  # as ``run``'s, built once per test run
    recognizer = build_recognizer(options, matcher, phrases)
    understood = Understanding(matcher, None, phrases)
    heard: list[Utterance] = []
    acted: list[str] = []

    def on_utterance(u: Utterance, speaking: bool) -> bool:
        heard.append(u)
        match = understood(u)
        if match is not None:
            acted.append(match.intent)
        return match is not None

    loop = VoiceLoop(_chunks(), recognizer, _SilentSpeaker(), on_utterance)
    loop.run(threading.Event())  # returns only when all ten minutes have been heard
    assert acted == []
    # The noise and the bursts were heard as sound (the recognizer did work on them) and each
    # stretch was decided on and let go, rather than piling up into one endless utterance.
    assert heard and max(u.end - u.start for u in heard) <= 10.0
    assert heard[-1].end <= sum(seconds for _, seconds in ROOM) + 0.1  # stream times stay true
