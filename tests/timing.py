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

import statistics
import time

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
