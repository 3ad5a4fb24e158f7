"""What a timer engine said, with the steady time each event arrived at: the tests' ears."""

from __future__ import annotations

import threading
import time

from voice_repair.models import TimerEvent


class Heard:
    """An engine's event callback that keeps every event with its ``time.monotonic()``."""

    def __init__(self) -> None:
        self.events: list[tuple[float, TimerEvent]] = []
        self.cond = threading.Condition()

    def __call__(self, event: TimerEvent) -> None:
        with self.cond:
            self.events.append((time.monotonic(), event))
            self.cond.notify_all()

    def wait(self, count: int, timeout: float = 5.0) -> None:
        """Until ``count`` events were heard; fails the test after ``timeout`` seconds."""
        with self.cond:
            assert self.cond.wait_for(lambda: len(self.events) >= count, timeout), self.events

    def wait_for(self, kind: str, timeout: float) -> tuple[float, TimerEvent]:
        """The first event of ``kind`` and when it came; fails the test after ``timeout``."""

        def found():
            return next(((t, e) for t, e in self.events if e.kind == kind), None)

        with self.cond:
            assert self.cond.wait_for(found, timeout), [e.kind for _, e in self.events]
            return found()  # type: ignore[return-value]
