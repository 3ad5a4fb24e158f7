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
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import sounddevice as sd

from ..errors import AudioDeviceError
from . import devices
from .devices import check_device, device_id
from .echo import PlayedAudio
from .native import native_stderr_to_debug

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
        self._interrupt = threading.Event()
        self._lock = threading.Lock()
        self._piece: _Piece | None = None
        self._stream: sd.OutputStream | None = None
        self._ended = threading.Event()
        self._asked = 0.0
        self._quiet: contextlib.ExitStack | None = None
        self.underruns = 0
        """Blocks the sound server found missing (each moves everything after it later)."""
        self._reported = 0
        self._generation = devices.generation()
        self._open()  # now: the first stream's first asks come late (1.5 s on PulseAudio)

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
        with self._lock:
            self._interrupt.clear()
            if self.underruns != self._reported:
                log.info("playback: %d underruns since the last piece",
                         self.underruns - self._reported)  # fmt: skip
                self._reported = self.underruns
            if data.size == 0 or (cancel is not None and cancel.is_set()):
                return not (cancel is not None and cancel.is_set())
            reference = None
            if self.played is not None:
                reference = PlayedAudio.at_rate(data, self.sample_rate)
            piece = _Piece(data, reference, cancel)
            self._open()
            self._piece = piece  # the callback takes it up at its next block
            try:
                return self._wait(piece)
            finally:
                piece.dropped = not piece.consumed.is_set()
                self._piece = None

    def _stopped(self, piece: _Piece) -> bool:
        return self._interrupt.is_set() or (piece.cancel is not None and piece.cancel.is_set())

    def _wait(self, piece: _Piece) -> bool:
        """Until ``piece`` has sounded: True; False once cut; raises on a stalled server."""
        while not piece.consumed.wait(_POLL_SECONDS):
            if self._stopped(piece):
                return False
            if self._ended.is_set():  # the stream ended under it (its server gone)
                self._forget_stream()
                return True
            if time.monotonic() - self._asked > STALL_SECONDS:
                self._forget_stream()
                raise AudioDeviceError(
                    f"the speaker took no audio for {STALL_SECONDS:.0f} s (the sound "
                    "server gone or hung); the rest of this line is dropped"
                )
        if piece.dropped:
            return False
        while (left := piece.ends_at - time.monotonic()) > 0:
            if self._stopped(piece):
                return False
            time.sleep(min(left, _POLL_SECONDS))
        return True

    def _callback(self, outdata: np.ndarray, frames: int, when, status: object) -> None:
        """PortAudio's thread: the next block of the piece playing, or silence."""
        now = time.monotonic()
        self._asked = now
        if status:
            self.underruns += 1  # the timeline after it moved: the canceller must follow
            log.debug("playback status: %s", status)
        piece = self._piece
        if piece is None or piece.consumed.is_set():
            outdata.fill(0)
            return
        if self._stopped(piece):  # cut: the rest is dropped, the stream goes on
            piece.dropped = True
            piece.consumed.set()
            outdata.fill(0)
            return
        chunk = piece.data[piece.position : piece.position + frames]
        sound_at = now + max(0.0, when.outputBufferDacTime - when.currentTime)
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

    def _open(self) -> None:
        """The stream, opened once and kept; a new one if the last ended or stalled."""
        if self._stream is not None and self._generation != devices.generation():
            self._stream = None  # PortAudio restarted (a device re-scan): already closed
            if self._quiet is not None:
                self._quiet.close()
                self._quiet = None
        if self._stream is not None and self._ended.is_set():
            self._forget_stream()
        if self._stream is not None and time.monotonic() - self._asked > STALL_SECONDS:
            self._forget_stream()
        if self._stream is not None:
            return
        # PortAudio prints to fd 2 when the sound server dies under a playing stream (its
        # thread's failed polls), is gone when one opens, or on an underrun: noise for the
        # debug log, not the journal, for the stream's whole life (``native.py``).
        quiet = contextlib.ExitStack()
        quiet.enter_context(native_stderr_to_debug())
        self._ended.clear()
        try:
            stream = sd.OutputStream(
                samplerate=self.sample_rate,
                channels=1,
                dtype="int16",
                device=self.device,
                latency=_LATENCY_SECONDS,
                callback=self._callback,
                finished_callback=self._ended.set,
            )
            stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            quiet.close()
            raise AudioDeviceError(
                f"cannot open the speaker {self.device!r} ({exc}). "
                "Run `voice-repair devices` and pass --output-device."
            ) from exc
        self._stream, self._quiet = stream, quiet
        self._generation = devices.generation()
        self._asked = time.monotonic()

    def _forget_stream(self) -> None:
        """Leave the current stream behind (closed on a thread nobody waits for)."""
        stream, quiet = self._stream, self._quiet
        self._stream = self._quiet = None
        if stream is not None:
            _leave_behind(stream, quiet)

    def interrupt(self) -> None:
        """Stop what is playing now, at once (safe from any thread; no effect when idle)."""
        self._interrupt.set()

    def close(self) -> None:
        """Close the stream (the player opens a new one if asked to play again)."""
        self.interrupt()
        with self._lock:
            stream, quiet = self._stream, self._quiet
            self._stream = self._quiet = None
        if stream is None or self._generation != devices.generation():
            if quiet is not None:
                quiet.close()
            return  # nothing open, or PortAudio restarted since and closed it itself
        try:
            stream.abort()
            stream.close()
        except sd.PortAudioError as exc:
            log.debug("closing the speaker stream: %s", exc)
        finally:
            if quiet is not None:
                quiet.close()


def _leave_behind(stream: sd.OutputStream, quiet: contextlib.ExitStack | None) -> None:
    """Close a stalled stream on a daemon thread nobody waits for: against a hung sound server
    PortAudio's close waits for an answer that never comes (``service/abandon.py`` measures
    it for the microphone), and the speaker must go on to the next line meanwhile."""

    def close() -> None:
        try:
            stream.abort()
            stream.close()
        except Exception as exc:  # the server is gone; nothing left to tell
            log.debug("closing a stalled speaker stream: %s", exc)
        finally:
            if quiet is not None:
                quiet.close()

    threading.Thread(target=close, name="stalled-speaker-close", daemon=True).start()
