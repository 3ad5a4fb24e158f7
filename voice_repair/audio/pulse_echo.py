"""PulseAudio's ``module-echo-cancel`` (WebRTC): the fallback echo canceller.

The module makes a new microphone (the real one with the speaker's sound taken out) and a new
speaker (the real one, watched); ``PULSE_SOURCE``/``PULSE_SINK`` then point this process's
streams at them. It is the way Home Assistant's linux-voice-assistant does it. Measured in the
test room it cancelled far less than the in-process canceller (``audio/echo.py``; README), so
it is used only when that one cannot run.

A run killed without cleaning up leaves the module loaded; the next start unloads ours (known by
its source name) before loading a fresh one, so they never pile up.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import AudioDeviceError

__all__ = ["PulseEcho", "load_pulse_echo", "pulse_echo_problem"]

log = logging.getLogger(__name__)

SOURCE = "voice_repair_echo_source"
SINK = "voice_repair_echo_sink"
AEC_ARGS = 'aec_args="analog_gain_control=0 digital_gain_control=0"'
"""Its automatic gain made the echo louder, not quieter, in the test room (-9 dB)."""


def _pactl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["pactl", *args], capture_output=True, text=True, timeout=10)


@dataclass(frozen=True)
class PulseEcho:
    """A loaded ``module-echo-cancel``; this process's streams go through it."""

    module: str
    """The module's index (for unloading)."""
    source_master: str
    sink_master: str

    def close(self) -> None:
        """Unload the module (the streams through it must be closed first)."""
        _pactl("unload-module", self.module)


def _default(kind: str) -> str:
    env = os.environ.get(f"PULSE_{kind.upper()}")
    if env:
        return env
    out = _pactl(f"get-default-{kind}")
    if out.returncode != 0 or not out.stdout.strip():
        raise AudioDeviceError(f"PulseAudio has no default {kind} ({out.stderr.strip()})")
    return out.stdout.strip()


def _unload_leftovers() -> None:
    for line in _pactl("list", "short", "modules").stdout.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[1] == "module-echo-cancel" and f"source_name={SOURCE}" in line:
            _pactl("unload-module", parts[0])


def pulse_echo_problem() -> str | None:
    """None if the module could be loaded here, else why not (loads nothing)."""
    if shutil.which("pactl") is None:
        return "pactl is not installed (Debian: apt install pulseaudio-utils)"
    if _pactl("info").returncode != 0:
        return "no PulseAudio (or PipeWire-Pulse) server answers"
    found = [*Path("/usr/lib").glob("pulse-*/modules/module-echo-cancel.so")]
    found += [*Path("/usr/lib").glob("*/pulseaudio/modules/module-echo-cancel.so")]
    if not found:
        return "module-echo-cancel.so is not installed (Debian: the pulseaudio package)"
    return None


def load_pulse_echo() -> PulseEcho:
    """Load the module between the default microphone and speaker; point this process at it.

    Raises ``AudioDeviceError`` saying why not (no pactl, no PulseAudio, no module).
    """
    problem = pulse_echo_problem()
    if problem:
        raise AudioDeviceError(problem)
    source, sink = _default("source"), _default("sink")
    _unload_leftovers()
    out = _pactl(
        "load-module", "module-echo-cancel", "aec_method=webrtc", f"source_master={source}",
        f"sink_master={sink}", f"source_name={SOURCE}", f"sink_name={SINK}", AEC_ARGS,
    )  # fmt: skip
    if out.returncode != 0:
        raise AudioDeviceError(
            f"PulseAudio could not load module-echo-cancel ({out.stderr.strip() or out.stdout}); "
            "Debian ships it in the pulseaudio package"
        )
    os.environ["PULSE_SOURCE"], os.environ["PULSE_SINK"] = SOURCE, SINK
    return PulseEcho(out.stdout.strip(), source, sink)
