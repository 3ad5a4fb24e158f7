""" "stop" and danger never wait on the network: against a Wyoming server that answers too
slowly, they are acted on before the recognizer gives up on it, while an ordinary request is
acted on only once the server's answer is in (here: given up on, so the local reading decides).

Everything real but the microphone and the speaker: the ``wyoming`` package's own server
(``tests/wyomingservers.py``, ``slow``: nothing for a minute after the audio), the product's
``WyomingRecognizer`` with local Whisper tiny.en, the ``VoiceLoop``, its ``on_utterance``
(``VoiceDoor``) and the session. The speaker is a stand-in that says whether it is speaking.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
from testspeech import recording
from wyomingservers import WyomingServer

from voice_repair import app
from voice_repair.asr.whisper import WhisperRecognizer
from voice_repair.asr.whispermodel import bundled_model_dir
from voice_repair.asr.wyoming import RemoteASR, WyomingRecognizer
from voice_repair.audio.wavfile import chunks
from voice_repair.config import Config
from voice_repair.intents.grammar import grammar_sentences
from voice_repair.live.early import VoiceDoor
from voice_repair.live.listen import Understanding
from voice_repair.live.loop import VoiceLoop

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(bundled_model_dir() is None, reason="Whisper model not installed"),
]

ANSWER_SECONDS = 8.0
"""How long the recognizer waits for the slow server: far longer than local Whisper takes
here even on a loaded machine, so "before it gave up" is a clear distance."""


class Speaker:
    """Speaking (a long reply) until ``stop``, when ``speaking`` is set."""

    def __init__(self, speaking: bool) -> None:
        self.busy = speaking
        self.quiet_since = 0.0
        self.stopped_at: float | None = None

    def stop(self) -> None:
        if self.busy:
            self.busy, self.quiet_since = False, time.monotonic()
            self.stopped_at = time.monotonic()


@pytest.fixture(scope="module")
def local():
    """(phrases, local Whisper), as ``voice-repair run`` builds them."""
    matcher = app.load_language(app.Options(config=Config()), None)[0]
    phrases = [t for _, t in grammar_sentences(matcher, ROOT / "intents" / "en")]
    return phrases, WhisperRecognizer(phrases)


def _room(speech: np.ndarray) -> np.ndarray:
    audio = np.concatenate([np.zeros(8000), speech.astype(float), np.zeros(16000)])
    audio += np.random.default_rng(0).normal(0, 20, audio.size)
    return np.clip(audio, -32768, 32767).astype(np.int16)


def _live(local, tmp_path: Path, text: str, voice: str, speaking: bool):
    """Say ``text`` to the whole voice path; (what was said with when, the server's reading's
    time, the speaker)."""
    phrases, whisper = local
    said: list[tuple[float, str]] = []
    speaker = Speaker(speaking)
    options = app.Options(config=Config(data_dir=tmp_path / "data"), minute_seconds=60.0)
    session, engine = app.start_session(
        options, lambda s: said.append((time.monotonic(), s.source)), silence=speaker.stop
    )
    door = VoiceDoor(Understanding(session.matcher, None, phrases), session.hear, speaker.stop)
    finals: list[float] = []

    def on_utterance(u, speaking_now: bool) -> bool:
        if not u.early:
            finals.append(time.monotonic())
        return door(u, speaking_now)

    with WyomingServer("slow") as server:
        remote = RemoteASR(server.uri, answer_seconds=ANSWER_SECONDS)
        rec = WyomingRecognizer(phrases, remote, whisper, probe_seconds=60)
        loop = VoiceLoop(chunks(_room(recording(text, voice))), rec, speaker, on_utterance)
        rec.on_early = loop.hear_early
        try:
            loop.run(threading.Event())
        finally:
            rec.close()
            engine.shutdown()
    assert finals, "the server's reading (given up on: the local one) never came"
    return said, finals[0], speaker


def test_danger_is_answered_before_the_slow_server_is_given_up_on(local, tmp_path):
    said, final, _ = _live(local, tmp_path, "i don't feel safe", "espeak", speaking=False)
    assert [s for _, s in said][:1] == ["safety"]
    assert said[0][0] < final - ANSWER_SECONDS / 2, (said[0][0], final)
    assert [s for _, s in said].count("safety") == 1  # not answered again


def test_stop_silences_before_the_slow_server_is_given_up_on(local, tmp_path):
    said, final, speaker = _live(local, tmp_path, "stop", "piper", speaking=True)
    assert speaker.stopped_at is not None and speaker.stopped_at < final - ANSWER_SECONDS / 2
    assert [s for _, s in said] == ["control.stop"]  # "Okay.", once the reading is final


def test_an_ordinary_request_waits_for_the_servers_reading(local, tmp_path):
    said, final, _ = _live(local, tmp_path, "i need a pause", "piper", speaking=False)
    assert [s for _, s in said][:1] == ["pause.start"]
    assert said[0][0] >= final
