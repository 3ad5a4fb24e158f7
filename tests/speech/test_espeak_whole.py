"""An espeak-ng phrase comes back whole, however busy the machine (``speech/espeakends.py``).

Under ``make test-under-load`` a six-second phrase came back cut to half: pyttsx3's loop let
``EspeakTTS`` read the WAV file while espeak-ng's thread was still writing it. The first test
is the busy machine itself; the second holds the driver's writer at mid-file, a stand-in for a
writer thread descheduled there, so the early read is caught every time, not one time in 240.
"""

from __future__ import annotations

import gc
import subprocess
import threading
import types
import wave

import pytest

import voice_repair.speech.engines as engines
from voice_repair.speech.engines import make_tts

PHRASES = (
    "I hear you.",
    "Let's take a pause and breathe together for a moment.",
    "Breath number three.",
)


def _fresh_espeak() -> engines.EspeakTTS:
    """A new engine as a reply would make one, with no other espeak engine left alive (the
    first phrase of a fresh pyttsx3 driver is where its loop ended early)."""
    gc.collect()
    return make_tts("espeak")


def test_espeak_phrase_is_read_only_once_its_file_is_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = PHRASES[1]
    whole = make_tts("espeak").render(text)[0].size
    half_written, reader_opened = threading.Event(), threading.Event()

    class SlowWriter:
        """The driver's WAV writer, held after the header (full length) and half the sound."""

        def __init__(self, path: str, mode: str) -> None:
            self._wav = wave.open(path, mode)  # noqa: SIM115 (closed by __exit__)

        def __enter__(self) -> SlowWriter:
            return self

        def __exit__(self, *exc: object) -> None:
            self._wav.close()

        def __getattr__(self, name: str) -> object:
            return getattr(self._wav, name)

        def writeframes(self, data: bytes) -> None:
            self._wav.setnframes(len(data) // 2)
            self._wav.writeframesraw(data[: len(data) // 2])
            self._wav._file.flush()
            half_written.set()
            reader_opened.wait(0.5)  # the fixed engine never opens it early: 0.5 s lost
            self._wav.writeframesraw(data[len(data) // 2 :])

    def reader(path: str, mode: str) -> wave.Wave_read:
        if not half_written.is_set():
            half_written.wait(5.0)  # an early reader meets the file at mid-write
        reader_opened.set()
        return wave.open(path, mode)

    import pyttsx3.drivers.espeak as driver

    monkeypatch.setattr(driver, "wave", types.SimpleNamespace(open=SlowWriter, Error=wave.Error))
    monkeypatch.setattr(engines, "wave", types.SimpleNamespace(open=reader, Error=wave.Error))
    got = _fresh_espeak().render(text)[0].size
    assert got >= 0.98 * whole, f"{got} samples of {whole}: read while still being written"


@pytest.mark.slow
def test_espeak_phrases_are_whole_on_a_busy_machine() -> None:
    quiet = {text: make_tts("espeak").render(text)[0].size for text in PHRASES}
    # One busy loop, as ``make test-under-load`` has: more would starve the other worker's
    # timing tests beside this one. (The early read was seen 1 time in 240 with three.)
    burners = [subprocess.Popen(["bash", "-c", "while :; do :; done"])]
    try:
        sizes = [(text, _fresh_espeak().render(text)[0].size) for _ in range(5) for text in PHRASES]
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    cut = [(text, size, quiet[text]) for text, size in sizes if size < 0.98 * quiet[text]]
    assert cut == [], f"phrases cut short under load (text, samples, quiet samples): {cut}"
