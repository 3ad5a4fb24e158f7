"""Reading recordings into the form both recognizers want: 16 kHz mono signed 16-bit samples.

``voice-repair recognize FILE.wav`` and the tests feed recordings through the very same
``Recognizer.accept`` path the microphone uses, so a file is cut into ``AudioChunk`` blocks with the
right time stamps. Recordings come from anywhere (phones record 44.1/48 kHz stereo, Piper speaks at
22.05 kHz), so rate and channels are converted here, with numpy only.
"""

from __future__ import annotations

import struct
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..errors import VoiceRepairError
from ..models import AudioChunk

__all__ = ["TARGET_RATE", "WavFileError", "chunks", "read_wav", "resample"]

TARGET_RATE = 16000
"""Samples per second the recognizers expect."""

MIN_RATE, MAX_RATE = 4000, 384000
"""Sample rates (Hz) a recording can have; anything else is a damaged header."""

MAX_SECONDS = 3600
"""The longest recording ``read_wav`` takes: it reads the whole file into memory."""


class WavFileError(VoiceRepairError):
    """A recording is missing, unreadable or not in a format we can convert."""


def read_wav(path: Path, rate: int = TARGET_RATE) -> np.ndarray:
    """Read a WAV file as int16 mono at ``rate`` Hz (channels averaged, sample rate converted)."""
    path = Path(path)
    if not path.is_file():
        raise WavFileError(f"{path}: no such file. Give the path of a .wav recording.")
    convert = f"Convert it first, e.g. `sox {path.name} -r 16000 -c 1 -b 16 out.wav`."
    try:
        with wave.open(str(path), "rb") as w:
            channels, width, src_rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            frames = w.getnframes()
            if not MIN_RATE <= src_rate <= MAX_RATE:
                raise WavFileError(
                    f"{path}: a sample rate of {src_rate} Hz is not audio. {convert}"
                )
            if frames > MAX_SECONDS * src_rate:
                raise WavFileError(
                    f"{path}: {frames / src_rate / 3600:.1f} hours long; recognize reads requests "
                    f"of at most {MAX_SECONDS // 60} minutes. Cut it into shorter recordings."
                )
            raw = w.readframes(frames)
    # The wave module reports a damaged header as wave.Error, EOFError, or a bare RuntimeError
    # (a chunk that claims more bytes than the file has).
    except (wave.Error, EOFError, RuntimeError, struct.error) as e:
        raise WavFileError(
            f"{path}: not a PCM WAV file ({e or type(e).__name__}). {convert}"
        ) from e
    raw = raw[: len(raw) - len(raw) % (width * channels)]  # a truncated last frame is dropped
    if width == 1:  # 8-bit WAV is unsigned
        data = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128.0) * 256.0
    elif width == 2:
        data = np.frombuffer(raw, "<i2").astype(np.float32)
    elif width == 3:
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int32)
        data = ((b[:, 0] << 8 | b[:, 1] << 16 | b[:, 2] << 24) >> 16).astype(np.float32)
    elif width == 4:
        data = (np.frombuffer(raw, "<i4") >> 16).astype(np.float32)
    else:
        raise WavFileError(f"{path}: {8 * width}-bit samples are not supported; use 16-bit PCM.")
    if channels > 1:
        data = data[: len(data) - len(data) % channels].reshape(-1, channels).mean(axis=1)
    if src_rate != rate:
        data = resample(data, src_rate, rate)
    return np.clip(np.round(data), -32768, 32767).astype(np.int16)


def resample(x: np.ndarray, src_rate: int, dst_rate: int, half_taps: int = 16) -> np.ndarray:
    """Band-limited resampling by windowed-sinc interpolation.

    Why not plain linear interpolation: going down from 22.05 or 48 kHz, energy above the new
    Nyquist frequency would fold back as hiss right in the band the recognizers listen to.
    The cut-off sits at the lower of the two Nyquist frequencies (times 0.95).
    """
    x = np.asarray(x, dtype=np.float32)
    if src_rate == dst_rate or len(x) == 0:
        return x.copy()
    n_out = round(len(x) * dst_rate / src_rate)
    ratio = min(1.0, dst_rate / src_rate) * 0.95
    padded = np.concatenate([np.zeros(half_taps + 1, np.float32), x, np.zeros(half_taps + 1)])
    out = np.empty(n_out, np.float32)
    offsets = np.arange(-half_taps, half_taps + 1)
    block = 2048  # keep the (block x taps) matrices small: ~0.5 MB each, not a 20 MB peak
    for b0 in range(0, n_out, block):
        t = np.arange(b0, min(n_out, b0 + block)) * (src_rate / dst_rate)
        base = np.floor(t).astype(np.int64)
        idx = base[:, None] + offsets[None, :]
        dist = t[:, None] - idx
        win = 0.5 + 0.5 * np.cos(np.pi * dist / (half_taps + 1))  # Hann window
        kernel = ratio * np.sinc(ratio * dist) * win
        out[b0 : b0 + len(t)] = (padded[idx + half_taps + 1] * kernel).sum(axis=1)
    return out


def chunks(
    samples: np.ndarray, block: int = 1600, rate: int = TARGET_RATE, start: float = 0.0
) -> Iterator[AudioChunk]:
    """Cut int16 samples into ``AudioChunk`` blocks of ``block`` samples (the last may be short)."""
    data = np.asarray(samples, dtype="<i2")
    for i in range(0, len(data), block):
        yield AudioChunk(data[i : i + block].tobytes(), rate, start + i / rate)
