"""Fixtures shared by every test folder."""

from __future__ import annotations

from pathlib import Path

import pytest
import timing
from intentcopy import make_small_copy


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


@pytest.fixture(scope="session")
def small_intents(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small, valid copy of ``intents/en`` (``intentcopy.py``), made once per session; a test
    that breaks data copies it first (``shutil.copytree(small_intents, ...)``). Checked here to
    have no problem, so every problem a test finds in its copy is the piece it broke."""
    from voice_repair.intents.matcher import check_intents

    root = make_small_copy(tmp_path_factory.mktemp("small-intents") / "en")
    assert check_intents(root) == []
    return root
