"""Doctor checks that need the sound server: devices now, level meter and chime to come.

Kept apart from ``doctor.py`` because they touch PortAudio and the sound server, which the other
checks never do; ``voice-repair doctor`` runs ``[*DEFAULT_CHECKS, *AUDIO_CHECKS]``.
"""

from __future__ import annotations

from .config import Config
from .doctor import Check, CheckFn
from .errors import VoiceRepairError

__all__ = ["AUDIO_CHECKS", "check_input_device", "check_output_device"]


def _device_check(device: str | None, kind: str, sample_rate: int) -> Check:
    """The device opens as the loop will open it (mono, 16-bit, at ``sample_rate`` Hz)."""
    name = "input device" if kind == "input" else "output device"
    setting = f"{kind}_device"
    try:
        from .audio.devices import check_device

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


AUDIO_CHECKS: tuple[CheckFn, ...] = (check_input_device, check_output_device)
"""Checks that need the sound server, in order. Add the level meter and the chime here."""
