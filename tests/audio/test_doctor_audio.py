"""Doctor device checks against the private PulseAudio server (real PortAudio, real ALSA plugin)."""

from __future__ import annotations

from dataclasses import replace

from voice_repair.config import AudioConfig, Config
from voice_repair.doctor.audio import AUDIO_CHECKS, check_input_device, check_output_device
from voice_repair.doctor.checks import format_checks, run_checks


def test_default_devices_open_through_the_sound_server(pulse) -> None:
    results = run_checks(Config(), (check_input_device, check_output_device))
    assert [c.name for c in results] == ["input device", "output device"]
    assert all(c.ok for c in results), format_checks(results)
    names = [c.__name__ for c in AUDIO_CHECKS]
    assert names == [
        "check_input_device", "check_input_level", "check_output_device", "check_output_chime",
        "check_echo_cancel",
    ]  # fmt: skip


def test_a_microphone_that_is_not_there_fails_with_the_setting_to_change(pulse) -> None:
    config = replace(Config(), audio=AudioConfig(input_device="USB PnP Sound Device"))
    result = check_input_device(config)
    assert not result.ok
    assert "USB PnP Sound Device" in result.detail
    assert "pulse" in result.detail  # lists what is there instead
    assert result.fix and "input_device in [audio]" in result.fix
