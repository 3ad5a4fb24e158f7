"""Interruptible playback of PCM through one long-lived sounddevice stream.

Speech must stop the moment someone says "stop", and the echo canceller must keep what it
learned of the room from one sentence to the next. Both come from one output stream kept open
for the player's life, fed silence between pieces: its delay from "handed over" to "heard"
stays put (a new stream per sentence had a delay of its own each time, 62-99 ms in one live
recording, and SpeexDSP, which needs seconds of a steady echo path, never converged: README
"Where the missed stops came from"). The audio callback only copies from memory; a piece is
cut by dropping the rest of it at the next block, so what PortAudio has buffered (one latency,
``_LATENCY_SECONDS``) still plays and the stream, with its delay, stays as it was.

``play`` blocks until the piece's last sample has sounded (PortAudio's own estimate of when
each block reaches the speaker), so the silences a caller waits between pieces are heard as
asked. A piece at another rate than the stream's is resampled (linear) before it is queued.

Every wait here ends when the stream dies: PortAudio says it ended (``OutStream.ended``), or
the server stopped asking for audio (``STALL_SECONDS``), or PortAudio was restarted under it;
each logs a line and the next piece opens a new stream. The callback lives on ``_Feed``, which
never refers to the ``Player``: a player dropped without ``close`` is collected, and its
finalizer closes the stream before the stream, and the callback PortAudio still calls, are
freed (``outstream.py``: that was a segfault).
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..errors import AudioDeviceError
from .devices import check_device, device_id
from .echo import PlayedAudio
from .echorecord import from_env as _echo_record
from .outstream import CLOSE_WAIT_SECONDS, OutStream, close_stream, open_stream
from .playclock import PlayClock

__all__ = ["Player"]

log = logging.getLogger(__name__)

_POLL_SECONDS = 0.02
"""How often a blocked ``play`` looks for an interrupt (the callback drops a cut piece at its
next block itself; this bounds only when ``play`` returns)."""

_LATENCY_SECONDS = 0.05
"""Output buffer: small enough that "stop" is heard at once, big enough to avoid underruns."""

STALL_SECONDS = 5.0
"""No audio taken by the sound server for this long: it is gone (killed under the stream, or
hung). Such a stream never asks again, and ``play`` would wait for it for ever, the speaker
deaf to every later line (seen once: the server killed under a reply on a busy machine). The
server may ask in bursts: through ALSA's pulse plugin a stream's first asks came 1.5-1.9 s
apart here, so the window is well past that. A stalled stream is left behind and the next
piece opens a new one."""

MAX_AHEAD_SECONDS = 2.0
"""At most this long from handing a block over to its sounding, whatever PortAudio estimates:
``play`` waits for the estimate, and a wrong one must not make it wait without end."""


def _scaled(samples: np.ndarray, gain: float) -> np.ndarray:
    return (samples.astype(np.float32) * gain).astype(np.int16)


def _resampled(samples: np.ndarray, rate: int, to: int) -> np.ndarray:
    if rate == to or not samples.size:
        return samples
    n = round(samples.size * to / rate)
    x = np.linspace(0, samples.size - 1, n)
    return np.interp(x, np.arange(samples.size), samples).astype(np.int16)


@dataclass
class _Piece:
    """One piece being played: the callback's cursor in it and when it ends."""

    data: np.ndarray
    """int16 mono at the stream's rate."""
    reference: np.ndarray | None
    """The same at the echo canceller's rate (``PlayedAudio.at_rate``), when one listens."""
    cancel: threading.Event | None
    position: int = 0
    consumed: threading.Event = field(default_factory=threading.Event)
    """Set when the last sample was handed over, or the piece was dropped."""
    ends_at: float = float("inf")
    """``time.monotonic()`` when its last sample sounds (set with ``consumed``)."""
    dropped: bool = False


class _Feed:
    """What the audio callback reads and writes: the piece playing, and the stream's health.
    Never the ``Player`` (see the module docstring)."""

    def __init__(self, sample_rate: int, played: PlayedAudio | None) -> None:
        self.sample_rate = sample_rate
        self.played = played
        self.interrupt = threading.Event()
        self.piece: _Piece | None = None
        self.asked = time.monotonic()
        """When the server last asked for a block (``time.monotonic()``)."""
        self.underruns = 0
        """Blocks the sound server found missing (each moves everything after it later)."""
        self.clock = PlayClock(sample_rate)
        """When each block sounds, on one steady timeline per stream (``playclock``)."""
        self.record = _echo_record()
        """The bench's record of the echo path (``echorecord``; None unless asked)."""
        self.stream = 0
        """The serial number of the stream in use: one left behind that still asks for blocks
        before its close gets silence, never the piece the new one plays."""

    def for_stream(self, serial: int) -> Callable[..., None]:
        """The callback for stream ``serial``."""

        def callback(outdata: np.ndarray, frames: int, when, status: object) -> None:
            if serial != self.stream:
                outdata.fill(0)
                return
            self.callback(outdata, frames, when, status)

        return callback

    def stopped(self, piece: _Piece) -> bool:
        return self.interrupt.is_set() or (piece.cancel is not None and piece.cancel.is_set())

    def callback(self, outdata: np.ndarray, frames: int, when, status: object) -> None:
        """PortAudio's thread: the next block of the piece playing, or silence."""
        now = time.monotonic()
        self.asked = now
        if status:
            self.underruns += 1  # the timeline after it moved: the canceller must follow
            log.debug("playback status: %s", status)
        ahead = min(max(0.0, when.outputBufferDacTime - when.currentTime), MAX_AHEAD_SECONDS)
        sound_at = self.clock.block(now + ahead, frames, bool(status))
        if self.record is not None:
            self.record.played(now, now + ahead, frames, bool(status))
        piece = self.piece
        if piece is None or piece.consumed.is_set():
            outdata.fill(0)
            return
        if self.stopped(piece):  # cut: the rest is dropped, the stream goes on
            piece.dropped = True
            piece.consumed.set()
            outdata.fill(0)
            return
        chunk = piece.data[piece.position : piece.position + frames]
        gain = 1.0
        if self.played is not None and piece.reference is not None:
            ref, size = piece.reference, piece.data.size
            lo = piece.position * ref.size // size
            hi = (piece.position + chunk.size) * ref.size // size
            gain = self.played.gain  # ducked while someone talks over it
            block = ref[lo:hi] if gain == 1.0 else _scaled(ref[lo:hi], gain)
            self.played.started(block, sound_at, gain)
        outdata[: chunk.size, 0] = chunk if gain == 1.0 else _scaled(chunk, gain)
        outdata[chunk.size :, 0] = 0
        piece.position += chunk.size
        if piece.position >= piece.data.size:
            piece.ends_at = sound_at + chunk.size / self.sample_rate
            piece.consumed.set()


class Player:
    """Plays int16 mono arrays on one output device, one at a time, through one stream."""

    def __init__(
        self, device: str | int | None, sample_rate: int = 22050, played: PlayedAudio | None = None
    ) -> None:
        """Check now that ``device`` exists, so a wrong name fails at start-up, not mid-reply.

        ``played``: told what is played and when, for the echo canceller."""
        check_device(device, "output", sample_rate)
        self.played = played
        self.device = device_id(device)
        self.sample_rate = sample_rate
        self._feed = _Feed(sample_rate, played)
        self._lock = threading.Lock()
        self._out: list[OutStream] = []
        """The open stream, if any (a list the finalizer shares, so it sees the current one)."""
        self._reported = 0
        # Collected without close: the stream is closed on its own thread (never waited for:
        # the collector may run on any thread, the audio callback's own included).
        self._finalizer = weakref.finalize(self, _close_all, self._out, 0.0)
        self._finalizer.atexit = False  # at exit sounddevice's own handler closes it
        self._open()  # now: the first stream's first asks come late (1.5 s on PulseAudio)

    @property
    def underruns(self) -> int:
        """Blocks the sound server found missing since the player opened."""
        return self._feed.underruns

    def play(
        self, samples: np.ndarray, sample_rate: int, cancel: threading.Event | None = None
    ) -> bool:
        """Play ``samples`` and block until they have sounded. False if interrupted (or
        ``cancel`` was set).

        ``cancel`` lets a caller own the interruption of one particular piece, so a stop that
        arrives just before ``play`` starts is not lost.
        """
        data = np.ascontiguousarray(samples, dtype=np.int16).reshape(-1)
        data = _resampled(data, sample_rate, self.sample_rate)
        feed = self._feed
        with self._lock:
            feed.interrupt.clear()
            if feed.underruns != self._reported:
                log.info("playback: %d underruns since the last piece",
                         feed.underruns - self._reported)  # fmt: skip
                self._reported = feed.underruns
            if data.size == 0 or (cancel is not None and cancel.is_set()):
                return not (cancel is not None and cancel.is_set())
            reference = None
            if self.played is not None:
                reference = PlayedAudio.at_rate(data, self.sample_rate)
            piece = _Piece(data, reference, cancel)
            out = self._open()
            feed.piece = piece  # the callback takes it up at its next block
            try:
                return self._wait(piece, out)
            finally:
                piece.dropped = not piece.consumed.is_set()
                feed.piece = None

    def _wait(self, piece: _Piece, out: OutStream) -> bool:
        """Until ``piece`` has sounded: True; False once cut; ends, with a log line, when the
        stream dies under it; raises on a stalled server."""
        feed = self._feed
        while not piece.consumed.wait(_POLL_SECONDS):
            if feed.stopped(piece):
                return False
            if self._died(out):
                return True
            if time.monotonic() - feed.asked > STALL_SECONDS:
                self._forget(out)
                raise AudioDeviceError(
                    f"the speaker took no audio for {STALL_SECONDS:.0f} s (the sound "
                    "server gone or hung); the rest of this line is dropped"
                )
        if piece.dropped:
            return False
        while (left := piece.ends_at - time.monotonic()) > 0:
            if feed.stopped(piece):
                return False
            if self._died(out):
                return True
            time.sleep(min(left, _POLL_SECONDS))
        return True

    def _died(self, out: OutStream) -> bool:
        """The stream ended under a piece (its server gone, or PortAudio restarted): left
        behind, logged; the next piece opens a new one."""
        if not (out.ended.is_set() or out.restarted_since):
            return False
        log.warning("playback: the speaker stream ended under a line (the sound server gone, or "
                    "the devices re-scanned); the rest of it is dropped")  # fmt: skip
        self._forget(out)
        return True

    def _open(self) -> OutStream:
        """The stream, opened once and kept; a new one if the last ended, stalled or was
        closed by a PortAudio restart."""
        if self._out:
            out = self._out[0]
            stalled = time.monotonic() - self._feed.asked > STALL_SECONDS
            if not (out.ended.is_set() or out.restarted_since or stalled):
                return out
            self._forget(out)
        self._feed.stream += 1
        self._feed.clock = PlayClock(self.sample_rate)  # a new stream, a timeline of its own
        callback = self._feed.for_stream(self._feed.stream)
        out = open_stream(self.device, self.sample_rate, _LATENCY_SECONDS, callback)
        self._feed.asked = time.monotonic()
        self._out.append(out)
        return out

    def _forget(self, out: OutStream) -> None:
        """Leave ``out`` behind, closed on a thread nobody waits for (a hung server's close
        never returns: ``outstream.close_stream``)."""
        if out in self._out:
            self._out.remove(out)
        close_stream(out, wait=0)

    def interrupt(self) -> None:
        """Stop what is playing now, at once (safe from any thread; no effect when idle)."""
        self._feed.interrupt.set()

    def close(self, wait: float = CLOSE_WAIT_SECONDS) -> None:
        """Close the stream (the player opens a new one if asked to play again). Waits for a
        piece playing to stop, and for the close at most ``wait`` seconds (``Speaker.close``
        at the process's stop waits less: a stop must end within 1.5 s, frozen server or not)."""
        self.interrupt()
        if not self._lock.acquire(timeout=STALL_SECONDS):
            log.warning("playback: a line still plays %.0f s after close; the stream is left to "
                        "close on its own thread", STALL_SECONDS)  # fmt: skip
            _close_all(self._out, wait=0)
            return
        try:
            _close_all(self._out, wait=wait)
        finally:
            self._lock.release()


def _close_all(streams: list[OutStream], wait: float = CLOSE_WAIT_SECONDS) -> None:
    """Close every stream in ``streams`` (the player's, at ``close`` or when it is collected),
    waiting for each at most ``wait`` seconds."""
    while streams:
        close_stream(streams.pop(), wait=wait)
