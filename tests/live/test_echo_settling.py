"""Its own voice at the start of a reply, before the echo path has settled, is not someone talking.

``tests/live/test_echo_process.py`` found three ways the echo path took the first 0.1-0.5 s of
a reply for a person talking over it (and a fresh clone spotted a "stop" there): the echo
process skipped the player's blocks logged before it read the player's memory (no reference
at all); the delay search laid the microphone's samples from before a gap on the new timeline
(the delay taken to be 1.27 s for a second); and what the detector had learned of a settled
canceller's echo, and of the room's quiet from a stream of digital silence, was kept for a
canceller that had just forgotten the room. Each test here fails on the code before the fix.
Real parts: SpeexDSP, the detector, the delay search, the player's shared memory layout
(written by the test the way the player process writes it); Piper's voice for the reply.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from testspeech import recording

from voice_repair.audio import playring as pr
from voice_repair.audio.duck import NearSpeech
from voice_repair.audio.echo import EchoCanceller, PlayedAudio
from voice_repair.audio.echodelay import DelayTracker
from voice_repair.models import AudioChunk

pytestmark = pytest.mark.model  # Piper's voice for the reply

REPLY = (
    "Let's slow down together. Sit or stand so your body feels supported. "
    "Breathe in through your nose."
)
RATE = 16000
BLOCK = 320
DELAY = int(0.06 * RATE)
"""The room's echo delay, samples."""


def _reply() -> np.ndarray:
    return recording(REPLY, "piper").astype(np.float64)


def test_a_gap_in_the_microphone_does_not_move_the_echo_delay() -> None:
    """Two microphone streams 1.2 s apart, its voice in both: the delay stays the room's."""
    reply = _reply()[: 3 * RATE]
    played = PlayedAudio()
    tracker = DelayTracker(played, initial_s=0.06)
    noise = np.random.default_rng(0).normal(0, 20.0, 20 * RATE)
    seen: list[float] = []

    def stream(at: float, plays_from: float, seconds: float) -> None:
        played.started(reply.astype(np.int16), plays_from)
        mic = np.zeros(int(seconds * RATE))
        lo = int((plays_from - at) * RATE) + DELAY
        mic[lo : lo + reply.size] = reply[: mic.size - lo]
        mic += noise[: mic.size]
        for i in range(0, mic.size - BLOCK + 1, BLOCK):
            if tracker.observe(mic[i : i + BLOCK].astype(np.int16), at + i / RATE):
                seen.append(tracker.delay)

    stream(100.0, 100.0, 3.2)  # the first ends as its reply does
    stream(104.4, 104.9, 3.0)  # the next, 1.2 s later, its reply 0.5 s into it
    assert all(abs(d - 0.06) < 0.01 for d in seen), seen


def _own_voice(canceller: EchoCanceller, played: PlayedAudio, at: float) -> list[NearSpeech]:
    """The reply played from ``at`` and its echo fed to ``canceller`` in 20 ms blocks, with a
    quiet room's noise; the stretches the detector took for someone talking."""
    heard: list[NearSpeech] = []
    canceller.on_near_speech = heard.append
    reply = _reply()
    mic = np.zeros(reply.size + RATE)
    mic[DELAY : DELAY + reply.size] = reply
    mic += np.random.default_rng(1).normal(0, 20.0, mic.size)
    for i in range(0, mic.size - BLOCK + 1, BLOCK):
        if i % 1600 == 0:  # the player hands its blocks over ahead of time
            j = i + 1600
            played.started(reply[j : j + 1600].astype(np.int16), at + j / RATE)
        if i == 0:
            played.started(reply[:1600].astype(np.int16), at)
        chunk = AudioChunk(mic[i : i + BLOCK].astype("<i2").tobytes(), RATE, i / RATE)
        canceller.cancel(chunk, at + i / RATE)
    return heard


def test_a_new_stream_after_silence_does_not_take_its_next_reply_for_someone_talking() -> None:
    """A reply (the canceller learns the room), a stream of digital silence (a new stream: the
    canceller forgets the room), then a new stream with a reply: nothing but its own voice."""
    played = PlayedAudio()
    canceller = EchoCanceller(played, "speex")
    _own_voice(canceller, played, 100.0)
    canceller.reset()
    for i in range(0, 3 * RATE, BLOCK):
        canceller.cancel(AudioChunk(bytes(2 * BLOCK), RATE, i / RATE), 110.0 + i / RATE)
    canceller.reset()
    heard = _own_voice(canceller, played, 120.0)
    assert heard == [], [(round(s.start - 120.0, 2), round(s.seconds, 2)) for s in heard]


def test_the_echo_process_takes_the_players_recent_blocks_logged_before_it_looked() -> None:
    """The player plays on while the echo process loads its spotter: the blocks it logged
    meanwhile are the reference for the echo coming in now, and are laid as it played them."""
    from voice_repair.live.echoproc import RECENT_S, _PlayerTap

    shared = pr.Shared.create()
    reply = _reply().astype(np.int16)[: 2 * RATE]
    shared.write(reply)
    now = time.monotonic()
    old, recent = now - RECENT_S - 5.0, now - 0.5
    for k, i in enumerate(range(0, reply.size, BLOCK)):
        sounds = (old if k < 10 else recent) + i / RATE  # ten blocks long gone, then a reply
        shared.log[k] = (i, BLOCK, BLOCK, sounds - 0.08, sounds, 0.0, 1.0, 0.0)
    shared.ints[pr.LOG_COUNT] = reply.size // BLOCK
    played = PlayedAudio()
    tap = _PlayerTap(shared.fd, RATE, played)
    tap.drain()
    first = 10 * BLOCK
    laid = played.window(recent + first / RATE, reply.size - first).astype(np.float64)
    want = reply[first:].astype(np.float64)
    assert np.sqrt(np.mean((laid - want) ** 2)) < 0.01 * np.sqrt(np.mean(want**2))
    assert not played.window(old, 10 * BLOCK).any()  # the old ones stay out
