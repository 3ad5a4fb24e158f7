"""The echo path's record writes audio, so it is written only when the bench asks for it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from voice_repair.audio import echorecord
from voice_repair.audio.echo import RATE, EchoCanceller, PlayedAudio
from voice_repair.models import AudioChunk


def _fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(echorecord, "_CHECKED", False)
    monkeypatch.setattr(echorecord, "_RECORD", None)


def _cancel_some(at: float = 100.0) -> None:
    played = PlayedAudio()
    voice = (np.sin(np.arange(RATE) * 0.05) * 5000).astype(np.int16)
    played.started(voice, at)
    canceller = EchoCanceller(played, "none")
    for i in range(10):
        block = voice[i * 320 : (i + 1) * 320]
        canceller.cancel(AudioChunk(block.tobytes(), RATE, i * 0.02), at + i * 0.02)


def test_nothing_is_recorded_unless_the_bench_asks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _fresh(monkeypatch)
    monkeypatch.delenv(echorecord.ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    _cancel_some()
    assert echorecord.from_env() is None
    assert list(tmp_path.iterdir()) == []


def test_the_bench_gets_the_microphone_and_the_reference_it_asked_for(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _fresh(monkeypatch)
    folder = tmp_path / "record"
    monkeypatch.setenv(echorecord.ENV, str(folder))
    _cancel_some()
    near = np.fromfile(folder / "near.s16", dtype="<i2")
    far = np.fromfile(folder / "far.s16", dtype="<i2")
    assert near.size == far.size == 3200  # ten 20 ms blocks, every sample the canceller saw
    assert far.any()  # the reference the canceller was handed, not silence
    assert len((folder / "blocks.tsv").read_text().splitlines()) == 10
