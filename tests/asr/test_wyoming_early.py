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
from grammarshare import shipped_phrases
from testspeech import quiet_room, recording
from wyomingservers import WyomingServer

from voice_repair import app
from voice_repair.asr.whisper import WhisperRecognizer
from voice_repair.asr.whispermodel import bundled_model_dir
from voice_repair.asr.wyoming import RemoteASR, WyomingRecognizer
from voice_repair.audio.wavfile import chunks
from voice_repair.config import Config
from voice_repair.live.early import VoiceDoor
from voice_repair.live.listen import Understanding
from voice_repair.live.loop import VoiceLoop

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(bundled_model_dir() is None, reason="Whisper model not installed"),
]

ANSWER_SECONDS = 30.0
"""The most the recognizer waits for the slow server (15 s seen for local Whisper's reading of
one sentence at load 14); each test waits ``_answer_seconds``, sized from the reading it timed."""


class Speaker:
    """Speaking (a long reply) until ``stop``, when ``speaking`` is set. ``waiting()`` says
    whether the recognizer is still waiting for the server."""

    def __init__(self, speaking: bool, waiting) -> None:
        self.busy = speaking
        self.quiet_since = 0.0
        self.stopped_at: float | None = None
        self.stopped_waiting: bool | None = None
        self._waiting = waiting

    def stop(self) -> None:
        if self.busy:
            self.busy, self.quiet_since = False, time.monotonic()
            self.stopped_at, self.stopped_waiting = time.monotonic(), self._waiting()


@pytest.fixture(scope="module")
def local():
    """(phrases, local Whisper), as ``voice-repair run`` builds them."""
    phrases = shipped_phrases()
    return phrases, WhisperRecognizer(phrases)


def _answer_seconds(whisper: WhisperRecognizer, audio: np.ndarray) -> float:
    """How long the recognizer waits for the slow server in this test: local Whisper's reading
    of the same audio, timed here first, four times over plus three seconds (the early reading
    must come a second before the server is given up on, on a machine as busy as now), at most
    ``ANSWER_SECONDS``: a few seconds on a quiet machine, not thirty."""
    asked = time.monotonic()
    for chunk in chunks(audio):
        whisper.accept(chunk)
    whisper.flush()
    whisper.reset()
    return min(ANSWER_SECONDS, 3.0 + 4 * (time.monotonic() - asked))


def _live(local, tmp_path: Path, text: str, voice: str, speaking: bool):
    """Say ``text`` to the whole voice path; (what was said: when, which line, whether the
    server's answer was still awaited; the final reading's time; the speaker)."""
    phrases, whisper = local
    said: list[tuple[float, str, bool]] = []
    rec: list[WyomingRecognizer] = []

    def waiting() -> bool:
        return not rec[0].server_down

    speaker = Speaker(speaking, waiting)
    options = app.Options(config=Config(data_dir=tmp_path / "data"), minute_seconds=60.0)
    session, engine = app.start_session(
        options, lambda s: said.append((time.monotonic(), s.source, waiting())),
        silence=speaker.stop,
    )  # fmt: skip
    door = VoiceDoor(Understanding(session.matcher, None, phrases), session.hear, speaker.stop)
    finals: list[float] = []

    def on_utterance(u, speaking_now: bool) -> bool:
        if not u.early:
            finals.append(time.monotonic())
        return door(u, speaking_now)

    audio = quiet_room(recording(text, voice))
    answer_seconds = _answer_seconds(whisper, audio)
    with WyomingServer("slow") as server:
        remote = RemoteASR(server.uri, answer_seconds=answer_seconds)
        rec.append(WyomingRecognizer(phrases, remote, whisper, probe_seconds=60))
        loop = VoiceLoop(chunks(audio), rec[0], speaker, on_utterance)
        rec[0].on_early = loop.hear_early
        try:
            loop.run(threading.Event())
        finally:
            rec[0].close()
            engine.shutdown()
    assert finals, "the server's reading (given up on: the local one) never came"
    return said, finals[0], speaker


def test_danger_is_answered_before_the_slow_server_is_given_up_on(local, tmp_path):
    said, final, _ = _live(local, tmp_path, "i don't feel safe", "espeak", speaking=False)
    when, line, _ = said[0]
    # at least a second before the server was given up on (without the early reading, after)
    assert line == "safety" and when < final - 1.0, (when, final)
    assert [s for _, s, _ in said].count("safety") == 1  # not answered again


def test_stop_silences_before_the_slow_server_is_given_up_on(local, tmp_path):
    said, final, speaker = _live(local, tmp_path, "stop", "piper", speaking=True)
    assert speaker.stopped_at is not None and speaker.stopped_waiting
    assert speaker.stopped_at < final
    assert [s for _, s, _ in said] == ["control.stop"]  # "Okay.", once the reading is final


def test_an_ordinary_request_waits_for_the_servers_reading(local, tmp_path):
    said, final, _ = _live(local, tmp_path, "i need a pause", "piper", speaking=False)
    when, line, waiting = said[0]
    assert line == "pause.start" and not waiting and when >= final
