"""Interruptible playback of PCM through sounddevice.

Speech must stop the moment someone says "stop", so playback is a callback stream fed from
memory: ``interrupt()`` (from any thread) aborts the stream, which discards what PortAudio has
buffered instead of draining it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import numpy as np
import sounddevice as sd

from ..errors import AudioDeviceError
from .devices import check_device, device_id
from .echo import PlayedAudio
from .native import native_stderr_to_debug

__all__ = ["Player"]

log = logging.getLogger(__name__)

_POLL_SECONDS = 0.02
"""How often a blocked ``play`` looks for an interrupt; bounds the reaction time."""

_LATENCY_SECONDS = 0.05
"""Output buffer: small enough that "stop" is heard at once, big enough to avoid underruns."""

STALL_SECONDS = 5.0
"""No audio taken by the sound server for this long: it is gone (killed under the stream, or
hung). Such a stream never finishes on its own, and ``play`` would wait for it for ever, the
speaker deaf to every later line (seen once: the server killed under a reply on a busy machine).
The server asks for audio in bursts: through ALSA's pulse plugin it takes up to about two
seconds ahead (PulseAudio's default target length; 1.7 s between two asks measured here), so
the window is well past that."""


def _scaled(samples: np.ndarray, gain: float) -> np.ndarray:
    return (samples.astype(np.float32) * gain).astype(np.int16)


class Player:
    """Plays int16 mono arrays on one output device, one at a time."""

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

    def play(
        self, samples: np.ndarray, sample_rate: int, cancel: threading.Event | None = None
    ) -> bool:
        """Play ``samples`` and block until done. False if interrupted (or ``cancel`` was set).

        ``cancel`` lets a caller own the interruption of one particular piece, so a stop that
        arrives just before ``play`` starts is not lost.
        """
        data = np.ascontiguousarray(samples, dtype=np.int16).reshape(-1)
        with self._lock:
            self._interrupt.clear()
            if data.size == 0 or (cancel is not None and cancel.is_set()):
                return not (cancel is not None and cancel.is_set())
            position = 0
            done = threading.Event()
            if self.played is not None:
                reference = PlayedAudio.at_rate(data, sample_rate)

            def callback(outdata: np.ndarray, frames: int, when, status: object) -> None:
                nonlocal position
                chunk = data[position : position + frames]
                gain = 1.0
                if self.played is not None:  # what this block plays, and when it will sound
                    ahead = max(0.0, when.outputBufferDacTime - when.currentTime)
                    lo = position * reference.size // data.size
                    hi = (position + chunk.size) * reference.size // data.size
                    gain = self.played.gain  # ducked while someone talks over it
                    block = reference[lo:hi] if gain == 1.0 else _scaled(reference[lo:hi], gain)
                    self.played.started(block, time.monotonic() + ahead, gain)
                if status:
                    log.debug("playback status: %s", status)
                outdata[: chunk.size, 0] = chunk if gain == 1.0 else _scaled(chunk, gain)
                outdata[chunk.size :, 0] = 0
                position += chunk.size
                if position >= data.size:
                    raise sd.CallbackStop

            # PortAudio prints to fd 2 when the sound server dies under a playing stream (its
            # thread's failed polls) or is gone when one opens: noise for the debug log, not
            # the journal. Other lines written meanwhile pass through (``native.py``).
            with native_stderr_to_debug():
                return self._stream(sample_rate, callback, done, cancel)

    def _stream(
        self,
        sample_rate: int,
        callback: Callable[..., None],
        done: threading.Event,
        cancel: threading.Event | None,
    ) -> bool:
        """Open a stream, play through ``callback`` until ``done`` or an interruption; a
        stream the server stopped asking audio of is left behind (``STALL_SECONDS``)."""
        asked = [time.monotonic()]  # when the server last asked for audio

        def asking(outdata: np.ndarray, frames: int, when: object, status: object) -> None:
            asked[0] = time.monotonic()
            callback(outdata, frames, when, status)

        try:
            stream = sd.OutputStream(
                samplerate=sample_rate,
                channels=1,
                dtype="int16",
                device=self.device,
                latency=_LATENCY_SECONDS,
                callback=asking,
                finished_callback=done.set,
            )
        except (sd.PortAudioError, ValueError) as exc:
            raise AudioDeviceError(
                f"cannot open the speaker {self.device!r} ({exc}). "
                "Run `voice-repair devices` and pass --output-device."
            ) from exc
        stream.start()
        try:
            while not done.wait(_POLL_SECONDS):
                if self._interrupt.is_set() or (cancel is not None and cancel.is_set()):
                    stream.abort()
                    if self.played is not None:
                        self.played.stopped(time.monotonic() + _LATENCY_SECONDS)
                    return False
                if time.monotonic() - asked[0] > STALL_SECONDS:
                    _leave_behind(stream)
                    stream = None
                    raise AudioDeviceError(
                        f"the speaker took no audio for {STALL_SECONDS:.0f} s (the sound "
                        "server gone or hung); the rest of this line is dropped"
                    )
            return True
        finally:
            if stream is not None:
                stream.close()

    def interrupt(self) -> None:
        """Stop what is playing now, at once (safe from any thread; no effect when idle)."""
        self._interrupt.set()


def _leave_behind(stream: sd.OutputStream) -> None:
    """Close a stalled stream on a daemon thread nobody waits for: against a hung sound server
    PortAudio's close waits for an answer that never comes (``service/abandon.py`` measures
    it for the microphone), and the speaker must go on to the next line meanwhile."""

    def close() -> None:
        try:
            stream.abort()
            stream.close()
        except Exception as exc:  # the server is gone; nothing left to tell
            log.debug("closing a stalled speaker stream: %s", exc)

    threading.Thread(target=close, name="stalled-speaker-close", daemon=True).start()
