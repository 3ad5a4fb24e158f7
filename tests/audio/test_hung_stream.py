"""A sound server that stops answering under an open microphone: PortAudio's close hangs.

Issue 22: with the microphone pulled and put back and then the sound server killed, closing
the capture stream hung (3 of 3 there); the watchdog exited 75, so only systemd brought the
assistant back, and ``make run`` just ended. On this machine that sequence never hung (six
timings tried, the server killed 0-4 s after the microphone came back): the close returned
at once. What does hang it every time is a server that is alive but silent, here the private
server stopped with SIGSTOP: PortAudio's ALSA back end asks the server to drop the stream's
buffer and waits for an answer that never comes. That is the hang these tests use.

The first test shows what the fix relies on, in PortAudio itself: a new stream opens and
records while the old one's close still hangs. The second drives ``voice-repair run``: the
hung close is left behind (one warning), and the same process records and answers again once
the server is back; before the fix it exited 75 while the server was still frozen.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

import pytest
from live import OTHER_REQUESTS, LiveRun, spoken_request
from pulse import PulseServer
from timing import MAX_CPU_STRETCH, CpuWait, budget

from voice_repair.audio.capture import Microphone
from voice_repair.service.abandon import CallAbandoned, HungCalls

pytestmark = pytest.mark.slow

LEFT_BEHIND = "closing the microphone did not return"
"""The one warning ``voice-repair run`` logs when it leaves a hung close behind."""


RECORDS_WITHIN_S = 1.0
"""A new microphone's first five 0.1 s blocks, at most, on a quiet machine (stretched by the CPU
waits of this process and the sound server, ``timing.CpuWait``)."""
LONGEST_BLOCK_WAIT_S = RECORDS_WITHIN_S * MAX_CPU_STRETCH
"""How long one block is waited for: past any budget, so a slow stream is measured, not lost."""


def _records(mic: Microphone, blocks: int) -> float:
    """Seconds until ``mic`` has delivered ``blocks`` blocks."""
    began = time.monotonic()
    for n, _ in enumerate(mic.chunks(timeout=LONGEST_BLOCK_WAIT_S), 1):
        if n >= blocks:
            break
    return time.monotonic() - began


def test_a_new_stream_records_while_the_old_close_still_hangs(pulse: PulseServer) -> None:
    calls = HungCalls()
    old = Microphone(None).__enter__()
    first_block = _records(old, 1)  # it records (or raises); a new stream's start, here and now
    pulse.freeze()
    try:
        with pytest.raises(CallAbandoned):
            calls.run(old.close, 2.0, "closing the microphone")
        assert calls.pending == 1  # it really hangs: still not returned after 2 s
        # A second server, the old one still frozen under the hung close.
        other = PulseServer(Path(tempfile.mkdtemp(prefix="pulse-b-")))
        starting = time.monotonic()
        other.start()
        server_start = time.monotonic() - starting
        saved = {key: os.environ[key] for key in other.env}
        os.environ.update(other.env)
        try:
            assert other._proc is not None  # the second server's process, only read
            with CpuWait(os.getpid(), other._proc.pid) as cpu:
                new = calls.run(lambda: Microphone(None).__enter__(), 10.0, "opening")
                try:
                    took = _records(new, 5)  # 0.1 s blocks: it records
                    assert calls.pending == 1  # while the old close still hangs
                finally:
                    calls.run(new.close, 5.0, "closing the new one")
            # A stream's first blocks wait for its start on a server that has just started:
            # both measured here (under a busy loop the five blocks took 2.3 s with the two
            # processes' CPU stretch at 1.3: the wait was the sound server's, not a CPU's).
            within = budget(RECORDS_WITHIN_S, cpu.stretch()) + first_block + server_start
            assert took <= within, (took, within, cpu.stretch(), first_block, server_start)
        finally:
            os.environ.update(saved)
            other.stop()
    finally:
        pulse.kill()
        pulse.start()
    deadline = time.monotonic() + budget(5)  # a close's return on a busy machine
    while calls.pending and time.monotonic() < deadline:
        time.sleep(0.05)
    assert calls.pending == 0  # the old server gone, the hung close returned


STOPPED_WITHIN_S = 2.0
"""SIGTERM -> the process ended, at most, on a quiet machine, while a close hangs: the product
promises 1.5 s (``STOP_CLOSE_SECONDS`` for the close, then the exit); stretched by how long
the product's threads waited for a CPU meanwhile (``timing.CpuWait``)."""


def test_run_leaves_a_hung_close_behind_and_listens_again(
    pulse: PulseServer, tmp_path: Path
) -> None:
    other = spoken_request(OTHER_REQUESTS, tmp_path / "requests")
    run = LiveRun(pulse, tmp_path)
    try:
        pulse.freeze()  # alive, silent: no audio comes, and closing the stream waits for ever
        run.wait_for("microphone lost", timeout=20)
        run.wait_for(LEFT_BEHIND, timeout=20)  # before the fix: exit 75 at 10 s
        pulse.kill()
        time.sleep(0.5)
        pulse.start()
        run.wait_for("microphone is back", timeout=40)
        run.wait_listening()
        run.request(other.wav, other.intent)  # the same process hears and answers again
        assert run.proc.poll() is None
        assert run.count("microphone lost") == 1
        assert run.count(LEFT_BEHIND) == 1
        assert "Traceback" not in run.log()
    finally:
        with CpuWait(run.proc.pid) as cpu:
            stopping = time.monotonic()
            code = run.stop()
            took = time.monotonic() - stopping
    assert code == 0, run.log()
    assert took < budget(STOPPED_WITHIN_S, cpu.stretch()), f"stopping took {took:.1f} s"


def test_stopping_while_a_close_hangs_ends_the_process(pulse: PulseServer, tmp_path: Path) -> None:
    """SIGTERM while the server is frozen: the close at the stop is left behind too, and the
    exit does not wait for PortAudio's clean-up (sounddevice's exit handler would)."""
    run = LiveRun(pulse, tmp_path)
    try:
        pulse.freeze()
        run.wait_for("microphone lost", timeout=20)
        run.wait_for(LEFT_BEHIND, timeout=20)
        with CpuWait(run.proc.pid) as cpu:
            stopping = time.monotonic()
            done = threading.Event()
            code: list[int] = []
            threading.Thread(target=lambda: (code.append(run.stop()), done.set())).start()
            assert done.wait(15), "voice-repair did not end while the sound server was frozen"
            took = time.monotonic() - stopping
    finally:
        pulse.kill()
        pulse.start()
        run.stop()
    assert code == [0], run.log()
    within = budget(STOPPED_WITHIN_S, cpu.stretch())
    assert took < within, f"stopping took {took:.1f} s\n{run.log()}"
