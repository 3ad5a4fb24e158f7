"""Whisper starts transcribing a request as soon as the audio it needs is in (``PEEK_END`` of
silence), yet the request still ends only after the short pause (``short_end``): the decision
comes sooner by the difference, the same words are heard, and nothing is transcribed twice."""

from __future__ import annotations

import numpy as np
import pytest
from testspeech import recording

from voice_repair.asr.segmenter import Segmenter
from voice_repair.asr.whisper import PEEK_END, WhisperRecognizer
from voice_repair.asr.whispermodel import bundled_model_dir
from voice_repair.audio.wavfile import chunks


def _frames(seconds_of_tone: float, seconds_of_silence: float, rate: int = 16000):
    t = np.arange(round(seconds_of_tone * rate)) / rate
    voiced = (np.sin(2 * np.pi * 180 * t) * np.sin(2 * np.pi * 3 * t) ** 2 * 9000).astype(np.int16)
    speech = np.concatenate([np.zeros(rate // 2, np.int16), voiced])
    audio = np.concatenate([speech, np.zeros(round(seconds_of_silence * rate), np.int16)])
    noise = np.random.default_rng(0).normal(0, 30, audio.size)
    return np.clip(audio + noise, -32768, 32767).astype(np.int16).tobytes()


def test_the_engine_is_asked_early_but_a_segment_still_ends_after_the_short_pause() -> None:
    seg = Segmenter(peek_end=0.18)
    pcm = _frames(1.0, 1.0)
    asked: list[float] = []
    ended_at = None
    for i in range(len(pcm) // seg.frame_bytes):
        now = i * seg.frame_seconds
        frame = pcm[i * seg.frame_bytes : (i + 1) * seg.frame_bytes]
        ev = seg.process(frame, now, lambda t=now: asked.append(t - seg.last_speech_end) or True)
        if ev.ended:
            ended_at = now - seg.last_speech_end
            break
    assert ended_at is not None and asked
    first = asked[0] + seg.frame_seconds  # silence heard once this frame is in
    assert first == pytest.approx(0.18, abs=0.001)  # asked at the peek ...
    assert ended_at + seg.frame_seconds >= 0.27 - 1e-6  # ... though it said yes, ended at 0.27


@pytest.mark.model
@pytest.mark.skipif(bundled_model_dir() is None, reason="Whisper model not installed")
def test_whisper_transcribes_once_at_the_peek_and_decides_from_it() -> None:
    rec = WhisperRecognizer(["i need a pause", "stop"])
    seen: list[float] = []
    transcribe = rec._transcribe

    def counted(pcm: bytes):
        seen.append(rec._t - rec._seg.last_speech_end)  # silence heard, this frame included
        return transcribe(pcm)

    rec._transcribe = counted
    audio = np.concatenate([np.zeros(8000, np.int16), recording("i need a pause", "piper"),
                            np.zeros(24000, np.int16)])  # fmt: skip
    audio = np.clip(audio + np.random.default_rng(1).normal(0, 20, audio.size), -32768, 32767)
    heard = [u for c in chunks(audio.astype(np.int16)) for u in rec.accept(c)] + rec.flush()
    assert [u.text for u in heard] == ["i need a pause"]
    assert len(seen) == 1  # one transcript: taken at the peek, used at the decision
    assert seen[0] == pytest.approx(PEEK_END, abs=0.001)
    waited = heard[0].decided_at - heard[0].end
    assert waited >= 0.27 - 0.001  # the request still ended after the short pause
