"""The retry rhythm of a lost microphone (quick at first, then at most every ten seconds), and
the C libraries' complaints kept out of the journal during a retry."""

from __future__ import annotations

import os
import threading
import time

import pytest
from timing import budget

from voice_repair.errors import AudioDeviceError
from voice_repair.service.resilience import Backoff, keep_listening, native_stderr_to_debug


def test_waits_double_from_half_a_second_up_to_ten() -> None:
    backoff = Backoff()
    assert [backoff.next() for _ in range(8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0]


def test_a_success_starts_the_rhythm_again() -> None:
    backoff = Backoff()
    for _ in range(5):
        backoff.next()
    backoff.reset()
    assert backoff.next() == 0.5


def test_nonsense_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        Backoff(first=20.0, limit=10.0)


def test_native_stderr_is_drained_while_the_block_runs(capfd: pytest.CaptureFixture[str]) -> None:
    """A C library thread printing more than a pipe holds (64 KiB) while the block waits for
    it must not deadlock: PortAudio does exactly that when the sound server dies mid-open."""
    noise = b"Expression 'ret' failed in 'src/hostapi/alsa/pa_linux_alsa.c', line: 1\n"
    other = b"a line from another thread\n"

    def chatty() -> None:
        for _ in range(2000):  # about 150 KiB
            os.write(2, noise)
        os.write(2, other)

    with native_stderr_to_debug():
        worker = threading.Thread(target=chatty)
        worker.start()
        worker.join(timeout=10)
        assert not worker.is_alive(), "the writer blocked on a full pipe"
    err = capfd.readouterr().err
    assert err.count("Expression '") == 0  # the noise went to the debug log
    assert other.decode() in err  # anything else is passed through


class _Mic:
    def close(self) -> None:
        pass


def test_a_reopening_that_keeps_hanging_hands_over_to_a_fresh_process() -> None:
    """PortAudio can hang for good when the sound server dies while a stream opens. One hung
    attempt is left behind and the next one made (tests/service/test_abandon.py); when three
    hang at once, ``keep_listening`` calls ``on_stuck`` (in the service: exit non-zero,
    Restart= follows)."""
    stop = threading.Event()
    stuck: list[float] = []
    release = threading.Event()
    attempts = 0

    def open_mic() -> _Mic:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise AudioDeviceError("gone")
        release.wait(10)  # the hung call; only the stuck handler lets the test go on
        stop.set()
        raise AudioDeviceError("still gone")

    def on_stuck() -> None:
        stuck.append(time.monotonic())
        release.set()

    started = time.monotonic()
    keep_listening(
        open_mic, lambda mic: None, stop, Backoff(first=0.01), stuck_after=0.3, on_stuck=on_stuck
    )
    assert len(stuck) == 1
    assert 0.3 <= stuck[0] - started < 0.3 + budget(1.0)  # not the ten seconds it hangs


def test_a_quick_reopening_is_left_alone() -> None:
    stop = threading.Event()
    stuck: list[bool] = []

    def listen(mic: _Mic) -> None:
        stop.set()

    keep_listening(_Mic, listen, stop, stuck_after=0.2, on_stuck=lambda: stuck.append(True))
    time.sleep(0.4)  # longer than stuck_after: a watchdog left armed would fire now
    assert stuck == []


def test_two_threads_redirecting_at_once_leave_standard_error_as_it_was(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """The microphone's reopening and the speaker's stream both redirect fd 2, from their own
    threads, and their blocks overlap (a reply spoken while the sound server restarts). Entered
    A, B and left A, B: fd 2 must end as it began, not pointed at a pipe nobody reads."""
    noise = b"Expression 'ret' failed in 'src/hostapi/alsa/pa_linux_alsa.c', line: 1\n"
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with native_stderr_to_debug():
            a_in.set()
            b_in.wait(5)
            os.write(2, noise)
        a_out.set()

    def second() -> None:
        a_in.wait(5)
        with native_stderr_to_debug():
            b_in.set()
            a_out.wait(5)
            os.write(2, noise)
            os.write(2, b"said while both were in\n")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    os.write(2, b"said after both left\n")
    err = capfd.readouterr().err
    assert "Expression '" not in err
    assert "said while both were in" in err  # passed through
    assert "said after both left" in err  # fd 2 is the real standard error again
