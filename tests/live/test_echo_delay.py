"""The speaker-to-microphone delay the echo canceller is aligned by stays the room's.

Live, the delay estimate moved between replies by 30-175 ms where the room's is fixed (README,
thirteenth session), and each move made the canceller learn the room again. Now one estimate far
from the delay in use moves nothing; two in a row that agree still do (a real move: the sound
server came back with another buffering). Real parts: the delay search (``DelayTracker``) and
``PlayedAudio``; the "room" is the played samples laid into the microphone at a set delay, with
a quiet room's noise, in 20 ms blocks, as the echo path feeds them. The reference is noise, not
speech: what is tested is the rule for moving, not how clear a voice's peak is.
"""

from __future__ import annotations

import numpy as np

from voice_repair.audio.echo import PlayedAudio
from voice_repair.audio.echodelay import DelayTracker

RATE = 16000
BLOCK = 320
ROOM_S = 0.06
"""The room's delay."""
ELSEWHERE_S = 0.175
"""The farthest the estimate moved to live."""


class _Room:
    """Streams of its own voice and their echo, fed to one tracker; the delays it moved to."""

    def __init__(self) -> None:
        self.played = PlayedAudio()
        self.tracker = DelayTracker(self.played, initial_s=0.05)
        self.moves: list[float] = []
        self._rng = np.random.default_rng(7)

    def stream(self, at: float, seconds: float, delay_s: float) -> None:
        """A microphone stream from ``at``: a reply played from ``at`` on, heard ``delay_s``
        later, for ``seconds``."""
        reply = self._rng.normal(0, 3000.0, int(seconds * RATE)).clip(-32000, 32000)
        self.played.started(reply.astype(np.int16), at)
        mic = np.zeros(reply.size)
        lag = int(delay_s * RATE)
        mic[lag:] = reply[: mic.size - lag]
        mic += self._rng.normal(0, 20.0, mic.size)
        for i in range(0, mic.size - BLOCK + 1, BLOCK):
            if self.tracker.observe(mic[i : i + BLOCK].astype(np.int16), at + i / RATE):
                self.moves.append(round(self.tracker.delay, 3))


def test_one_estimate_far_from_the_rooms_delay_does_not_move_it() -> None:
    """A reply finds the room's delay; a short one heard once elsewhere (one estimate in its
    stream, a clear peak) leaves it; the next reply is aligned as the first was."""
    room = _Room()
    room.stream(100.0, 3.0, ROOM_S)
    assert room.moves and abs(room.tracker.delay - ROOM_S) < 0.003, room.moves
    found = len(room.moves)
    room.stream(105.0, 0.9, ELSEWHERE_S)  # one estimate: at 0.6 s of history
    room.stream(108.0, 3.0, ROOM_S)
    assert room.moves[found:] == [], room.moves
    assert abs(room.tracker.delay - ROOM_S) < 0.003


def test_a_delay_found_twice_in_a_row_is_followed() -> None:
    """The room really changed (another buffering after the sound server came back): two
    estimates that agree move the alignment there, and it stays."""
    room = _Room()
    room.stream(100.0, 3.0, ROOM_S)
    room.stream(105.0, 3.0, ELSEWHERE_S)
    assert abs(room.tracker.delay - ELSEWHERE_S) < 0.003, room.moves
    room.stream(110.0, 3.0, ELSEWHERE_S)
    assert abs(room.tracker.delay - ELSEWHERE_S) < 0.003, room.moves


def test_a_small_move_near_the_delay_in_use_is_taken_at_once() -> None:
    """Within ``FAR_S`` of the delay in use a clear peak moves it on one estimate, as before:
    a few milliseconds more of the sound server's buffering."""
    room = _Room()
    room.stream(100.0, 3.0, ROOM_S)
    room.stream(105.0, 0.9, ROOM_S + 0.02)
    assert abs(room.tracker.delay - (ROOM_S + 0.02)) < 0.003, room.moves
