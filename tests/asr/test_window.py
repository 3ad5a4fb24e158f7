"""Whisper's encoder on the request plus a margin (``asr/window.py``): the same words, sooner.

Accuracy per voice and room, and the compute saved, are ``python -m bench window``'s; these
tests assert what a user notices: the request is still heard, and hearing it costs a fraction
of what the full 30 s window costs (both timed here, in turns, so machine load hits both).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from testspeech import recording

from voice_repair.asr.whisper import WINDOW_MARGIN, WhisperRecognizer
from voice_repair.asr.whispermodel import bundled_model_dir
from voice_repair.asr.window import FULL_FRAMES, encoder_frames
from voice_repair.audio.wavfile import chunks

ROOT = Path(__file__).resolve().parents[2]


def test_the_window_is_the_audio_plus_the_margin_in_even_frames_never_past_thirty_seconds():
    assert encoder_frames(16000 * 2, 1.0) == 300  # 2 s + 1 s of 10 ms frames
    assert encoder_frames(16050, 0.0) == 102  # 100.3 frames: rounded up, then to even
    assert encoder_frames(16000 * 40, 1.0) == FULL_FRAMES
    assert encoder_frames(16000, None) == FULL_FRAMES
    with pytest.raises(ValueError, match="negative"):
        encoder_frames(16000, -0.5)


@pytest.mark.model
@pytest.mark.skipif(bundled_model_dir() is None, reason="Whisper model not installed")
def test_a_request_heard_through_the_short_window_costs_a_fraction_of_the_full_one():
    assert WINDOW_MARGIN is not None, "the short window is the default"
    rec = WhisperRecognizer(["i need a pause"])
    speech = recording("i need a pause", "piper").astype(float)
    audio = np.concatenate([np.zeros(8000), speech, np.zeros(16000)])
    audio += np.random.default_rng(0).normal(0, 20, audio.size)
    audio = np.clip(audio, -32768, 32767).astype(np.int16)
    spent: dict[float | None, list[float]] = {WINDOW_MARGIN: [], None: []}
    for _ in range(3):  # in turns, so a busy machine slows both alike
        for margin in spent:
            rec.window_margin = margin
            rec.reset()
            t0 = time.perf_counter()
            heard = [u for c in chunks(audio) for u in rec.accept(c)] + rec.flush()
            spent[margin].append(time.perf_counter() - t0)
            assert [u.text for u in heard] == ["i need a pause"], margin
    assert min(spent[WINDOW_MARGIN]) < 0.75 * min(spent[None]), spent
