"""Doctor's level meter and chime on the private PulseAudio server.

Sound is played into ``room`` (what the microphone hears) while the meter listens, so the peak it
reports can be checked against the level that was played.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from pulse import PulseServer
from testspeech import write_wav

from voice_repair.config import AudioConfig, Config
from voice_repair.doctor import audio as doctor_audio
from voice_repair.doctor.audio import check_input_level, check_output_chime, level_bar

RATE = 16000


@pytest.fixture(autouse=True)
def quiet_prompt(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    said: list[str] = []
    monkeypatch.setattr(doctor_audio, "prompt", said.append)
    return said


def _wav(path: Path, samples: np.ndarray) -> Path:
    return write_wav(path, samples, RATE)


def _tone(amplitude: float, seconds: float = 6.0, square: bool = False) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    wave_ = np.sin(2 * np.pi * 440 * t)
    if square:
        wave_ = np.sign(wave_)
    return np.clip(np.round(wave_ * amplitude * 32767), -32768, 32767)


def _while_playing(pulse: PulseServer, path: Path, check):
    proc = pulse.play_into_room(path, wait=False)
    try:
        time.sleep(0.5)  # the sound is reaching the room before the meter starts
        return check()
    finally:
        proc.terminate()
        proc.wait(5)


def test_level_meter_reports_the_peak_that_was_played(
    pulse: PulseServer, tmp_path: Path, quiet_prompt: list[str]
) -> None:
    path = _wav(tmp_path / "tone.wav", _tone(0.25))  # -12 dBFS
    result = _while_playing(pulse, path, lambda: check_input_level(Config()))
    assert result.ok, result
    peak = float(result.detail.split("peak ")[1].split(" dBFS")[0])
    assert -13.0 <= peak <= -11.0, result.detail
    assert "[" in result.detail and "#" in result.detail  # the bar
    assert any("speak" in p for p in quiet_prompt)  # the person was told what to do


def test_level_meter_flags_a_silent_microphone_with_a_fix(pulse: PulseServer) -> None:
    result = check_input_level(Config())  # nothing is played into the room
    assert not result.ok
    assert "no sound at all" in result.detail
    assert result.fix and "alsamixer" in result.fix and "input_device" in result.fix


def test_level_meter_flags_clipping_with_a_fix(pulse: PulseServer, tmp_path: Path) -> None:
    path = _wav(tmp_path / "loud.wav", _tone(1.0, square=True))
    result = _while_playing(pulse, path, lambda: check_input_level(Config()))
    assert not result.ok
    assert "clipping" in result.detail and "full scale" in result.detail
    assert result.fix and "capture volume" in result.fix


def test_level_bar_scale() -> None:
    assert level_bar(0.0, width=10) == "[##########]"
    assert level_bar(-30.0, width=10) == "[#####.....]"
    assert level_bar(float("-inf"), width=10) == "[..........]"


def test_chime_is_played_on_the_speaker(pulse: PulseServer) -> None:
    result: list = []
    with pulse.recording() as rec:
        thread = threading.Thread(target=lambda: result.append(check_output_chime(Config())))
        thread.start()
        thread.join(20)
        time.sleep(0.3)
    assert result and result[0].ok, result
    assert rec.first_sound_at() is not None  # it was really heard on the speaker


def test_chime_on_a_missing_speaker_fails_with_a_fix(pulse: PulseServer) -> None:
    config = replace(Config(), audio=AudioConfig(output_device="HDMI 7"))
    result = check_output_chime(config)
    assert not result.ok and "HDMI 7" in result.detail
    assert result.fix
