"""Two clocks: the wall clock promises are told in, and a steady one durations are measured on.

The wall clock (``time.time``) can jump: a Raspberry Pi has no battery-backed clock and sets it
at boot, NTP steps it, daylight saving changes what it *reads* (not the POSIX time). A duration
("twenty minutes") is therefore measured on ``CLOCK_BOOTTIME``, which never jumps and keeps
counting through a suspend, and only converted to a wall-clock time for the store.

The *frame* of a stored wall-clock time is ``(boot id, wall - boottime)`` at the moment it was
written. As long as the machine has not rebooted, the difference between that offset and today's
is exactly how far the wall clock jumped since, so a restart can correct a duration's due time
even when the jump happened while nothing ran.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Protocol

__all__ = ["JUMP_SECONDS", "Clock", "Frame", "SystemClock", "correction", "frame_of"]

Frame = tuple[str, float]
"""(boot id, wall clock minus boot clock in seconds) when a due time was written."""

JUMP_SECONDS = 1.0
"""A change of the wall-minus-steady offset larger than this is a jump, not drift."""


class Clock(Protocol):
    """What the timer engine reads time from (tests inject one that jumps)."""

    def wall(self) -> float:
        """POSIX seconds, as the wall clock says now."""
        ...

    def mono(self) -> float:
        """Seconds on a clock that never jumps, comparable across processes of one boot."""
        ...

    def boot_id(self) -> str:
        """Changes with every boot; '' when unknown (then no restart can be corrected)."""
        ...


class SystemClock:
    """``time.time``, ``CLOCK_BOOTTIME`` and the kernel's boot id."""

    def __init__(self) -> None:
        try:
            self._boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        except OSError:
            self._boot = ""

    def wall(self) -> float:
        return time.time()

    def mono(self) -> float:
        return time.clock_gettime(time.CLOCK_BOOTTIME)

    def boot_id(self) -> str:
        return self._boot


def frame_of(clock: Clock) -> Frame:
    """The frame a due time written now is in."""
    return (clock.boot_id(), clock.wall() - clock.mono())


def correction(written: Frame | None, now: Frame) -> float:
    """Seconds to add to a duration's stored due time written in ``written``: how far the wall
    clock jumped since. 0 when unknown (another boot, an older store) or within drift."""
    if written is None or not written[0] or written[0] != now[0]:
        return 0.0
    delta = now[1] - written[1]
    return delta if abs(delta) > JUMP_SECONDS else 0.0
