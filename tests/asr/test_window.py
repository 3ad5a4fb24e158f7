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
from voice_repair.asr.window import FULL_FRAMES, encoder_frames, load_windowed_model
from voice_repair.audio.wavfile import chunks

ROOT = Path(__file__).resolve().parents[2]


def test_the_window_is_the_audio_plus_the_margin_in_whole_seconds_never_past_thirty_seconds():
    assert encoder_frames(16000 * 2, 1.0) == 300  # 2 s + 1 s of 10 ms frames
    assert encoder_frames(16050, 0.0) == 200  # 100.3 frames: rounded up to a whole second
    assert encoder_frames(16000 * 40, 1.0) == FULL_FRAMES
    assert encoder_frames(16000, None) == FULL_FRAMES
    with pytest.raises(ValueError, match="negative"):
        encoder_frames(16000, -0.5)


@pytest.mark.parametrize("margin", [0.0, 1.0, WINDOW_MARGIN])
def test_requests_of_every_length_make_few_windows(margin: float | None) -> None:
    """Each window length costs memory for good (CTranslate2 keeps its kernels per length):
    every request length from 10 ms to 30 s, in 10 ms steps, must share a few."""
    lengths = {encoder_frames(n, margin) for n in range(160, 16000 * 30, 160)}
    assert len(lengths) <= 30, sorted(lengths)


def _own_memory_mb() -> float:
    """This process's own resident memory (RssAnon): what a leak adds to."""
    status = Path("/proc/self/status").read_text()
    return int(next(ln for ln in status.splitlines() if ln.startswith("RssAnon")).split()[1]) / 1024


@pytest.mark.model
@pytest.mark.skipif(bundled_model_dir() is None, reason="Whisper model not installed")
def test_requests_of_many_lengths_leave_the_memory_where_it_was() -> None:
    """A speaker hears requests of every length for weeks: a window per exact length grew the
    process by about 0.5 MB per new length (oneDNN's kernel cache; the soak's rising lows)."""
    model = load_windowed_model(
        str(bundled_model_dir()), device="cpu", compute_type="int8", cpu_threads=2
    )
    features = np.random.default_rng(0).standard_normal((1, 80, FULL_FRAMES)).astype(np.float32)
    heard = [16000 + 640 * k for k in range(40)]  # 1.00-2.56 s in 40 ms steps
    new = [samples + 320 for samples in heard]  # 20 ms longer: 40 lengths not heard before

    def hear(samples: int) -> None:
        model.frames = encoder_frames(samples, 1.0)
        model.encode(features)

    for samples in heard:
        hear(samples)
    before = _own_memory_mb()
    for samples in new:
        hear(samples)
    assert _own_memory_mb() - before < 6.0


@pytest.mark.model
@pytest.mark.skipif(bundled_model_dir() is None, reason="Whisper model not installed")
def test_a_request_heard_through_the_short_window_costs_a_fraction_of_the_full_one():
    assert WINDOW_MARGIN is not None, "the short window is the default"
    rec = WhisperRecognizer(["i need a pause"], quick_margin=None)  # the window alone
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
