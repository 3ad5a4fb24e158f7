"""Spoken test requests, synthesized with the product's own engines (espeak-ng or Piper).

The end-to-end acoustic tests play these into the ``room`` sink; the recognition tests read them
directly. Synthesis is cached per (text, voice, rate) within the process: the same request is
often used by several tests.
"""

from __future__ import annotations

import functools
import wave
from pathlib import Path

import numpy as np

from voice_repair.speech import EspeakTTS, PiperTTS, TextToSpeech, make_tts

__all__ = ["synth_wav", "synth_samples", "resample", "write_wav"]


ESPEAK_VOICES = {"espeak": "gmw/en-us", "espeak-gb": "gmw/en"}
"""Test voices of espeak-ng. ``espeak`` speaks American English, the accent of the recognizer's
bundled model (espeak-ng's own default is British, which that model understands far less
often: ``espeak-gb``, measured separately by ``bench/asr.py``)."""


@functools.cache
def _engine(voice: str) -> TextToSpeech:
    if voice == "piper":  # without generator noise: the same words give the same audio
        return PiperTTS(rate_wpm=160, variation=False)
    if voice in ESPEAK_VOICES:
        return EspeakTTS(rate_wpm=160, voice=ESPEAK_VOICES[voice])
    return make_tts(voice, rate_wpm=160)


def resample(samples: np.ndarray, rate: int, new_rate: int) -> np.ndarray:
    """Band-limited resampling through the FFT (exact enough for speech at these rates)."""
    if rate == new_rate or samples.size == 0:
        return samples.astype(np.int16)
    n_out = round(samples.size * new_rate / rate)
    spectrum = np.fft.rfft(samples.astype(np.float64))
    keep = min(spectrum.size, n_out // 2 + 1)
    out = np.fft.irfft(spectrum[:keep], n_out) * (n_out / samples.size)
    return np.clip(np.round(out), -32768, 32767).astype(np.int16)


@functools.cache
def synth_samples(text: str, voice: str = "espeak", sample_rate: int = 16000) -> np.ndarray:
    """``text`` spoken by ``voice`` (``piper``, ``espeak`` or ``espeak-gb``) as int16 mono at
    ``sample_rate``."""
    samples, rate = _engine(voice).render(text)
    out = resample(samples, rate, sample_rate)
    out.setflags(write=False)
    return out


def synth_wav(
    text: str,
    path: str | Path,
    voice: str = "espeak",
    sample_rate: int = 16000,
    pad_seconds: float = 0.4,
) -> Path:
    """Write ``text`` spoken by ``voice`` to a mono 16-bit WAV at ``path``; return the path.

    ``pad_seconds`` of silence go before and after, as a person pauses around a request (the
    engines' own padding is trimmed, so recognizers get a clean, known lead-in).
    """
    pad = np.zeros(round(pad_seconds * sample_rate), dtype=np.int16)
    samples = np.concatenate([pad, synth_samples(text, voice, sample_rate), pad])
    return write_wav(path, samples, sample_rate)


def write_wav(path: str | Path, samples: np.ndarray, sample_rate: int = 16000) -> Path:
    """Write int16 mono ``samples`` to a 16-bit WAV file at ``path``; return the path."""
    path = Path(path)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(samples.astype("<i2").tobytes())
    return path
