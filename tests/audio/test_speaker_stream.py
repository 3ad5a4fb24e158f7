"""The speaker's one long-lived output stream never takes the process down with it.

A sounddevice stream frees its audio callback when the Python object is collected, and PortAudio
goes on calling it: a ``Player`` dropped without ``close`` (``voice-repair doctor``'s chime, a
test's speaker) crashed the process later, in a thread with no Python frame, whatever it was
doing then (the audio phase of the sixth session's merge). Each case runs in a process of its
own, so a crash fails this test and not the worker running it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pulse import PulseServer
from timing import CpuWait

_DROPPED_PLAYERS = """
import gc, time
import numpy as np
from voice_repair.audio.playback import Player

for _ in range(3):
    player = Player(None)
    player.play(np.full(2205, 3000, dtype=np.int16), 22050)
    del player
    gc.collect()  # what any allocation may trigger, in any thread, at any moment
    time.sleep(0.5)  # PortAudio's thread keeps asking for blocks meanwhile
print("still here", flush=True)
"""

_RESCAN_UNDER_A_LINE = """
import threading, time
import numpy as np
from voice_repair.audio.devices import refresh_devices
from voice_repair.audio.playback import Player

player = Player(None)
tone = (np.sin(np.arange(22050 * 20) * 2 * np.pi * 440 / 22050) * 6000).astype(np.int16)
started = time.monotonic()

def rescan():  # what the voice loop does once the microphone is back
    refresh_devices()
    print("rescanned:", time.monotonic() - started, flush=True)

threading.Timer(1.0, rescan).start()
played = player.play(tone, 22050)
print("first:", played, time.monotonic() - started, flush=True)
input()  # the test records the speaker now
print("second:", player.play(tone[:22050], 22050), flush=True)
player.close()
print("closed", flush=True)
"""

RUN_CAP_S = 120.0
"""A cap against a hang, not a timing window."""
CUT_WITHIN_S = 0.3
"""The end of a re-scan -> ``play`` returns, at most, on a quiet machine (it looks every 20 ms;
stretched by the child's own CPU waits)."""


def _child(pulse: PulseServer, script: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-X", "faulthandler", "-c", script],
        env={**pulse.child_env(), "PYTHONPATH": os.environ.get("PYTHONPATH", "")},
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_a_player_dropped_without_close_does_not_crash_the_process(
    pulse: PulseServer, tmp_path: Path
) -> None:
    child = _child(pulse, _DROPPED_PLAYERS)
    try:
        out, err = child.communicate(timeout=RUN_CAP_S)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, f"exit {child.returncode}\n{out}\n{err[-3000:]}"
    assert "still here" in out, out + err[-3000:]


def test_a_device_rescan_under_a_line_ends_it_and_the_next_line_is_heard(
    pulse: PulseServer,
) -> None:
    """The voice loop re-scans devices (a PortAudio restart, which closes every stream) after
    the microphone came back; a line playing then must end, not wait for a dead stream, and the
    next one must open a new stream and be heard."""
    child = _child(pulse, _RESCAN_UNDER_A_LINE)
    try:
        assert child.stdout is not None and child.stdin is not None
        with CpuWait(child.pid) as cpu:
            lines = {}
            while len(lines) < 2 and (line := child.stdout.readline()):
                lines[line.split(":")[0]] = line.split()
        with pulse.recording() as rec:
            child.stdin.write("\n")
            child.stdin.flush()
            second = child.stdout.readline()
        out, err = child.communicate(timeout=RUN_CAP_S)
    finally:
        if child.poll() is None:
            child.kill()
    assert set(lines) == {"first", "rescanned"}, f"{lines}\n{err[-3000:]}"
    # Cut at the re-scan, not played on for twenty seconds nor left waiting for a dead stream.
    late = float(lines["first"][2]) - float(lines["rescanned"][1])
    assert late <= cpu.lateness(CUT_WITHIN_S), (late, lines)
    assert second.startswith("second: True"), second + err[-3000:]
    assert rec.samples.size and abs(rec.samples.astype(int)).max() > 3000, "the next line unheard"
    assert "closed" in out and child.returncode == 0, out + err[-3000:]
