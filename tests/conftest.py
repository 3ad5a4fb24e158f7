"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
import timing
from intentcopy import make_small_copy

SHARED_CACHE = "VR_TEST_SHARED_CACHE"
"""The cache folder every test process of one run shares (``audio/live.py``'s
``shared_cache``): set by the process that starts the others, removed by it at the end."""
_OWN_CACHE = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput") or SHARED_CACHE in os.environ:
        return  # a worker inherits the folder from the process that started it
    folder = tempfile.mkdtemp(prefix="vr-test-cache-")
    os.environ[SHARED_CACHE] = folder
    config.stash[_OWN_CACHE] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_OWN_CACHE, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(SHARED_CACHE, None)


LONGEST_FIRST = (
    "service/test_service_live.py", "audio/test_whisper_live.py", "audio/test_wyoming_live.py",
    "audio/test_resilience.py", "audio/test_privacy.py", "audio/test_barge_in.py",
    "audio/test_hung_stream.py", "audio/test_end_to_end.py", "audio/test_route.py",
)  # fmt: skip
"""The real-audio and service files whose tests take longest (30-90 s each on a quiet machine,
the service tests together longer), longest first."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The longest tests of ``LONGEST_FIRST`` first, each file's tests still in file order:
    ``make test`` hands the audio tests to its workers in this order, and with the long ones at
    the end one worker would run the last of them while the other sat idle."""
    here = Path(__file__).parent

    def rank(item: pytest.Item) -> int:
        name = item.path.relative_to(here).as_posix() if here in item.path.parents else ""
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the rest keep their order


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
