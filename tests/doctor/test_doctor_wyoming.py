"""``doctor`` and the home speech server: off says nothing leaves; on says where words go, what
the server offers and how fast it answered, against real Wyoming servers on 127.0.0.1."""

from __future__ import annotations

import pytest
from wyomingservers import WyomingServer, free_port

from voice_repair.asr.whispermodel import bundled_model_dir
from voice_repair.config import Config, RecognitionConfig
from voice_repair.doctor.wyoming import check_wyoming_server


def _config(uri: str) -> Config:
    return Config(recognition=RecognitionConfig(engine="wyoming", uri=uri, answer_seconds=20))


def test_not_configured_nothing_leaves():
    check = check_wyoming_server(Config())
    assert check.ok and "nothing anyone says leaves this speaker" in check.detail


def test_nothing_listening_fails_with_where_and_a_fix():
    check = check_wyoming_server(_config(f"tcp://127.0.0.1:{free_port()}"))
    assert not check.ok
    assert "travels over the home network to 127.0.0.1" in check.detail
    assert "connection refused" in check.detail and "own engine decides" in check.fix


def test_garbage_is_named():
    with WyomingServer("garbage") as server:  # answers describe, then garbage to a request
        check = check_wyoming_server(_config(server.uri))
    assert not check.ok and "not a Wyoming event" in check.detail
    assert "voice-repair-test-asr with tiny.en (en)" in check.detail


@pytest.mark.model
@pytest.mark.skipif(bundled_model_dir() is None, reason="Whisper model not installed")
def test_a_working_server_shows_its_models_and_one_round_trip():
    from voice_repair.asr.whisper import WhisperRecognizer

    with WyomingServer("whisper", whisper=WhisperRecognizer(["stop"])) as server:
        check = check_wyoming_server(_config(server.uri))
    assert check.ok, check
    assert "it runs voice-repair-test-asr with tiny.en (en)" in check.detail
    assert "describe answered in" in check.detail and "(understood)" in check.detail


def test_the_voice_server_is_checked_with_one_line():
    from voice_repair.config import VoiceConfig
    from voice_repair.doctor.wyoming import check_wyoming_voice
    from voice_repair.speech.engines import EspeakTTS

    assert "spoken from here" in check_wyoming_voice(Config()).detail
    with WyomingServer("whisper", tts=EspeakTTS()) as server:
        config = Config(voice=VoiceConfig(voice="wyoming", uri=server.uri))
        check = check_wyoming_voice(config)
    assert check.ok, check
    assert "the text of each reply travels to 127.0.0.1" in check.detail
    assert "voices: espeak-ng" in check.detail and "'ready' came back in" in check.detail
    refused = Config(voice=VoiceConfig(voice="wyoming", uri=f"tcp://127.0.0.1:{free_port()}"))
    check = check_wyoming_voice(refused)
    assert not check.ok and "connection refused" in check.detail and "local voice" in check.fix
