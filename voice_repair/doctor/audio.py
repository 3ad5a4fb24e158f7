"""Doctor checks that need the sound server: the devices open, the microphone hears, the
speaker plays.

Kept apart from ``doctor.py`` because they touch PortAudio and the sound server, which the other
checks never do; ``voice-repair doctor`` runs ``[*DEFAULT_CHECKS, *AUDIO_CHECKS]``.

The level meter answers the question people actually have ("is the microphone working, and is
it too quiet or too loud?") with a number and a bar, and keeps nothing: the three seconds of
audio are measured in memory and dropped.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable

import numpy as np

from ..config.settings import Config
from ..errors import VoiceRepairError
from .checks import Check, CheckFn

__all__ = [
    "AUDIO_CHECKS",
    "LEVEL_SECONDS",
    "check_echo_cancel",
    "check_input_device",
    "check_input_level",
    "check_output_chime",
    "check_output_device",
    "level_bar",
]

LEVEL_SECONDS = 3.0
"""How long the level meter listens."""
SILENT_DBFS = -70.0
"""A peak below this is no signal at all (a muted or disconnected input); a quiet room with a
working microphone peaks well above it (-50 dBFS or more)."""
QUIET_DBFS = -35.0
"""Peaks below this while someone speaks are too faint for reliable recognition."""
CLIPPED_FRACTION = 0.001
"""More than this share of samples at full scale means the input gain is too high."""

prompt: Callable[[str], None] = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
"""Where the doctor tells the person what to do during a check (replaceable in tests)."""


def _device_check(device: str | None, kind: str, sample_rate: int) -> Check:
    """The device opens as the loop will open it (mono, 16-bit, at ``sample_rate`` Hz)."""
    name = "input device" if kind == "input" else "output device"
    setting = f"{kind}_device"
    try:
        from ..audio.devices import check_device

        check_device(device, kind, sample_rate)  # type: ignore[arg-type]
    except VoiceRepairError as exc:
        return Check(
            name,
            False,
            str(exc),
            f"start the sound server (systemctl --user start pipewire-pulse.socket), plug the "
            f"device in, or set {setting} in [audio] to a name `voice-repair devices` lists",
        )
    except (ImportError, OSError) as exc:  # PortAudio library missing or broken
        return Check(
            name, False, f"sound library unusable: {exc}", "sudo apt-get install libportaudio2"
        )
    shown = "the default device" if device is None else repr(device)
    return Check(name, True, f"{shown} opens (mono, {sample_rate} Hz)")


def check_input_device(config: Config) -> Check:
    """The microphone opens at 16 kHz mono, as the recognizers need."""
    return _device_check(config.audio.input_device, "input", 16000)


def check_output_device(config: Config) -> Check:
    """The speaker opens at 22.05 kHz mono, as the speech engines render."""
    return _device_check(config.audio.output_device, "output", 22050)


def dbfs(peak: int) -> float:
    """A peak sample value (0..32768) in dB relative to full scale; -inf for digital silence."""
    return 20 * math.log10(peak / 32768) if peak > 0 else -math.inf


def level_bar(level_dbfs: float, width: int = 30, floor: float = -60.0) -> str:
    """``[#########.....]``: the level on a scale from ``floor`` dBFS (empty) to 0 (full)."""
    filled = 0 if level_dbfs <= floor else round(width * min(1.0, 1 - level_dbfs / floor))
    return "[" + "#" * filled + "." * (width - filled) + "]"


def check_input_level(config: Config) -> Check:
    """Listen for three seconds and report the peak level; flag silence and clipping."""
    from ..audio.capture import Microphone

    name = "input level"
    device = check_input_device(config)
    if not device.ok:  # nothing to listen with: say so instead of asking people to speak
        return _cannot(name, "listen", "microphone", device)
    prompt(f"doctor: listening for {LEVEL_SECONDS:.0f} seconds; please speak normally...")
    got: list[np.ndarray] = []
    try:
        with Microphone(config.audio.input_device) as mic:
            heard = 0.0
            for chunk in mic.chunks(timeout=2.0):
                block = np.frombuffer(chunk.samples, dtype="<i2")
                got.append(block)
                heard += block.size / chunk.sample_rate
                if heard >= LEVEL_SECONDS:
                    break
    except VoiceRepairError as exc:
        return Check(name, False, str(exc), "fix the input device check above first")
    samples = np.concatenate(got) if got else np.zeros(0, dtype=np.int16)
    peak = int(np.abs(samples.astype(np.int32)).max()) if samples.size else 0
    level = dbfs(peak)
    clipped = float(np.mean(np.abs(samples.astype(np.int32)) >= 32767)) if samples.size else 0.0
    shown = f"peak {level:.1f} dBFS" if peak else "peak -inf dBFS (digital silence)"
    detail = f"{level_bar(level)} {shown} over {LEVEL_SECONDS:.0f} s"
    if level < SILENT_DBFS:
        return Check(
            name,
            False,
            f"{detail}: the microphone delivers no sound at all",
            "unmute it and raise its volume (alsamixer, F4 for capture; or "
            "pactl set-source-mute @DEFAULT_SOURCE@ 0), check the cable, or choose another "
            "input_device in [audio] from `voice-repair devices`",
        )
    if clipped > CLIPPED_FRACTION:
        return Check(
            name,
            False,
            f"{detail}: {clipped:.1%} of samples hit full scale (clipping distorts speech)",
            "lower the capture volume (alsamixer, F4; or pactl set-source-volume "
            "@DEFAULT_SOURCE@ 60%) or move the microphone further from the speaker",
        )
    if level < QUIET_DBFS:
        return Check(
            name,
            True,
            f"{detail}: works, but faint; if you spoke, raise the capture volume (alsamixer)",
        )
    return Check(name, True, detail)


def check_output_chime(config: Config) -> Check:
    """Play the chime on the speaker; a device error fails the check."""
    from ..audio.chime import CHIME_SECONDS, chime
    from ..audio.playback import Player

    name = "output chime"
    device = check_output_device(config)
    if not device.ok:
        return _cannot(name, "play the chime", "speaker", device)
    prompt("doctor: playing the chime; you should hear two soft rising notes...")
    try:
        player = Player(config.audio.output_device)
        played = player.play(chime(player.sample_rate), player.sample_rate)
    except VoiceRepairError as exc:
        return Check(name, False, str(exc), "fix the output device check above first")
    if not played:
        return Check(name, False, "the chime was interrupted", "run the doctor again")
    return Check(
        name,
        True,
        f"played the chime ({CHIME_SECONDS:.1f} s); not heard? raise the volume (alsamixer) "
        "or set output_device in [audio]",
    )


def _cannot(name: str, action: str, what: str, device: Check) -> Check:
    """The check that could not run, because its device does not open, and why."""
    detail = f"cannot {action}: no {what} opens ({device.detail})"
    return Check(name, False, detail, f"fix the {device.name} above first")


def check_echo_cancel(config: Config) -> Check:
    """Which echo canceller ``run`` will use (``audio.echo_cancel``); loads nothing."""
    from ..audio.echo_setup import describe

    audio = config.audio
    used = describe(audio.echo_cancel, audio.input_device, audio.output_device, audio.echo_process)
    if used is not None:
        return Check("echo cancellation", True, used)
    fix = (
        "apt install libspeexdsp1 (in process, preferred) or pip install pywebrtc-audio, or "
        "run PulseAudio with module-echo-cancel on the default devices; or set "
        'echo_cancel = "off" in [audio]'
    )
    detail = (
        f"echo_cancel = {audio.echo_cancel!r} cannot run here, so 'stop' said over the "
        "assistant's speech may go unheard and danger said over it is not acted on"
    )
    return Check("echo cancellation", False, detail, fix)


AUDIO_CHECKS: tuple[CheckFn, ...] = (
    check_input_device,
    check_input_level,
    check_output_device,
    check_output_chime,
    check_echo_cancel,
)
"""Checks that need the sound server, in order: each device opens, then it is exercised."""
