"""The echo path on a thread of its own: short microphone blocks in, the recognizer's out.

A "stop" said over the assistant's speech must duck its voice at once and cut it within half a
second. When the canceller, the detector and the stop spotter ran on the listening thread, they
waited behind the recognizer (its decoding, its backlog on a busy machine) and saw the
microphone 100 ms at a time: ducking was heard 0.2-0.4 s after the first frame above the echo,
up to 3 s at load (README "Where the missed stops came from"). Here they run on their own
thread, on blocks of ``BLOCK_MS``, as soon as each arrives; the cancelled audio is handed on in
chunks of ``OUT_MS``, the size the recognizer always had, through a queue that keeps at most
``BACKLOG_S`` (the oldest dropped, with a warning, as the microphone's own queue does).

Nothing is written anywhere; audio lives in memory until the recognizer has seen it.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

from ..errors import AudioDeviceError
from ..models import AudioChunk

__all__ = ["BLOCK_MS", "OUT_MS", "on_own_thread"]

log = logging.getLogger(__name__)

BLOCK_MS = 20
"""Microphone blocks the echo path works on: two of the canceller's 10 ms frames."""
OUT_MS = 100
"""Chunks handed to the recognizer (what it was always given)."""
BACKLOG_S = 10.0
"""Cancelled audio kept waiting for a slow recognizer before the oldest is dropped."""
_LOOK_SECONDS = 1.0
"""How often the consumer, waiting for audio, checks that the echo path's thread still runs
(it always ends with a last item; a wait for ever would hide it if one day it did not)."""


class _Canceller(Protocol):
    def cancel(self, chunk: AudioChunk, at: float) -> AudioChunk: ...


class _End:
    """The microphone's chunks ended (``error`` None) or failed."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


def on_own_thread(
    canceller: _Canceller,
    chunks: Iterable[AudioChunk],
    captured_at: Callable[[AudioChunk], float],
    out_ms: int = OUT_MS,
) -> Iterator[AudioChunk]:
    """``chunks`` cancelled on an ``echo-path`` thread, yielded in chunks of ``out_ms``.

    An error raised by ``chunks`` (a microphone gone) is raised here, to the consumer; when the
    consumer stops iterating, the thread stops at the next block."""
    out: queue.Queue[AudioChunk | _End] = queue.Queue()
    stop = threading.Event()
    keep = max(1, round(BACKLOG_S * 1000 / out_ms))

    def put(item: AudioChunk | _End) -> None:
        if isinstance(item, AudioChunk) and out.qsize() >= keep:
            try:
                out.get_nowait()
                log.warning("the recognizer fell behind: dropped %d ms of audio", out_ms)
            except queue.Empty:
                pass
        out.put(item)

    def run() -> None:
        batch = _Batcher(out_ms)
        try:
            for chunk in chunks:
                if stop.is_set():
                    return
                for ready in batch.add(canceller.cancel(chunk, captured_at(chunk))):
                    put(ready)
            for ready in batch.flush():
                put(ready)
            put(_End())
        except BaseException as exc:  # handed to the consumer, raised there
            put(_End(exc))

    worker = threading.Thread(target=run, name="echo-path", daemon=True)
    worker.start()
    try:
        while True:
            try:
                item = out.get(timeout=_LOOK_SECONDS)
            except queue.Empty:
                if worker.is_alive() or not out.empty():
                    continue
                raise AudioDeviceError(
                    "the echo path's thread ended without a word; the microphone is reopened"
                ) from None
            if isinstance(item, _End):
                if item.error is not None:
                    raise item.error
                return
            yield item
    finally:
        stop.set()


class _Batcher:
    """Consecutive chunks joined into ones of ``ms``; a gap (blocks the microphone dropped)
    ends a batch early, so every chunk's ``start`` stays exact."""

    def __init__(self, ms: int) -> None:
        self._ms = ms
        self._parts: list[AudioChunk] = []
        self._samples = 0

    def add(self, chunk: AudioChunk) -> list[AudioChunk]:
        ready: list[AudioChunk] = []
        if self._parts:
            last = self._parts[-1]
            follows = last.start + len(last.samples) / 2 / last.sample_rate
            if abs(chunk.start - follows) > 0.5 / chunk.sample_rate:
                ready += self.flush()
        self._parts.append(chunk)
        self._samples += len(chunk.samples) // 2
        if self._samples * 1000 >= self._ms * chunk.sample_rate:
            ready += self.flush()
        return ready

    def flush(self) -> list[AudioChunk]:
        if not self._parts:
            return []
        first = self._parts[0]
        joined = AudioChunk(b"".join(p.samples for p in self._parts), first.sample_rate,
                            first.start)  # fmt: skip
        self._parts, self._samples = [], 0
        return [joined]
