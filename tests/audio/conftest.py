"""Fixtures for the real-audio suite: a private PulseAudio server with ``room`` and ``speaker``.

Every test in this folder is marked ``audio``. The suite is skipped only when PulseAudio itself
is not installed (``make test`` installs it, so CI always runs it).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from pulse import PulseServer, missing_tools

from voice_repair.audio.devices import refresh_devices


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.audio)


@pytest.fixture(scope="session")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    """The running private server; its env is set in this process for the whole session."""
    missing = missing_tools()
    if missing:
        pytest.skip(
            f"PulseAudio is not installed (missing {', '.join(missing)}); `make test` installs it"
        )
    server = PulseServer(tmp_path_factory.mktemp("pulse"))
    server.start()
    saved = {k: os.environ.get(k) for k in server.env}
    os.environ.update(server.env)
    refresh_devices()
    try:
        yield server
    finally:
        server.loopback(False)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        server.stop()
        refresh_devices()


@pytest.fixture(autouse=True)
def _sound_server_as_set_up(request: pytest.FixtureRequest) -> None:
    """Each test that uses the server starts with it as set up: one whose test failed half-way
    through a kill, a freeze or a replug is replaced, and the replacement said, so one failure
    stays one (a starved restart in test_resilience once left its worker's server without
    default devices, and the 21 tests after it on that worker failed for that alone)."""
    if "pulse" not in request.fixturenames:
        return
    server: PulseServer = request.getfixturevalue("pulse")
    fault = server.fault()
    if fault is not None:
        print(f"the private sound server was {fault} after the test before; started afresh")
        server.restore()
        refresh_devices()


@pytest.fixture
def play_into_room(pulse: PulseServer) -> Callable[..., object]:
    """``play_into_room(wav_path, wait=True)``: what the app's microphone will hear."""
    return pulse.play_into_room


@pytest.fixture
def record_speaker(pulse: PulseServer) -> Callable[[float], np.ndarray]:
    """``record_speaker(seconds) -> int16 samples at 16 kHz`` from ``speaker.monitor``."""
    return pulse.record_speaker


@pytest.fixture
def loopback(pulse: PulseServer) -> Iterator[Callable[[bool], None]]:
    """``loopback(True)`` routes the speaker back into the room; always undone after the test."""
    yield pulse.loopback
    pulse.loopback(False)
