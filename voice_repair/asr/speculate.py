"""Whisper's decodes on one worker thread, so a segment is decoded while the endpointer waits.

Why: the endpointer decides only after ``Segmenter.short_end`` (0.27 s) of silence, and Whisper
has no partial results, so the whole decode (about 0.9 s of a loaded 2-core machine) used to
start only then, on the loop's own thread. The audio the decision will read is the speech plus
a short tail (``whisper._TAIL``); it is all there as soon as the silence is that long, so the
recognizer hands it to this worker at that moment and goes on reading frames. If no more speech
comes, the decision takes the worker's result (waiting for the rest of it); if speech resumes,
the result is for audio the decision will not use, and it is dropped.

Why one thread, decodes in order: the model holds per-call state (the encoder window), the two
cores are already shared by the encoder's own threads, and a second decode running beside a
discarded one would only slow both. A discarded decode cannot be stopped once CTranslate2 runs
it (one call), so a speculation is started only when no other decode is under way, and one
queued behind it is cancelled if it has not started when it stops being wanted.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

__all__ = ["DecodeWorker", "Decodes"]


class DecodeWorker:
    """One daemon thread running the jobs handed to ``submit``, one at a time, in order.

    A daemon thread (not a ``ThreadPoolExecutor``'s, which the interpreter joins at exit): a
    decode under way when the assistant stops must not hold the stop up.
    """

    def __init__(self, name: str = "whisper-decode") -> None:
        self._name = name
        self._jobs: queue.SimpleQueue[tuple[Future, Callable[..., Any], tuple]] = (
            queue.SimpleQueue()
        )
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        """Queue ``fn(*args)``; its ``Future`` carries the result or the exception."""
        future: Future = Future()
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
        self._jobs.put((future, fn, args))
        return future

    def _run(self) -> None:
        while True:
            future, fn, args = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue  # cancelled while queued
            try:
                future.set_result(fn(*args))
            except BaseException as e:  # handed to whoever waits on it
                future.set_exception(e)


class Decodes:
    """A recognizer's decodes of its current segment: at most one handed out and not yet read.

    Each is known by how many bytes of the segment it reads (``n``): the same ``n`` is the same
    audio, so a decode started early is the decision's own when the decision asks for that
    ``n``. Counts for the benches: ``speculations`` (decodes started before the decision was
    due) and ``dropped`` (of those, the ones never read).
    """

    def __init__(self) -> None:
        self._worker = DecodeWorker()
        self._pending: tuple[int, Future, bool] | None = None
        self.speculations = 0
        self.dropped = 0

    def busy(self) -> bool:
        """Whether a decode is queued or running."""
        return self._pending is not None and not self._pending[1].done()

    def has(self, n: int) -> bool:
        """Whether the decode of the first ``n`` bytes is under way or done, not yet read."""
        return self._pending is not None and self._pending[0] == n

    def start(self, n: int, speculative: bool, fn: Callable[..., Any], *args: Any) -> None:
        """Decode ``fn(*args)`` (the first ``n`` bytes) in place of any decode not yet read."""
        self.forget()
        self._pending = (n, self._worker.submit(fn, *args), speculative)
        self.speculations += speculative

    def take(self, n: int) -> Any:
        """The result of the decode of ``n`` bytes (``start`` it first), waiting for it."""
        assert self._pending is not None and self._pending[0] == n, "no decode of these bytes"
        future = self._pending[1]
        self._pending = None  # read: neither dropped nor pending
        return future.result()

    def forget(self) -> None:
        """Drop the decode not yet read (cancelled if it has not started)."""
        if self._pending is not None:
            self._pending[1].cancel()
            self.dropped += self._pending[2]
            self._pending = None
