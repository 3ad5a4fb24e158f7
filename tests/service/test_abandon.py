"""A sound-library call that never returns is left behind, and listening goes on without it.

The real hang (a frozen sound server under PortAudio's close) is in
tests/audio/test_hung_stream.py; these check the rules around it quickly, with stand-ins.
"""

from __future__ import annotations

import logging
import threading
import time

import pytest
from timing import budget

from voice_repair.errors import AudioDeviceError
from voice_repair.service.abandon import CallAbandoned, HungCalls
from voice_repair.service.resilience import Backoff, keep_listening


def test_a_quick_call_gives_its_value_or_its_error() -> None:
    calls = HungCalls()
    assert calls.run(lambda: 42, 1.0, "adding") == 42
    with pytest.raises(ZeroDivisionError):
        calls.run(lambda: 1 / 0, 1.0, "dividing")
    assert calls.pending == 0 and calls.abandoned == 0


def test_a_hung_call_is_left_behind_and_cleaned_up_when_it_returns() -> None:
    calls = HungCalls()
    release = threading.Event()
    late: list[str] = []
    started = time.monotonic()
    with pytest.raises(CallAbandoned):
        calls.run(lambda: release.wait(10) and "stream", 0.2, "opening", on_late=late.append)
    assert time.monotonic() - started < 0.2 + budget(1.0)  # not the ten seconds it hangs
    assert calls.pending == 1
    release.set()
    deadline = time.monotonic() + budget(5)  # a thread's return: stretched on a busy machine
    while calls.pending and time.monotonic() < deadline:
        time.sleep(0.01)
    assert calls.pending == 0
    assert late == ["stream"]  # what opened too late is handed over to be closed


def test_too_many_hung_calls_at_once_give_up_on_the_process() -> None:
    stuck: list[int] = []
    calls = HungCalls(limit=2, on_stuck=lambda: stuck.append(1))
    release = threading.Event()
    for _ in range(2):
        with pytest.raises(CallAbandoned):
            calls.run(lambda: release.wait(10), 0.05, "closing")
    release.set()
    assert stuck == [1]


class _Mic:
    """A microphone whose first close hangs, as PortAudio's does on a frozen sound server."""

    opened = 0

    def __init__(self, release: threading.Event) -> None:
        _Mic.opened += 1
        self.number = _Mic.opened
        self.release = release

    def close(self) -> None:
        if self.number == 1:
            self.release.wait(30)


def test_listening_goes_on_with_a_new_microphone_while_the_old_close_hangs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="voice_repair")
    _Mic.opened = 0
    release = threading.Event()
    stop = threading.Event()
    heard_on: list[int] = []
    stuck: list[bool] = []
    rescans: list[int] = []

    def listen(mic: _Mic) -> None:
        heard_on.append(mic.number)
        if mic.number == 1:
            raise AudioDeviceError("no audio for 2 s")
        stop.set()

    started = time.monotonic()
    keep_listening(
        lambda: _Mic(release),
        listen,
        stop,
        Backoff(first=0.01),
        on_retry=lambda: rescans.append(1),
        on_stuck=lambda: stuck.append(True),
        close_after=0.3,
    )
    took = time.monotonic() - started
    release.set()
    assert heard_on == [1, 2]  # a second stream, in the same process
    assert stuck == []  # one hung close is no reason to restart
    assert rescans == []  # no re-initialising PortAudio under a hung stream
    assert took < 0.3 + budget(2.0)
    left = [r for r in caplog.records if "did not return" in r.getMessage()]
    assert len(left) == 1 and "closing the microphone" in left[0].getMessage()


def test_a_stop_does_not_wait_for_a_hung_reopening() -> None:
    """SIGTERM while opening hangs on a frozen sound server: the stop ends listening at once,
    not when the ten-second deadline for opening runs out."""
    stop = threading.Event()
    release = threading.Event()
    attempts = 0

    def open_mic() -> object:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise AudioDeviceError("gone")
        threading.Timer(0.2, stop.set).start()  # the stop arrives while this call hangs
        release.wait(30)
        raise AudioDeviceError("still gone")

    started = time.monotonic()
    keep_listening(open_mic, lambda mic: None, stop, Backoff(first=0.01), stuck_after=10.0)
    took = time.monotonic() - started
    release.set()
    assert took < 0.2 + budget(0.8)  # not the ten-second deadline for opening
