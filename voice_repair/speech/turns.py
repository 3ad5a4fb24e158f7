"""Replies first: rendering ahead gives way, mid-sentence, to a reply that needs the engine.

An engine renders one sentence at a time (Piper's phonemizer is one process-wide instance), so
a reply queued while the background warm-up (``cache.py``) is rendering waited for that
sentence. Under load that was seconds: the warm-up's thread ran at the lowest CPU priority,
and a sentence that takes 0.5 s took 9.3 s there, with the reply waiting behind it at that
priority (measured with a busy loop on one core: an answer with a value heard 2-3 s late).
So a reply tells the rendering ahead to stop (an engine's stop handle: onnxruntime's
``RunOptions.terminate`` for Piper, checked between the model's steps) and takes the engine
as soon as it is let go; the sentence stopped is rendered again once the speaker is idle. The
warm-up keeps its low priority (the recognizer comes first): with the stop, a reply measured
3.1 s against 2.8 s alone at a load average of 17, where it had waited 37.7 s.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

__all__ = ["GiveWay", "RenderTurns"]


class GiveWay(Exception):
    """A rendering ahead stopped (or never began) because a reply needed the engine."""


class RenderTurns:
    """Who renders on one engine now: ``reply`` blocks, ``ahead`` blocks give way to them."""

    def __init__(self) -> None:
        self._engine = threading.Lock()
        self._state = threading.Lock()
        self._replies = 0
        """Replies waiting for the engine or rendering now."""
        self._stop_ahead: Callable[[], None] | None = None
        self._stopped = False

    @contextlib.contextmanager
    def reply(self) -> Iterator[None]:
        """The engine for a reply: a rendering ahead in progress is told to stop at once."""
        with self._state:
            self._replies += 1
            if self._stop_ahead is not None and not self._stopped:
                self._stopped = True
                self._stop_ahead()
        try:
            with self._engine:
                yield
        finally:
            with self._state:
                self._replies -= 1

    def give_way(self) -> None:
        """Stop a rendering ahead in progress now, though no reply waits (someone started
        talking: the recognizer needs the CPU); its block raises ``GiveWay``."""
        with self._state:
            if self._stop_ahead is not None and not self._stopped:
                self._stopped = True
                self._stop_ahead()

    @contextlib.contextmanager
    def ahead(self, stop: Callable[[], None]) -> Iterator[None]:
        """The engine for rendering ahead, while no reply wants it. ``stop()`` (from another
        thread) makes the engine give up the sentence; the block then raises ``GiveWay``
        instead of whatever the engine raised. Raises ``GiveWay`` at once if a reply waits."""
        with self._engine:
            with self._state:
                if self._replies:
                    raise GiveWay
                self._stop_ahead, self._stopped = stop, False
            try:
                yield
            except Exception as exc:
                if self._stopped:
                    raise GiveWay from exc
                raise
            finally:
                with self._state:
                    self._stop_ahead, self._stopped = None, False
