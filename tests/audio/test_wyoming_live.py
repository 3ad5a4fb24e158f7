"""``voice-repair run --engine wyoming`` through the real audio path: requests played into the
private PulseAudio server's ``room`` sink are transcribed by a Wyoming server on 127.0.0.1 (the
``wyoming`` package's own server around our Whisper) and answered; when that server is switched
off mid-run, the next request is decided by local Whisper, with one log line, and the process
never stops listening. How long the decisions take, next to local Whisper's, is a benchmark's
question, not this test's (``-s`` prints the times seen here).
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from live import QUIET_CONFIG, LiveRun
from pulse import PulseServer
from testspeech import recording, write_wav
from wyomingservers import WyomingServer

from voice_repair.asr.whisper import WhisperRecognizer
from voice_repair.asr.whispermodel import bundled_model_dir

pytestmark = [
    pytest.mark.slow,
    pytest.mark.model,
    pytest.mark.skipif(bundled_model_dir() is None, reason="Whisper model not installed"),
]

SAID = [("how much time is left", "pause.status"), ("what can you do", "control.help")]
CONFIG = QUIET_CONFIG + "\n[recognition]\nanswer_seconds = 20\n"
"""Room for a server that shares two loaded cores with the client (a home server has its own)."""


def _wav(folder: Path, text: str) -> Path:
    pad = np.zeros(round(0.4 * 16000), dtype=np.int16)
    return write_wav(folder / f"{text.replace(' ', '_')}.wav",
                     np.concatenate([pad, recording(text, "piper"), pad]))  # fmt: skip


def _decide(run: LiveRun, pulse: PulseServer, wav: Path, intent: str) -> float:
    """Play ``wav`` once; seconds from the end of playback to the intent being acted on."""
    before = run.count(f"intent {intent}")
    spoken = run.count(f"speaking: {intent}")
    play = ["paplay", "--device=room", str(wav)]
    assert subprocess.run(play, env=pulse.child_env(), timeout=60).returncode == 0
    ended = time.monotonic()
    acted = run.wait_for(f"intent {intent}", count=before + 1, timeout=30)
    # The reply's "speaking:" line comes a moment after the intent's: waiting for the end of
    # speech before it has begun returned at once, and the next request was played over the
    # reply and rightly ignored ("heard while speaking"; a fresh clone, 2026-12-06).
    run.wait_for(f"speaking: {intent}", count=spoken + 1, timeout=30)
    run.wait_listening()
    return acted - ended


def test_run_over_wyoming_answers_and_survives_the_server_going_away(
    pulse: PulseServer, tmp_path: Path
) -> None:
    wavs = [(_wav(tmp_path, text), intent) for text, intent in SAID]
    (tmp_path / "there").mkdir()
    server = WyomingServer("whisper", whisper=WhisperRecognizer(["stop"]))
    extra = ("--engine", "wyoming", "--wyoming-uri", server.uri)
    run = LiveRun(pulse, tmp_path / "there", config=CONFIG, extra=extra)
    try:
        assert "recognizer: wyoming" in run.log()
        there = [_decide(run, pulse, wav, intent) for wav, intent in wavs]
        assert server.requests >= len(wavs)
        server.close()  # switched off mid-run
        after = _decide(run, pulse, wavs[0][0], wavs[0][1])
        assert run.proc.poll() is None
    finally:
        run.stop()
        server.close()
    log = run.log()
    assert log.count("cannot be used") == 1 and "Traceback" not in log
    print(f"\nend of speech -> intent: wyoming {there}, server off (local) {after:.2f}")
