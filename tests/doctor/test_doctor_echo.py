"""``voice-repair doctor`` says which echo canceller ``run`` will use, or what to do."""

from __future__ import annotations

from dataclasses import replace

from voice_repair.audio import echo, pulse_echo
from voice_repair.config import AudioConfig, Config
from voice_repair.doctor.audio import check_echo_cancel

AUTO = replace(Config(), audio=AudioConfig(echo_cancel="auto"))


def test_off_by_default() -> None:
    result = check_echo_cancel(Config())
    assert result.ok and "off" in result.detail


def test_the_in_process_canceller_is_named_when_it_can_run() -> None:
    result = check_echo_cancel(AUTO)
    assert result.ok and "SpeexDSP" in result.detail


def test_where_the_echo_path_runs_is_said() -> None:
    """In the assistant's process by default, in one of its own with ``audio.echo_process``."""
    assert "a process of its own" not in check_echo_cancel(AUTO).detail
    apart = replace(AUTO, audio=replace(AUTO.audio, echo_process=True))
    assert "a process of its own" in check_echo_cancel(apart).detail


def test_with_no_canceller_the_doctor_says_what_is_lost_and_what_to_do(monkeypatch) -> None:
    monkeypatch.setattr(echo, "webrtc_available", lambda: "not installed")
    monkeypatch.setattr(pulse_echo, "pulse_echo_problem", lambda: "no PulseAudio server answers")
    import voice_repair.audio.echo_setup as setup

    monkeypatch.setattr(setup, "webrtc_available", lambda: "not installed")
    monkeypatch.setattr(setup, "speex_available", lambda: "not installed")
    result = check_echo_cancel(AUTO)
    assert not result.ok
    assert "stop" in result.detail
    assert result.fix and "libspeexdsp1" in result.fix and 'echo_cancel = "off"' in result.fix


def test_turned_off_is_fine_and_says_so() -> None:
    config = replace(Config(), audio=AudioConfig(echo_cancel="off"))
    result = check_echo_cancel(config)
    assert result.ok and "off" in result.detail
