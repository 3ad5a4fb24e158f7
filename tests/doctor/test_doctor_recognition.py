"""The doctor's Whisper check, with the real model: installed, checksums, one request timed."""

from __future__ import annotations

import shutil

import pytest

from voice_repair.asr.whispermodel import KNOWN_MODELS, bundled_model_dir
from voice_repair.config import Config, RecognitionConfig
from voice_repair.doctor.recognition import check_whisper_model

pytestmark = pytest.mark.model


def test_not_used_when_another_engine_is_chosen():
    check = check_whisper_model(Config(recognition=RecognitionConfig(engine="pocketsphinx")))
    assert check.ok and "not used" in check.detail


def test_missing_model_fails_only_when_whisper_is_asked_for(monkeypatch):
    monkeypatch.setattr("voice_repair.asr.whispermodel.bundled_model_dir", lambda: None)
    auto = check_whisper_model(Config())
    assert auto.ok and "pocketsphinx listens instead" in auto.detail
    asked = check_whisper_model(Config(recognition=RecognitionConfig(engine="whisper")))
    assert not asked.ok and "make install" in asked.fix


def test_a_changed_file_fails_naming_it(tmp_path, monkeypatch):
    src = bundled_model_dir()
    if src is None:
        pytest.skip("Whisper model not installed")
    for name in KNOWN_MODELS["tiny.en"]:
        if name == "model.bin":
            (tmp_path / name).symlink_to(src / name)
        else:
            shutil.copy(src / name, tmp_path / name)
    (tmp_path / "vocabulary.txt").write_text("changed")
    monkeypatch.setattr("voice_repair.asr.whispermodel.bundled_model_dir", lambda: tmp_path)
    check = check_whisper_model(Config())
    assert not check.ok and "vocabulary.txt" in check.detail


def test_a_configured_model_folder_is_the_one_checked(tmp_path):
    src = bundled_model_dir()
    if src is None:
        pytest.skip("Whisper model not installed")
    folder = tmp_path / "whisper-tiny.en"
    folder.mkdir()
    for name in KNOWN_MODELS["tiny.en"]:
        (folder / name).symlink_to(src / name)
    (folder / "config.json").unlink()
    (folder / "config.json").write_text("{}")
    whisper = RecognitionConfig(engine="whisper", model=str(folder))
    check = check_whisper_model(Config(recognition=whisper))
    assert not check.ok and str(folder / "config.json") in check.detail
    assert "models download" in check.fix
    vosk_dir = RecognitionConfig(engine="auto", model=str(tmp_path))  # not a Whisper folder
    check = check_whisper_model(Config(recognition=vosk_dir))
    assert check.ok and "not used" in check.detail


@pytest.mark.slow
def test_the_installed_model_is_verified_and_timed():
    if bundled_model_dir() is None:
        pytest.skip("Whisper model not installed")
    check = check_whisper_model(Config())
    assert check.ok and "checksum as expected" in check.detail
    assert "s of compute" in check.detail and "something else" not in check.detail
