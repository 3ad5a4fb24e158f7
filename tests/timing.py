"""Budgets for timing assertions, taken from what the test measured (issue 22).

A fixed small window (``< 0.15`` s, "within 1.5 s of the start") says nothing about the product
on a busy machine: it fails because another process had the core. Every timing assertion in the
tests therefore takes its budget from something the test measured on the spot: the start-up it
waited for, the audio it played, or this machine's speed right now (``slowness``). A slow machine
makes such a test slower, never red; behaviour that is wrong (an event seconds late, or never)
still fails, because the budget grows with the slowness measured, capped, not without bound.
How fast things are on a quiet machine is the benchmarks' job (``python -m bench``).
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

QUIET_SPIN_SECONDS = 0.045
"""What ``_spin`` takes on the development machine (2 cores, Python 3.11) with a core free."""

MAX_SLOWNESS = 4.0
"""The most a budget is stretched: past that a machine is too busy for the result to mean
anything about timing, and a real delay must still fail."""


def _spin() -> float:
    """A fixed piece of pure-Python work; its duration measures the CPU this process gets."""
    t0 = time.perf_counter()
    total = 0
    for i in range(700_000):
        total += i
    return time.perf_counter() - t0


def slowness(samples: int = 5) -> float:
    """How much slower than a quiet machine this one runs Python right now: 1.0 when quiet,
    2.0 when each step takes twice as long (another process sharing the core), capped at
    ``MAX_SLOWNESS``. Takes about ``samples`` × 45 ms; the median shrugs off one hiccup."""
    measured = statistics.median(_spin() for _ in range(samples))
    return min(MAX_SLOWNESS, max(1.0, measured / QUIET_SPIN_SECONDS))


def stretched(seconds: float, factor: float) -> float:
    """A budget of ``seconds`` on a quiet machine, on one running ``factor`` times slower
    (``slowness()``, or a measured start-up over its quiet time), capped at ``MAX_SLOWNESS``."""
    return seconds * min(MAX_SLOWNESS, max(1.0, factor))


WAKE_EVERY = 0.02
"""Seconds the meter's thread sleeps between looks at the clock."""
MAX_WAKE_LATENESS = 1.0
"""The most a budget grows for late wake-ups: a machine where a sleeping thread wakes more than a
second late is too busy to judge, and an event seconds late must still fail."""


class WakeMeter:
    """How late a sleeping thread wakes up on this machine, measured while a test runs.

    A timer event's lateness is mostly that: the ticker thread waking after its wait, then a few
    milliseconds of work. This thread sleeps ``WAKE_EVERY`` s at a time (about 50 wake-ups a
    second, no measurable CPU) and keeps the worst oversleep; ``budget`` adds it to a quiet
    machine's window, stretched by the CPU ``slowness`` measured when the meter stopped.
    """

    def __init__(self) -> None:
        self.worst = 0.0
        self._slowness: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wake-meter", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            t0 = time.perf_counter()
            if self._stop.wait(WAKE_EVERY):
                return
            self.worst = max(self.worst, time.perf_counter() - t0 - WAKE_EVERY)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(1.0)

    def budget(self, seconds: float, stretch: float = 1.0) -> float:
        """``seconds`` on a quiet machine; on this one, as busy as it was meanwhile (the CPU's
        slowness is measured once per test, at the first budget asked for), or as stretched as
        ``stretch`` says the processes that did the work were (``CpuWait.stretch``)."""
        if self._slowness is None:
            self._slowness = slowness(3)
        factor = max(stretched(1.0, self._slowness), min(MAX_CPU_STRETCH, stretch))
        return seconds * factor + min(MAX_WAKE_LATENESS, self.worst)


_current: list[WakeMeter] = []
"""The meter of the running test (``tests/conftest.py`` starts one for every test)."""


def budget(seconds: float, stretch: float = 1.0) -> float:
    """A quiet machine's ``seconds``, stretched by how busy this one has been during the running
    test: what every timing assertion compares with instead of a fixed window. ``stretch``:
    how much slower the processes that did the work ran (``CpuWait.stretch``), when another
    process (the product's, the sound server) did it."""
    if _current:
        return _current[-1].budget(seconds, stretch)
    return seconds * max(stretched(1.0, slowness(3)), min(MAX_CPU_STRETCH, stretch))


def _schedstat(pid: int) -> dict[int, tuple[int, int]]:
    """Each thread of ``pid``: (ns it ran on a CPU, ns it waited runnable for one), from Linux's
    ``/proc/<pid>/task/<tid>/schedstat``; empty where there is none (another system)."""
    threads: dict[int, tuple[int, int]] = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return threads
    for tid in tids:
        try:
            ran, waited, _ = Path(f"/proc/{pid}/task/{tid}/schedstat").read_text().split()
        except (OSError, ValueError):
            continue
        threads[int(tid)] = (int(ran), int(waited))
    return threads


CPU_WAIT_EVERY = 0.05
"""Seconds between looks at the threads' counters (a thread that lives shorter, a PortAudio
stream's, is still counted from its start if seen once)."""


MAX_CPU_STRETCH = 8.0
"""The most a budget grows for the waits ``CpuWait`` measured: twice ``MAX_SLOWNESS``, because
this is the processes' own count of the time they could not run, not a sample of the test's
speed. A defect that makes an answer late by blocking (a lock, a sleep, a lost event) leaves
its threads asleep, not waiting for a CPU, so it does not grow the budget; on a quiet machine
the budget is its quiet value. Measured at a load average of 11-17 on this 2-core machine
(other work, no burner): the product's first answer 9.5 s after the request, its threads
stretched past 4."""

_METERS = ("wake-meter", "cpu-wait")
"""The tests' own measuring threads: not part of the work whose waits are counted."""


def _runnable(pid: int, tid: int) -> bool:
    """Whether the thread is running or waiting for a CPU (state ``R`` in Linux's ``stat``)."""
    try:
        stat = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] == "R"
    except (OSError, IndexError):
        return False


class Queued:
    """The wait for a CPU still going on, per thread, which ``schedstat`` does not show yet.

    Linux adds a wait to a thread's ``schedstat`` only when the thread gets the CPU at its end,
    so a thread starved for a long stretch shows none of that stretch until it ends: at nice 15
    beside a busy loop on its core and a load average of 7-10, a child's count stood still for
    up to 0.6 s at a time while it was runnable all along (state ``R``), and a hang guard that
    grew with the waits counted stopped such a child that had not hung (``test_hangguard``'s
    starved child, red at load 10-14, 2026-12-07); a budget taken from the waits
    (``CpuWait.allowing``) was short by the same. Counted here: the time since the thread's
    counters last moved, while it is runnable. A thread that runs moves them at every look
    (its run time grows at each scheduler tick), a sleeping one is not runnable, so neither
    gains; when the wait ends, its counters move and hold it, and this part is back to 0.
    Shared by ``CpuWait`` (so every budget and guard taken from its waits) and so by
    ``hangguard``."""

    def __init__(self) -> None:
        self._since: dict[tuple[int, int], tuple[tuple[int, int], float]] = {}
        self._queued: dict[tuple[int, int], float] = {}

    def look(self, key: tuple[int, int], counters: tuple[int, int]) -> None:
        """One look at thread ``key`` = (pid, tid), whose ``schedstat`` says ``counters``."""
        at = time.monotonic()
        seen = self._since.get(key)
        if seen is None or seen[0] != counters:
            self._since[key] = (counters, at)
            self._queued[key] = 0.0
        elif _runnable(*key):
            self._queued[key] = at - seen[1]
        else:
            self._queued[key] = 0.0

    def now(self, key: tuple[int, int]) -> float:
        """Seconds of the wait going on at the last look at ``key`` (0.0: none)."""
        return self._queued.get(key, 0.0)


class CpuWait:
    """How long the threads of other processes (the product's, the sound server's) waited for
    a CPU while they had work, during a ``with`` block.

    The test process's own ``slowness`` says nothing about them: with a busy loop on one core,
    the test had the other core to itself while PulseAudio and the player shared the busy one
    (issue 22: a reply heard stretched, 2.1 s for 1.70 s, at slowness 1.0). Linux counts, per
    thread, the time it ran and the time it waited runnable; their ratio over the block is how
    much slower than on a quiet machine those processes' work went (``stretch``), and the wait
    itself bounds how late the audio path can have been (``waited``).
    """

    def __init__(self, *pids: int) -> None:
        self._pids = pids
        self._first: dict[tuple[int, int], tuple[int, int]] = {}
        self._last: dict[tuple[int, int], tuple[int, int]] = {}
        self._queued = Queued()
        self._sample(first=True)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-wait", daemon=True)

    def __enter__(self) -> CpuWait:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(1.0)
        self._sample()

    def _run(self) -> None:
        while not self._stop.wait(CPU_WAIT_EVERY):
            self._sample()

    def _sample(self, first: bool = False) -> None:
        meters = {t.native_id for t in threading.enumerate() if t.name in _METERS}
        for pid in self._pids:
            for tid, counters in _schedstat(pid).items():
                key = (pid, tid)
                if pid == os.getpid() and tid in meters:
                    continue
                # A thread born during the block counts from zero, its whole life.
                self._first.setdefault(key, counters if first else (0, 0))
                self._last[key] = counters
                self._queued.look(key, counters)

    def _total(self, index: int) -> float:
        return sum(self._last[k][index] - self._first[k][index] for k in self._last) / 1e9

    def thread_waits(self) -> dict[tuple[int, int], float]:
        """(pid, tid) -> seconds that thread waited, runnable, for a CPU during the block: the
        waits its counters hold, plus the one still going on at the last look (``Queued``)."""
        last = dict(self._last)
        return {k: (v[1] - self._first[k][1]) / 1e9 + self._queued.now(k) for k, v in last.items()}

    @property
    def ran(self) -> float:
        """CPU seconds the processes' threads ran during the block."""
        return self._total(0)

    @property
    def waited(self) -> float:
        """Seconds their threads waited, runnable, for a CPU (summed over threads), the waits
        still going on at the last look included."""
        return sum(self.thread_waits().values())

    @property
    def waited_most(self) -> float:
        """Seconds the one thread that waited longest waited, runnable, for a CPU: never more
        than the block's wall time, however many threads shared the cores."""
        return max(self.thread_waits().values(), default=0.0)

    def stretch(self) -> float:
        """How many times longer their work took than it would with a CPU free whenever they
        wanted one: 1.0 quiet, capped at ``MAX_CPU_STRETCH``."""
        if self.ran < 0.01:  # too little work to say
            return 1.0
        return min(MAX_CPU_STRETCH, (self.ran + self.waited) / self.ran)

    def allowing(self, seconds: float) -> float:
        """A quiet machine's ``seconds`` (``budget``) plus every second the thread that waited
        most waited, runnable, for a CPU during the block: for work done inside the block, by
        processes starved past ``MAX_CPU_STRETCH`` (at a load average of 30 a decision's
        compute took 23 s where 0.6 s is quiet, its stretch past that cap, 2026-12-07). A
        defect that sleeps or blocks adds no wait, so it still fails; on a quiet machine this
        is ``seconds``."""
        return budget(seconds) + self.waited_most

    def lateness(self, seconds: float) -> float:
        """How late these processes may say something due: a quiet machine's ``seconds``,
        stretched by their CPU waits (``budget``), plus the waits themselves, at most
        ``MAX_WAKE_LATENESS`` (a timer thread kept from a CPU says its event that much later)."""
        return budget(seconds, self.stretch()) + min(MAX_WAKE_LATENESS, self.waited)


def in_time(
    start: Callable[[float], tuple[Any, Any]],
    minute: float,
    window: float,
    script: Callable[[Any, Any, float], Any],
) -> tuple[Any, Any, float, Any]:
    """``script(send, heard, minute)`` said to a session within ``window`` of its minutes, as a
    test means to (before a turn's end, before a pause's first repeat). ``start(minute)`` gives
    a new session's ``(send, heard)`` whose minute lasts ``minute`` real seconds. The time the
    script took is measured; when a busy machine made it longer than the window (a timer event
    came in between), it is said again to a new session whose minute is sized from that time,
    at most three tries; the judgement stays the test's. Returns (send, heard, minute, what
    ``script`` returned)."""
    for attempt in range(3):
        send, heard = start(minute)
        asked = time.monotonic()
        result = script(send, heard, minute)
        took = time.monotonic() - asked
        if took < window * minute or attempt == 2:
            return send, heard, minute, result
        minute = max(2 * minute, 2 * took / window)
    raise AssertionError("unreachable")
