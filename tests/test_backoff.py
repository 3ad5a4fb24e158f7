"""The retry rhythm of a lost microphone (quick at first, then at most every ten seconds), and
the C libraries' complaints kept out of the journal during a retry."""

from __future__ import annotations

import os
import threading

import pytest

from voice_repair.resilience import Backoff, native_stderr_to_debug


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
