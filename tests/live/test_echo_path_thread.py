"""Someone talking over the assistant ducks its voice even while the recognizer is busy.

The echo path (canceller, detector, duck, stop spotter) used to run on the listening thread,
between two of the recognizer's chunks: a recognizer decoding (or behind on a busy machine)
held the duck and the "stop" back by as long (0.2-0.9 s, up to 3 s at load, README "Where the
missed stops came from"). Here the microphone's blocks come in real time, the "recognizer" (the
consumer of the cancelled chunks) is stuck on its first chunk for two seconds, and a person
starts talking over the assistant's voice half a second in: the voice must be ducked within a
few tenths of a second of that, while the consumer is still stuck; and once it goes on, it
gets every sample in 100 ms chunks, their times exact.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from timing import budget

from voice_repair.audio.duck import DUCK_GAIN
from voice_repair.audio.echo import EchoCanceller, PlayedAudio
from voice_repair.audio.echopath import BLOCK_MS
from voice_repair.errors import AudioDeviceError
from voice_repair.models import AudioChunk

RATE = 16000
BLOCK = RATE * BLOCK_MS // 1000
SECONDS = 2.5
PERSON_AT = 0.5
STUCK_S = 2.0
DUCKED_WITHIN_S = 0.4


def _room(t0: float) -> tuple[PlayedAudio, np.ndarray]:
    """Its voice (a warbling tone) played from ``t0``; what the microphone hears: the echo
    (50 ms later, half as loud) and, from ``PERSON_AT``, a person far louder."""
    rng = np.random.default_rng(1)
    n = int(SECONDS * RATE)
    t = np.arange(n) / RATE
    voice = (np.sin(2 * np.pi * (300 + 80 * np.sin(2 * np.pi * 3 * t)) * t) * 6000).astype(np.int16)
    played = PlayedAudio()
    played.started(voice, t0)
    echo = np.concatenate([np.zeros(800), voice[:-800] * 0.5])
    person = np.zeros(n)
    person[int(PERSON_AT * RATE) : int((PERSON_AT + 0.4) * RATE)] = rng.normal(0, 8000, 6400)
    near = np.clip(echo + person + rng.normal(0, 30, n), -32768, 32767).astype(np.int16)
    return played, near


def _real_time(near: np.ndarray, t0: float):
    """The microphone: a block every ``BLOCK_MS``, as it is recorded."""
    for i in range(0, near.size - BLOCK + 1, BLOCK):
        time.sleep(max(0.0, t0 + (i + BLOCK) / RATE - time.monotonic()))
        yield AudioChunk(near[i : i + BLOCK].tobytes(), RATE, i / RATE)


def test_the_duck_comes_while_the_recognizer_is_stuck() -> None:
    t0 = time.monotonic() + 0.05
    played, near = _room(t0)
    canceller = EchoCanceller(played, engine="none")
    ducked_at: list[float] = []
    frame = canceller.near.frame

    def watched(*args):
        found = frame(*args)
        if played.gain == DUCK_GAIN and not ducked_at:
            ducked_at.append(time.monotonic() - t0)
        return found

    canceller.near.frame = watched
    got: list[AudioChunk] = []
    unstuck_at = 0.0
    for chunk in canceller.stream(_real_time(near, t0), lambda c: t0 + c.start):
        if not got:
            time.sleep(STUCK_S)  # the recognizer busy with its first chunk
            unstuck_at = time.monotonic() - t0
        got.append(chunk)
    assert ducked_at, "never ducked"
    # While the recognizer was still stuck, and within a few tenths of the person's start on
    # this machine as busy as it was meanwhile (a fixed 0.4 s failed at load 17-20, 1.26 s).
    assert ducked_at[0] < unstuck_at, (ducked_at, unstuck_at)
    assert ducked_at[0] <= PERSON_AT + budget(DUCKED_WITHIN_S), ducked_at
    starts = [c.start for c in got]
    assert starts == pytest.approx([0.1 * k for k in range(len(got))])
    assert sum(len(c.samples) for c in got) == near.size // BLOCK * BLOCK * 2


def test_a_microphone_that_fails_fails_the_listening_loop() -> None:
    played = PlayedAudio()

    def failing():
        yield AudioChunk(b"\0\0" * BLOCK, RATE, 0.0)
        raise AudioDeviceError("the microphone delivered no audio")

    stream = EchoCanceller(played, engine="none").stream(failing(), lambda c: c.start)
    with pytest.raises(AudioDeviceError, match="no audio"):
        list(stream)
