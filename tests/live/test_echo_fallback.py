"""With ``audio.echo_process`` on (the default), an echo process that cannot start leaves the
echo path in the assistant's process, said in the log: never a silent loss of "stop"; and one
that ends leaves no file behind.

Real parts: ``set_up_echo_cancel`` starting a real echo process (a child Python that imports
the echo path). To make it fail for real, the child's import path starts with a folder whose
``numpy`` raises on import, the way a broken or missing install fails it; this test process has
numpy loaded already and is not affected.
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from timing import budget

from voice_repair.audio.echo import EchoCanceller
from voice_repair.audio.echo_setup import set_up_echo_cancel
from voice_repair.audio.echoremote import EchoProcess
from voice_repair.models import AudioChunk

RATE = 16000


def _cancels(setup) -> int:
    """Samples that come out of the set-up's stream for two seconds of microphone audio."""
    noise = np.random.default_rng(3).normal(0, 300.0, 2 * RATE).astype("<i2")
    chunks = [
        AudioChunk(noise[i : i + 320].tobytes(), RATE, i / RATE) for i in range(0, noise.size, 320)
    ]
    return sum(len(c.samples) // 2 for c in setup.stream(iter(chunks), lambda c: 100.0 + c.start))


def test_an_echo_process_that_cannot_start_leaves_the_echo_path_here_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "numpy.py").write_text("raise ImportError('numpy is broken here (the test)')\n")
    root = Path(__file__).resolve().parents[2]
    monkeypatch.setenv("PYTHONPATH", f"{broken}:{root}")
    with caplog.at_level(logging.WARNING, logger="voice_repair.audio.echo_setup"):
        setup = set_up_echo_cancel("speex", process=True)
    try:
        assert isinstance(setup.canceller, EchoCanceller), setup.reason
        assert "did not start" in setup.reason and setup.active
        said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        assert any("echo process did not start" in m and "assistant's process" in m
                   for m in said), said  # fmt: skip
        assert _cancels(setup) >= RATE  # and it works: the microphone's audio comes through
    finally:
        setup.close()


def test_an_echo_process_that_starts_is_used() -> None:
    """Started at set-up, running (fed in real time: ``test_echo_process.py``)."""
    setup = set_up_echo_cancel("speex", process=True)
    try:
        assert isinstance(setup.canceller, EchoProcess), setup.reason
        assert "a process of its own" in setup.reason
        assert setup.canceller._proc is not None and setup.canceller._proc.poll() is None
    finally:
        setup.close()


@pytest.mark.parametrize("ends", ["closed", "killed"])
def test_an_echo_process_leaves_no_files_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ends: str
) -> None:
    """Its stop spotter writes pocketsphinx dictionaries to a temporary folder; the process
    ends with ``os._exit`` (or is killed), so that folder outlived it: the privacy test found
    the English dictionary in the session folder of a run with ``audio.echo_process`` on."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    proc = EchoProcess("speex")
    try:
        proc.spot(["stop", "stop talking", "be quiet"], lambda *_stop: None)
        proc.start()  # told the phrases at its start: the spotter writes its dictionaries
        deadline = time.monotonic() + budget(20.0)
        while not list(tmp_path.rglob("kws")) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert list(tmp_path.rglob("kws")), "the spotter wrote no files: nothing tested"
        if ends == "killed":
            assert proc._proc is not None
            proc._proc.kill()
            proc._proc.wait(5)
    finally:
        proc.close()
    assert list(tmp_path.rglob("*")) == []
