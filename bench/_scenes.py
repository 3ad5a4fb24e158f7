"""The rooms the recognition bench hears its test speech in (the voices: ``tests/testspeech.py``).

Conditions: clean; white and pink noise at 10 dB SNR over the speech (pink is closer to a room's
hum, traffic or a fan: most of its energy sits where speech is); and a reverberant room (sox
``reverb``: 50% reverberance, full room scale) with white noise at 20 dB SNR. Every recording
also gets a faint noise floor (RMS 20, about -64 dBFS), since a real microphone never delivers
digital silence.
"""

from __future__ import annotations

import subprocess

import numpy as np

__all__ = ["CONDITIONS", "scene"]

CONDITIONS = ("clean", "10 dB white", "10 dB pink", "reverb 20 dB")
RATE = 16000


def _noise(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    white = rng.normal(0.0, 1.0, n)
    if kind == "white":
        return white
    spec = np.fft.rfft(white)
    f = np.arange(spec.size, dtype=float)
    f[0] = 1.0
    pink = np.fft.irfft(spec / np.sqrt(f), n)
    return pink / pink.std()


def _reverb(x: np.ndarray) -> np.ndarray:
    """A reverberant room: sox ``reverb`` (50% reverberance, room scale 100%)."""
    raw = ["-t", "raw", "-r", str(RATE), "-e", "signed", "-b", "16", "-c", "1"]
    out = subprocess.run(
        ["sox", *raw, "-", *raw, "-", "reverb", "50", "50", "100"],
        input=np.clip(x, -32768, 32767).astype("<i2").tobytes(),
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(out, "<i2").astype(float)[: x.size]


def scene(speech: np.ndarray, condition: str, rng: np.random.Generator) -> np.ndarray:
    """``speech`` with 0.5 s before and 1 s after, heard in ``condition`` (int16)."""
    audio = np.concatenate([np.zeros(8000), speech.astype(float), np.zeros(16000)])
    active = speech[np.abs(speech) > 300].astype(float)
    power = float(np.mean(active**2)) if active.size else 1.0
    snr: float | None = None
    kind = "white"
    if condition.startswith("10 dB"):
        snr, kind = 10.0, condition.split()[-1]
    elif condition.startswith("reverb"):
        audio, snr = _reverb(audio), 20.0
    audio = audio + rng.normal(0, 20, audio.size)
    if snr is not None:
        audio += _noise(kind, audio.size, rng) * np.sqrt(power / 10 ** (snr / 10))
    return np.clip(audio, -32768, 32767).astype(np.int16)
