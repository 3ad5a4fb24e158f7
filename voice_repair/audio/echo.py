"""Echo cancellation in process: the microphone's audio minus the assistant's own voice.

A home speaker hears itself: its voice comes back into the microphone as loud as the person's,
which buries a "stop" said over it. An echo canceller removes it, given the exact samples played
(the *far end*) alongside what the microphone heard (the *near end*): SpeexDSP's linear filter
(``speex.py``, the default: words said over the echo stay intact, but it learns the room
slowly) or WebRTC's AEC3 (``pywebrtc-audio``: the most echo removed, but words said over it
mangled; README).

The two sides meet on one clock, ``time.monotonic()``:

* ``PlayedAudio`` keeps what the ``Player`` played and when it reached the speaker (the
  player reports each piece when its first block is handed over, with PortAudio's own latency
  estimate, and the moment a piece is cut off);
* ``EchoCanceller.cancel`` takes each microphone block with the time it was recorded
  (``Microphone.captured_at``) and hands the canceller the played audio of the same moment.

The delay from "played" to "heard" (the sound server's buffers, the room) is measured from the
audio all the time (``echodelay.DelayTracker``); the canceller models what is left, provided the
reference does not arrive *later* than its echo, so it gets the reference ``lead_s`` early.
Nothing is written anywhere.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

import numpy as np

from ..errors import AudioDeviceError
from ..models import AudioChunk
from .duck import NearSpeech, NearSpeechDetector
from .echodelay import DelayTracker
from .echorecord import from_env as _echo_record
from .erle import ErleMeter

__all__ = ["PlayedAudio", "EchoCanceller", "webrtc_available"]

log = logging.getLogger(__name__)

RATE = 16000
"""The canceller's rate, Hz: the microphone's."""
FRAME = RATE // 100
"""Both cancellers work on 10 ms frames."""
KEEP_SECONDS = 10.0
"""Played audio older than this is forgotten (the echo is long gone)."""


@dataclass
class _Piece:
    start: float
    """time.monotonic() when its first sample reached the speaker."""
    samples: np.ndarray
    """int16 at ``RATE``."""
    end: float
    """time.monotonic() when it ended (or was cut off)."""


class PlayedAudio:
    """What the speaker played, on the monotonic clock, at the microphone's rate.

    Written from the player's audio callback, one block at a time with the time PortAudio says
    it will sound (so an underrun, which delays everything after it, is followed rather than
    assumed away; a busy machine has many), read from the listening thread; a lock keeps the
    two apart.
    """

    SNAP_S = 0.003
    """A block starting this close to where the previous one ended is taken as following it
    without a gap (the callback's clock readings jitter by a millisecond or two)."""

    def __init__(self) -> None:
        self._pieces: deque[_Piece] = deque()
        self._lock = threading.Lock()
        self._gain = 1.0
        self.on_gain: Callable[[float], None] | None = None
        """Told each new ``gain`` at once (the player process reads it from shared memory)."""
        self.on_player: Callable[[int, int], None] | None = None
        """Told each new player process's shared memory (its fd, valid during the call) and
        its rate, when the echo path runs in a process of its own (``echoremote``)."""
        self.ducked_from = float("-inf")
        """When the first ducked block after full-level ones sounds (the duck's real start:
        the player hands blocks ahead of time, so it comes after ``gain`` was lowered)."""
        self._was_ducked = False

    @property
    def gain(self) -> float:
        """What the player multiplies its samples by: 1, or ``duck.DUCK_GAIN`` while someone
        talks over it (set by ``duck.NearSpeechDetector``; the reference is the scaled
        samples)."""
        return self._gain

    @gain.setter
    def gain(self, value: float) -> None:
        self._gain = value
        if self.on_gain is not None:
            self.on_gain(value)

    @staticmethod
    def at_rate(samples: np.ndarray, sample_rate: int) -> np.ndarray:
        """``samples`` (int16 mono at ``sample_rate``) at the microphone's rate: done before
        playback starts, so the audio callback has no work to do."""
        if sample_rate == RATE or not samples.size:
            return samples
        n = round(samples.size * RATE / sample_rate)
        x = np.linspace(0, samples.size - 1, n)
        return np.interp(x, np.arange(samples.size), samples).astype(np.int16)

    def started(self, samples: np.ndarray, at: float, gain: float = 1.0) -> None:
        """A block (``at_rate`` samples, scaled by ``gain``) begins to sound at ``at``."""
        with self._lock:
            if gain < 1.0 and not self._was_ducked:
                self.ducked_from = at
            self._was_ducked = gain < 1.0
            if self._pieces and abs(at - self._pieces[-1].end) < self.SNAP_S:
                at = self._pieces[-1].end
            self._pieces.append(_Piece(at, samples, at + samples.size / RATE))
            while self._pieces[0].end < at - KEEP_SECONDS:
                self._pieces.popleft()

    def stopped(self, at: float) -> None:
        """Playback was cut off: nothing sounds after ``at``."""
        with self._lock:
            while self._pieces and self._pieces[-1].start >= at:
                self._pieces.pop()
            if self._pieces and self._pieces[-1].end > at:
                self._pieces[-1].end = at

    def last_end(self) -> float:
        """When the last sound ended (or will end), -inf if nothing was played."""
        with self._lock:
            return self._pieces[-1].end if self._pieces else float("-inf")

    def window(self, t0: float, n: int) -> np.ndarray:
        """The ``n`` samples that sounded from ``t0`` on (zeros where nothing played)."""
        out = np.zeros(n, dtype=np.int16)
        t1 = t0 + n / RATE
        with self._lock:
            pieces = [p for p in self._pieces if p.start < t1 and p.end > t0]
        for p in pieces:
            first = round((p.start - t0) * RATE)  # where the piece begins within the window
            last = min(n, round((p.end - t0) * RATE))
            lo, hi = max(0, first), last
            if hi > lo:
                seg = p.samples[lo - first : hi - first]
                out[lo : lo + seg.size] = seg
        return out


def webrtc_available() -> str | None:
    """None if ``pywebrtc-audio`` can be used, else why not (with what to do)."""
    try:
        import pywebrtc_audio  # noqa: F401
    except ImportError as exc:
        return f"pywebrtc-audio is not installed ({exc}); `pip install pywebrtc-audio` adds it"
    return None


class _Nothing:
    """No canceller: the microphone as it is (ducking and the barge-in check still work)."""

    def process(self, near: np.ndarray, far: np.ndarray) -> np.ndarray:
        return near

    def reset(self) -> None:
        pass


class EchoCanceller:
    """An echo canceller between what the microphone heard and what the speaker played:
    ``engine`` "speex" (SpeexDSP's linear filter, ``speex.py``), "webrtc" (WebRTC AEC3) or
    "none" (only the alignment, ducking and the barge-in check, ``duck.py``).

    Each 10 ms frame, cancelled, also goes to a ``NearSpeechDetector``: someone talking over
    the assistant ducks its voice, and each stretch of their speech is handed to
    ``on_near_speech`` (set by the voice loop)."""

    def __init__(self, played: PlayedAudio, engine: str = "speex", lead_s: float = 0.02) -> None:
        if engine == "none":
            self._aec = _Nothing()
        elif engine == "speex":
            from .speex import SpeexEcho

            self._aec = SpeexEcho(FRAME, sample_rate=RATE)
        elif engine == "webrtc":
            problem = webrtc_available()
            if problem:
                raise AudioDeviceError(f"in-process echo cancellation cannot run: {problem}")
            from pywebrtc_audio import EchoCanceller as Aec3

            self._aec = Aec3(sample_rate=RATE, num_channels=1)
        else:
            raise AudioDeviceError(f"unknown echo canceller {engine!r} (speex, webrtc, none)")
        self.engine = engine
        self._played = played
        self.played = played
        """What the speaker played (its ``gain`` is the duck, and the barge-in's mute)."""
        self._lead = lead_s
        self.delay = DelayTracker(played)
        self.near = NearSpeechDetector(played)
        self._erle = ErleMeter()
        self.on_near_speech: Callable[[NearSpeech], None] = lambda _speech: None
        """Called (on the echo path's thread) with each stretch of speech heard over its own."""
        self.on_frame: Callable[[float, bool], None] = lambda _at, _talking: None
        """Called after every 10 ms frame with its time and whether someone talks over its
        voice then (``live.bargein`` waits on it to see whether a stop is followed by more)."""
        self._rest = np.zeros(0, dtype=np.int16)
        self._rest_at = 0.0

    def cancel(self, chunk: AudioChunk, at: float) -> AudioChunk:
        """``chunk`` (recorded from ``at`` on) with the assistant's voice taken out.

        Any whole number of 10 ms frames goes through the canceller; a leftover partial frame
        waits for the next block, so the output lags the input by under 10 ms and keeps its
        length over time (a block's ``start`` is unchanged).
        """
        if chunk.sample_rate != RATE:
            raise AudioDeviceError(
                f"echo cancellation needs {RATE} Hz microphone audio, got {chunk.sample_rate} Hz"
            )
        near = np.frombuffer(chunk.samples, dtype="<i2")
        if self._rest.size:
            near = np.concatenate([self._rest, near])
            at = self._rest_at
        usable = near.size // FRAME * FRAME
        if self.delay.observe(near, at):
            log.info("echo delay now %.0f ms", self.delay.delay * 1000)
            self.near.relearn()  # the echo left over after the move is not what was learned
            if self.engine == "webrtc":  # its filter learned the old offset; Speex's models
                self._aec.reset()  # the room after the alignment, which still holds
        far = self._played.window(at - self.delay.delay + self._lead, usable)
        if (record := _echo_record()) is not None:  # the bench's record only (echorecord)
            record.block(at, near[:usable], far, self.delay.delay)
        out = np.empty(usable, dtype=np.int16)
        for i in range(0, usable, FRAME):
            out[i : i + FRAME] = self._aec.process(near[i : i + FRAME], far[i : i + FRAME])
            self._erle.frame(near[i : i + FRAME], out[i : i + FRAME], far[i : i + FRAME],
                             self._played.gain < 1.0)  # fmt: skip
            speech = self.near.frame(out[i : i + FRAME], far[i : i + FRAME], at + i / RATE,
                                     near[i : i + FRAME])  # fmt: skip
            if speech is not None:
                log.info(
                    "speech over its own: %.2f s, %.0f%% above the echo, %.1f dB of it removed, "
                    "duck heard %+.2f s after its start, echo delay %.0f ms, echo path %.3f s "
                    "behind the microphone",
                    speech.seconds, speech.person_share * 100, speech.removed_db,
                    self._played.ducked_from + self.delay.delay - speech.start,
                    self.delay.delay * 1000, time.monotonic() - (at + (i + FRAME) / RATE),
                )  # fmt: skip
                self.on_near_speech(speech)
            self.on_frame(at + i / RATE, self.near.talking)
        self._rest = near[usable:].copy()
        self._rest_at = at + usable / RATE
        return replace(chunk, samples=out.tobytes())

    def stream(
        self, chunks: Iterable[AudioChunk], captured_at: Callable[[AudioChunk], float]
    ) -> Iterator[AudioChunk]:
        """``chunks`` with the echo taken out of each (``captured_at``: when it was recorded),
        on the echo path's own thread (``echopath``: the duck and the stop spotter never wait
        for the recognizer), handed on in the recognizer's 100 ms chunks."""
        from .echopath import on_own_thread

        yield from on_own_thread(self, chunks, captured_at)

    def reset(self) -> None:
        """Forget what was learned of the room (a new microphone stream)."""
        self._aec.reset()
        self._rest = np.zeros(0, dtype=np.int16)
        self.delay.forget()  # the new stream's samples do not follow the old one's
        self.near.relearn(floor=True)  # the canceller removes nothing yet: its echo is louder
