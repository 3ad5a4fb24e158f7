"""The speaker's output stream: opened, and closed without crashing or hanging the process.

A sounddevice stream keeps its audio callback (a cffi trampoline) alive only as long as the
Python stream object lives, and it has no ``__del__``: a stream dropped while PortAudio still
runs it is freed under PortAudio's thread, which then jumps into freed memory (a segfault in a
thread with no Python frame: the audio phase of the sixth session's merge, reproduced by
dropping a ``Player`` without closing it). So a stream here is only ever let go once it is
closed: by ``close_stream``, or by a PortAudio restart (``devices.refresh_devices``), after
which it must not be touched again (its memory is PortAudio's and freed). Against a sound
server that stopped answering, ``Pa_AbortStream`` waits for ever, so every close runs on a
daemon thread that holds the stream until it is done; the caller waits for it a bounded time.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import sounddevice as sd

from ..errors import AudioDeviceError
from . import devices
from .native import native_stderr_to_debug

__all__ = ["OutStream", "open_stream", "close_stream"]

log = logging.getLogger(__name__)

CLOSE_WAIT_SECONDS = 2.0
"""How long a caller waits for a stream's close before leaving it to its thread, seconds (a
stop must end the process within 1.5 s of its own work; a close takes milliseconds when the
server answers)."""


@dataclass
class OutStream:
    """One open output stream and what belongs to it alone."""

    stream: sd.OutputStream
    quiet: contextlib.ExitStack
    """PortAudio's fd-2 noise sent to the debug log for the stream's life (``native.py``)."""
    generation: int
    """``devices.generation()`` when it opened: after a restart PortAudio has closed it."""
    ended: threading.Event = field(default_factory=threading.Event)
    """Set by PortAudio when this stream ends (its server gone, or aborted). Its own: a stream
    left behind that ends later must not mark the next one as ended."""

    @property
    def restarted_since(self) -> bool:
        """PortAudio restarted since it opened (it is closed and freed)."""
        return self.generation != devices.generation()


def open_stream(
    device: str | int | None, sample_rate: int, latency: float, callback: Callable[..., None]
) -> OutStream:
    """A started mono int16 output stream calling ``callback`` for each block.

    ``callback`` must not hold the stream's owner (``playback.Player``): the owner is then free
    to be collected, and its finalizer closes the stream."""
    quiet = contextlib.ExitStack()
    quiet.enter_context(native_stderr_to_debug())
    ended = threading.Event()
    out: OutStream | None = None
    try:
        with devices.stream_call("open the speaker") as generation:
            stream = sd.OutputStream(
                samplerate=sample_rate,
                channels=1,
                dtype="int16",
                device=device,
                latency=latency,
                callback=callback,
                finished_callback=ended.set,
            )
            out = OutStream(stream, quiet, generation, ended)
            stream.start()
    except (sd.PortAudioError, ValueError) as exc:
        if out is not None:  # opened, did not start: PortAudio holds it until it is closed
            close_stream(out, wait=0)
        else:
            quiet.close()
        raise AudioDeviceError(
            f"cannot open the speaker {device!r} ({exc}). "
            "Run `voice-repair devices` and pass --output-device."
        ) from exc
    except AudioDeviceError:
        quiet.close()
        raise
    return out


def close_stream(out: OutStream, wait: float = CLOSE_WAIT_SECONDS) -> bool:
    """Close ``out`` on a daemon thread that keeps it alive until PortAudio let go of it; wait
    for that at most ``wait`` seconds (0: not at all). True when it closed in time."""
    done = threading.Event()

    def close() -> None:
        try:
            _close_now(out)
        finally:
            done.set()

    threading.Thread(target=close, name="speaker-close", daemon=True).start()
    if wait <= 0:
        return False
    if not done.wait(wait):
        log.warning(
            "playback: the speaker stream has not closed after %.0f s (its sound server hung?); "
            "left to close on its own thread",
            wait,
        )
        return False
    return True


def _close_now(out: OutStream) -> None:
    try:
        with devices.stream_call("close the speaker") as generation:
            if generation == out.generation:  # else PortAudio's restart closed and freed it
                out.stream.abort()
                out.stream.close()
    except (sd.PortAudioError, AudioDeviceError) as exc:
        log.debug("closing the speaker stream: %s", exc)
    finally:
        out.quiet.close()
