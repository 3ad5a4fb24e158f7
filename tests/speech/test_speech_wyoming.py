"""The assistant's voice from a home server over Wyoming, against real servers on 127.0.0.1: the
``wyoming`` package's own server around our espeak-ng voice, and faulty ones. The lines are
played from what comes back; when the server cannot be used the local voice says the line."""

from __future__ import annotations

import logging
import time

import numpy as np
import pytest
from timing import budget
from wyomingservers import WyomingServer, free_port

from voice_repair.speech.engines import EspeakTTS, trim_silence
from voice_repair.speech.wyoming import RemoteVoice, WyomingTTS

LINE = "Pausing for twenty minutes. I will call you back."


class _Counting:
    """Our espeak-ng voice, counting the lines it said (the local fallback under test)."""

    name = "espeak"

    def __init__(self) -> None:
        self.tts = EspeakTTS(rate_wpm=150)
        self.lines = 0

    def render(self, text: str):
        self.lines += 1
        return self.tts.render(text)


def _timed(voice) -> float:
    """Seconds ``voice`` takes to render the line on this machine, now."""
    t0 = time.monotonic()
    voice.render(LINE)
    return time.monotonic() - t0


@pytest.fixture(scope="module")
def voice():
    return EspeakTTS(rate_wpm=150)


def test_the_server_renders_the_line_played_here(voice):
    local = _Counting()
    with WyomingServer("whisper", tts=voice) as server:
        tts = WyomingTTS(RemoteVoice(server.uri), local)
        samples, rate = tts.render(LINE)
        sent, sent_rate = server.spoken
    expected = trim_silence(sent, sent_rate)  # as every line from a server is trimmed
    assert rate == sent_rate and np.array_equal(samples, expected) and samples.size / rate > 1.5
    assert tts.remote_count == 1 and local.lines == 0 and server.requests == 1


@pytest.mark.parametrize("fault", ["dies", "slow", "garbage", "refuses"])
def test_a_faulty_server_and_the_local_voice_says_the_line(voice, fault, caplog):
    caplog.set_level(logging.INFO, logger="voice_repair")
    local = _Counting()
    server = None if fault == "refuses" else WyomingServer(fault, tts=voice)
    uri = server.uri if server else f"tcp://127.0.0.1:{free_port()}"
    tts = WyomingTTS(RemoteVoice(uri), local, probe_seconds=60)
    before = _timed(voice)  # the local voice's own time, measured here now
    try:
        for _ in range(3):
            t0 = time.monotonic()
            samples, rate = tts.render(LINE)
            spent = time.monotonic() - t0
            # The wait for a first sound (2 s), then the local voice, timed just before and
            # just after (a busy machine's speed changes by the second).
            after = _timed(voice)
            local_s, before = max(before, after), after
            assert spent < 2.0 + local_s + budget(0.5), (spent, local_s)
            assert samples.size / rate > 1.5  # the whole line, said here
    finally:
        tts.close()
        if server:
            server.close()
    assert local.lines == 3 and tts.remote_count == 0
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.levelname == "WARNING" and r.name.startswith("voice_repair.homenet")
    ]
    assert len(warnings) == 1 and "the local voice (espeak)" in warnings[0], warnings
    assert "twenty" not in caplog.text
