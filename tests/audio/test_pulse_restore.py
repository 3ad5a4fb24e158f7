"""The rig's own repair: a sound server a failed test left broken is found and replaced.

Real servers: the fault is made with ``pactl`` and a SIGKILL, as a test failing half-way
through a replug or a crash leaves it, and the replacement is checked by playing through it.
"""

from __future__ import annotations

import subprocess
import time

import numpy as np
from pulse import PulseServer


def _heard_through(pulse: PulseServer) -> float:
    """The loudest sample the speaker's monitor gets while ``pacat`` plays a tone into it."""
    tone = (8000 * np.sin(np.arange(16000) * 2 * np.pi * 440 / 16000)).astype("<i2")
    with pulse.recording() as rec:
        done = subprocess.run(
            ["pacat", "--playback", "--device=speaker", "--format=s16le", "--rate=16000",
             "--channels=1"], input=tone.tobytes(), env=pulse.child_env(), timeout=60,
        )  # fmt: skip
        time.sleep(0.3)
    assert done.returncode == 0
    return float(np.abs(rec.samples.astype(np.int32)).max(initial=0))


def test_a_server_whose_default_devices_were_changed_is_found_and_replaced(
    pulse: PulseServer,
) -> None:
    pulse.pactl("set-default-sink", "room")
    assert "default devices" in (pulse.fault() or "")
    pulse.restore()
    assert pulse.fault() is None
    assert _heard_through(pulse) > 4000


def test_a_killed_server_is_found_and_replaced(pulse: PulseServer) -> None:
    pulse.kill()
    assert pulse.fault() == "not running"
    pulse.restore()
    assert pulse.fault() is None
    assert _heard_through(pulse) > 4000
