"""The speaker plays from a process of its own, and closing it never hangs.

PortAudio's close waits for ever on a sound server that stopped answering (issue 22). The
player process is asked to quit and killed once ``close``'s wait is over. The sound server is
real (frozen with SIGSTOP, as a hung one is); nothing is mocked.

A test of a line played whole while other threads of the assistant hold the GIL was written
and dropped: the in-process player passed it too (2 of 2, load 17), so it told nothing apart,
and at load 23-28 the player process itself was starved of CPU (gaps of 43-535 ms), so it
failed on a busy machine. README "A player process of its own" has the numbers.
"""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest
from pulse import PulseServer
from timing import budget

from voice_repair.audio.playback import Player
from voice_repair.audio.priority import raise_priority


@pytest.mark.slow
def test_closing_on_a_hung_sound_server_ends_the_player_process_in_time(
    pulse: PulseServer,
) -> None:
    """PortAudio's close waits for ever on a server that stopped answering (issue 22); the
    player process is killed once ``close``'s wait is over, and ``close`` returns then."""
    player = Player(None)
    pid = player.pid
    assert pid is not None
    tone = np.full(22050 * 10, 3000, dtype=np.int16)
    speaking = threading.Thread(target=player.play, args=(tone, 22050), daemon=True)
    speaking.start()
    time.sleep(1.0)
    pulse.freeze()
    try:
        began = time.monotonic()
        player.close(wait=0.5)
        took = time.monotonic() - began
        speaking.join(budget(2.0))
        assert not speaking.is_alive(), "play() still waits after close"
        deadline = time.monotonic() + budget(2.0)
        while time.monotonic() < deadline and os.path.exists(f"/proc/{pid}"):
            time.sleep(0.05)
        gone = not os.path.exists(f"/proc/{pid}")
    finally:
        pulse.kill()
        pulse.start()
    assert took <= budget(0.5 + 0.5), took
    assert gone, "the player process outlived its close"


def test_the_player_process_plays_at_a_raised_priority_where_allowed(pulse: PulseServer) -> None:
    """At load 23-28 the player process, niced like the assistant, was starved of CPU and left
    gaps; where the system allows it (root here, or ``LimitRTPRIO=``) its threads, PortAudio's
    among them, run at ``SCHED_FIFO`` (``audio/priority.py``)."""
    allowed: list[str] = []
    probe = threading.Thread(target=lambda: allowed.append(raise_priority("probe")))
    probe.start()  # a throwaway thread: what this machine allows, asked the same way
    probe.join()
    if "SCHED_FIFO" not in allowed[0]:
        pytest.skip(f"no real-time priority allowed here: {allowed[0]}")
    player = Player(None)
    try:
        pid = player.pid
        assert pid is not None
        player.play(np.full(2205, 2000, dtype=np.int16), 22050)  # the stream's thread runs
        tids = sorted(int(t) for t in os.listdir(f"/proc/{pid}/task"))
        policies = {tid: os.sched_getscheduler(tid) & 0xFF for tid in tids}
    finally:
        player.close()
    # Its main thread and the ones PortAudio started after it (the sound library's, the
    # callback's, the newest); numpy's idle BLAS workers, started at its import, are left.
    started = [pid, tids[-1]]
    assert all(policies[tid] == os.SCHED_FIFO for tid in started), policies
