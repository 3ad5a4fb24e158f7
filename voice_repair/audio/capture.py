"""Microphone -> queue of ``AudioChunk``s.

The sounddevice callback runs on PortAudio's real-time thread, so it only copies the block onto
a queue (as in sounddevice's own examples); decoding happens in whoever iterates ``chunks()``.
Nothing is written anywhere: blocks live in memory until the recognizer has seen them.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator
from types import TracebackType

import numpy as np
import sounddevice as sd

from ..errors import AudioDeviceError
from ..models import AudioChunk
from .devices import DeviceInfo, check_device, device_id, list_devices

__all__ = ["Microphone", "DeviceInfo", "list_devices"]

log = logging.getLogger(__name__)

_QUEUE_SECONDS = 10.0
"""Audio kept waiting for a slow consumer before the oldest is dropped (and a warning logged)."""


class Microphone:
    """An open input stream, used as a context manager; ``chunks()`` yields what it hears."""

    def __init__(
        self, device: str | int | None, sample_rate: int = 16000, block_ms: int = 100
    ) -> None:
        if not 10 <= block_ms <= 1000:
            raise AudioDeviceError(f"block length {block_ms} ms is out of range (10 to 1000)")
        self.device = device_id(device)
        self.sample_rate = sample_rate
        self.block_frames = sample_rate * block_ms // 1000
        self._queue: queue.Queue[bytes | None] = queue.Queue(
            maxsize=max(1, int(_QUEUE_SECONDS * 1000 / block_ms))
        )
        self._stream: sd.InputStream | None = None
        self._frames = 0
        self._dropped = 0
        self._frames_in = 0
        self._origin = float("inf")
        self._lock = threading.Lock()

    def __enter__(self) -> Microphone:
        check_device(self.device, "input", self.sample_rate)
        try:
            self._prime()
            self._stream = self._open(self._callback)
            self._stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            raise AudioDeviceError(
                f"cannot open the microphone {self.device!r} ({exc}). "
                "Run `voice-repair devices` and pass --input-device NAME-OR-INDEX."
            ) from exc
        return self

    def _open(self, callback) -> sd.InputStream:
        """An input stream with this microphone's settings (not started)."""
        return sd.InputStream(
            samplerate=self.sample_rate,
            blocksize=self.block_frames,
            channels=1,
            dtype="int16",
            device=self.device,
            # "high" (sounddevice's default) lets the ALSA pulse plugin hand over audio in
            # bursts up to 1.8 s late; "low" delivers every block on time, which the
            # half-second endpointing budget needs.
            latency="low",
            callback=callback,
        )

    def _prime(self) -> None:
        """Start and stop a throwaway stream before the real one.

        Through the ALSA ``pulse`` plugin, the first capture stream a process starts delivers
        its first block ~1.9 s late and stays that far behind for its whole life (measured
        with PulseAudio 16); a stream started after a brief first one is on time. Costs a few
        milliseconds; harmless on devices without the quirk.
        """
        stream = self._open(lambda *_args: None)
        stream.start()
        stream.stop()
        stream.close()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop recording; a consumer blocked in ``chunks()`` ends its iteration."""
        with self._lock:
            stream, self._stream = self._stream, None
        if stream is None:
            return
        stream.abort()
        stream.close()
        try:
            self._queue.put_nowait(None)
        except queue.Full:
            self._queue.get_nowait()
            self._queue.put_nowait(None)

    def _callback(self, indata: np.ndarray, frames: int, _time: object, status: object) -> None:
        # Besides copying the block, only keep the earliest estimate of when sample 0 was
        # recorded (the least-delayed callback gives the best one), for ``captured_at``.
        self._frames_in += frames
        self._origin = min(self._origin, time.monotonic() - self._frames_in / self.sample_rate)
        if status:
            log.debug("microphone status: %s", status)
        try:
            self._queue.put_nowait(bytes(indata))
        except queue.Full:
            self._dropped += 1

    def captured_at(self, chunk: AudioChunk) -> float:
        """``time.monotonic()`` at which ``chunk``'s first sample was recorded (within a block)."""
        return self._origin + chunk.start

    def chunks(self, timeout: float | None = None) -> Iterator[AudioChunk]:
        """Yield blocks as they arrive, until ``close()``.

        ``timeout`` seconds without any audio means the device has stalled or vanished (a
        microphone unplugged): that raises ``AudioDeviceError`` instead of quietly ending.
        ``start`` times count samples, so they are exact even if the consumer falls behind.
        """
        if self._stream is None and self._queue.empty():
            raise AudioDeviceError("the microphone is not open; use `with Microphone(...) as mic`")
        while True:
            try:
                block = self._queue.get(timeout=timeout)
            except queue.Empty:
                raise AudioDeviceError(
                    f"the microphone {self.device!r} delivered no audio for {timeout} s; "
                    "is it still connected? Check `voice-repair devices`."
                ) from None
            if block is None:
                return
            if self._dropped:
                log.warning("audio fell behind: dropped %d microphone blocks", self._dropped)
                self._frames += self._dropped * self.block_frames
                self._dropped = 0
            start = self._frames / self.sample_rate
            self._frames += len(block) // 2
            yield AudioChunk(samples=block, sample_rate=self.sample_rate, start=start)
