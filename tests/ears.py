"""What a session said, and sessions to say it: the tests' ears, shared by the conversation,
mode and turn-taking tests (each had its own copy of this)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from voice_repair import app
from voice_repair.config import Config
from voice_repair.models import Say


class Heard:
    """A session's ``say`` callback that keeps every line with the ``time.monotonic()`` it was
    said at, so a test can wait for a line and check when it came."""

    def __init__(self) -> None:
        self.items: list[tuple[float, Say]] = []
        self.cond = threading.Condition()

    def __call__(self, say: Say) -> None:
        with self.cond:
            self.items.append((time.monotonic(), say))
            self.cond.notify_all()

    def says(self, since: int = 0) -> list[Say]:
        """The lines said, from the ``since``-th on."""
        with self.cond:
            return [s for _, s in self.items[since:]]

    def sources(self) -> list[str]:
        return [s.source for s in self.says()]

    def count(self, source: str) -> int:
        return self.sources().count(source)

    def wait_for(self, source: str, timeout: float) -> tuple[float, Say]:
        """The first line from ``source`` and when it came; fails after ``timeout`` s."""

        def found() -> tuple[float, Say] | None:
            return next(((t, s) for t, s in self.items if s.source == source), None)

        with self.cond:
            ok = self.cond.wait_for(found, max(0.0, timeout))
            assert ok, f"{source} not heard in {timeout:.2f} s: {self.sources()}"
            return found()  # type: ignore[return-value]

    def wait_count(self, source: str, n: int, timeout: float) -> None:
        """Until ``n`` lines from ``source`` were said; fails after ``timeout`` s."""
        with self.cond:
            ok = self.cond.wait_for(lambda: self.count(source) >= n, max(0.0, timeout))
        assert ok, f"{n} x {source} not heard in {timeout:.2f} s: {self.sources()}"


Send = Callable[[str], list[Say]]
"""Hands a sentence to the session as if it were heard; returns the lines said in answer."""


@contextmanager
def sessions(tmp_path: Path) -> Iterator[Callable[..., tuple[Send, Heard, Any]]]:
    """``start(minute, **config)`` -> (send, heard, session): a session whose minute lasts
    ``minute`` real seconds, on a data folder of its own each time (``config`` goes to
    ``Config``); every timer engine started is shut down on the way out."""
    engines = []

    def start(minute: float, **config: Any) -> tuple[Send, Heard, Any]:
        heard = Heard()
        folder = tmp_path / f"data{len(engines)}"
        options = app.Options(config=Config(data_dir=folder, **config), minute_seconds=minute)
        session, engine = app.start_session(options, heard)
        engines.append(engine)

        def send(text: str) -> list[Say]:
            before = len(heard.items)
            session.handle_text(text)
            return heard.says(before)

        return send, heard, session

    try:
        yield start
    finally:
        for engine in engines:
            engine.shutdown()
