"""Fixtures shared by every test folder."""

from __future__ import annotations

import pytest
import timing


@pytest.fixture(autouse=True)
def machine():
    """A ``timing.WakeMeter`` running for the whole test, for ``timing.budget``:
    ``machine.budget(0.25)`` is a quiet machine's 0.25 s, stretched by how busy this one was
    while the test ran. Every test has one (a thread waking 50 times a second, no CPU to speak
    of), so any assertion can take its budget from it."""
    meter = timing.WakeMeter()
    timing._current.append(meter)
    yield meter
    timing._current.remove(meter)
    meter.stop()
