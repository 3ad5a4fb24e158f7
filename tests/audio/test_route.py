"""A pulled microphone must not leave the assistant listening to the speaker.

PulseAudio 16 does not end a recording stream whose source disappears: it moves it to the
default source, which on a speaker with one microphone is a monitor (what the speaker plays).
These tests first show that this really happens to the app's stream (sounddevice -> PortAudio ->
ALSA pulse plugin), with the test server as it is (the microphone named by ``PULSE_SOURCE``)
and as in a home (a real, non-monitor microphone chosen as PulseAudio's default source, no
``PULSE_SOURCE``), then that ``voice-repair run`` does not act on what the monitor carries and
records the microphone again when it is back.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from live import LiveRun, Spoken, spoken_request
from pulse import PulseServer

from voice_repair.audio.capture import Microphone
from voice_repair.audio.route import CaptureRoute, RouteGuard, capture_routes
from voice_repair.errors import AudioDeviceError


def _module(pulse: PulseServer, arg: str) -> str:
    for line in pulse.pactl("list", "short", "modules").stdout.splitlines():
        if arg in line:
            return line.split()[0]
    raise AssertionError(f"no module with {arg} loaded")


def _wait_route(pred: Callable[[list[CaptureRoute]], bool], timeout: float = 5.0) -> list:
    """This process's capture routes once ``pred`` holds for them (or the last seen)."""
    deadline = time.monotonic() + timeout
    routes = capture_routes() or []
    while not pred(routes) and time.monotonic() < deadline:
        time.sleep(0.1)
        routes = capture_routes() or []
    return routes


def _room_back(pulse: PulseServer) -> None:
    pulse.pactl("load-module", "module-null-sink", "sink_name=room", "rate=16000", "channels=1")


@pytest.mark.parametrize("named", [True, False], ids=["PULSE_SOURCE", "default-source"])
def test_an_unplugged_microphone_moves_the_stream_to_the_speaker_monitor(
    pulse: PulseServer, monkeypatch: pytest.MonkeyPatch, named: bool
) -> None:
    """The test server's microphone is ``room.monitor``, named by ``PULSE_SOURCE`` or only as
    the default source (as the service rig has it). Pulling it moves the open stream to
    ``speaker.monitor``, where blocks keep coming (after a pause of up to about two seconds on
    the first move only: not a stall to rely on), and the guard says so. With the microphone
    back, the stream is on it again."""
    if not named:
        monkeypatch.delenv("PULSE_SOURCE")
    guard = RouteGuard()
    assert guard.wanted == ("room.monitor" if named else None)
    with Microphone(None) as mic:
        assert _wait_route(bool) == [CaptureRoute("room.monitor", "room")]
        guard.check()  # on the microphone: nothing to say
        chunks = mic.chunks(timeout=5.0)
        next(chunks)
        pulse.pactl("unload-module", _module(pulse, "sink_name=room"))
        try:
            routes = _wait_route(lambda r: r != [CaptureRoute("room.monitor", "room")])
            assert routes == [CaptureRoute("speaker.monitor", "speaker")]  # moved, not killed
            started = time.monotonic()
            while time.monotonic() - started < 3.0:  # it keeps delivering: alive, not ended
                next(chunks)
            with pytest.raises(AudioDeviceError, match=r"speaker\.monitor"):
                guard.check()
        finally:
            _room_back(pulse)
        assert _wait_route(lambda r: r == [CaptureRoute("room.monitor", "room")])
        guard.check()


@pytest.fixture
def home_microphone(pulse: PulseServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A real (non-monitor) source ``mic``, fed by the room, set as PulseAudio's default
    source, with no ``PULSE_SOURCE``: how a Raspberry Pi with a USB microphone is set up."""
    before = pulse.pactl("get-default-source").stdout.strip()
    pulse.pactl("load-module", "module-remap-source", "source_name=mic", "master=room.monitor")
    pulse.pactl("set-default-source", "mic")
    monkeypatch.delenv("PULSE_SOURCE")
    try:
        yield "mic"
    finally:
        for line in pulse.pactl("list", "short", "modules").stdout.splitlines():
            if "source_name=mic" in line:
                pulse.pactl("unload-module", line.split()[0])
        pulse.pactl("set-default-source", before)


def test_a_home_microphone_pulled_out_leaves_only_monitors(
    pulse: PulseServer, home_microphone: str
) -> None:
    """As at home: the stream follows the default source onto a monitor when the microphone
    goes; a stream opened while it is gone opens on a monitor too. Both are refused."""
    guard = RouteGuard()
    assert guard.wanted is None
    with Microphone(None):
        assert _wait_route(bool) == [CaptureRoute("mic")]
        guard.check()
        pulse.pactl("unload-module", _module(pulse, "source_name=mic"))
        routes = _wait_route(lambda r: bool(r) and r[0].source != "mic")
        assert len(routes) == 1 and routes[0].monitor, routes
        with pytest.raises(AudioDeviceError, match="monitor"):
            guard.check()
    with Microphone(None):  # a retry while the microphone is still out
        assert _wait_route(bool)[0].monitor
        with pytest.raises(AudioDeviceError, match="monitor"):
            guard.check()
    pulse.pactl("load-module", "module-remap-source", "source_name=mic", "master=room.monitor")
    with Microphone(None):  # back: a new stream opens on it (PulseAudio restores the default)
        assert _wait_route(bool) == [CaptureRoute("mic")]
        guard.check()


SHORT_REPLIES = ("how much time is left", "end the pause", "what can you do")
"""Requests whose reply (no pause is running) is one or two sentences."""


@pytest.fixture(scope="module")
def request_wav(tmp_path_factory: pytest.TempPathFactory) -> Spoken:
    return spoken_request(SHORT_REPLIES, tmp_path_factory.mktemp("route"))


@pytest.mark.slow
def test_run_ignores_the_speaker_while_the_microphone_is_out(
    pulse: PulseServer, home_microphone: str, request_wav: Spoken, tmp_path: Path
) -> None:
    """At home, with the microphone out, the stream follows the default source onto a monitor:
    whatever that sink plays (a radio, a phone call, the assistant's own "or say stop")
    would reach the recognizer. It must not be acted on; the outage is logged once, and with
    the microphone back, requests are heard from it again without a restart."""
    run = LiveRun(pulse, tmp_path, env={"PULSE_SOURCE": None})
    intent = f"intent {request_wav.intent}"
    try:
        pulse.pactl("unload-module", _module(pulse, "source_name=mic"))
        monitor = pulse.pactl("get-default-source").stdout.strip()
        assert monitor.endswith(".monitor"), monitor  # only monitors are left: one is default
        time.sleep(1.0)  # the stream is moved within half a second (tests above)
        for _ in range(2):  # twice: a recognizer may miss one playing
            played = subprocess.run(
                ["paplay", f"--device={monitor.removesuffix('.monitor')}", str(request_wav.wav)],
                env=pulse.child_env(), timeout=60, check=False,
            )  # fmt: skip
            assert played.returncode == 0
            time.sleep(2.0)
        assert run.count(intent) == 0, run.log()
        # Logged once: first noticed either as a stall (the move can pause the blocks for
        # about two seconds) or as the monitor; reopenings on the monitor are refused quietly.
        assert run.count("microphone lost") == 1, run.log()
        assert run.count("microphone is back") == 0, run.log()

        pulse.pactl("load-module", "module-remap-source", "source_name=mic", "master=room.monitor")
        run.wait_for("microphone is back", timeout=20)
        run.request(request_wav.wav, request_wav.intent)  # heard from the microphone again
        assert run.count("microphone lost") == 1
        assert run.proc.poll() is None
    finally:
        assert run.stop() == 0, run.log()
