"""Whisper through the real audio path: ``voice-repair run --engine whisper`` on the private
PulseAudio server hears requests in three voices (Piper, espeak-ng, flite's slt) played into the
``room`` sink and answers them, and acts on none of the everyday talk played the same way.

Accuracy rates are ``bench/asr.py``'s subject; a request is said up to twice here, as a person
repeats one that was not understood.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from live import LiveRun
from pulse import PulseServer
from testspeech import recording, write_wav

from voice_repair.asr.whispermodel import bundled_model_dir

pytestmark = [
    pytest.mark.slow,
    pytest.mark.model,
    pytest.mark.skipif(bundled_model_dir() is None, reason="Whisper model not installed"),
]

REQUESTS = {
    "piper": ("how much time is left", "pause.status"),
    "espeak": ("i need five more minutes", "pause.extend"),
    "slt": ("we're ready to talk", "pause.end"),
}
"""A request per voice, each a different intent. With no pause running each is answered by one
short line ("There's no pause running right now..."), so the test spends its time listening, not
waiting for long replies to end (three requests per voice with their full replies took 4 min)."""
TALK = {
    "piper": "we're ready to order",
    "espeak": "can you pause the movie",
    "slt": "stop by the bakery",
}
"""A near miss per voice, each close to a different request ("we're ready to talk", "pause",
"stop"); the long talk lists are ``bench/asr.py``'s (one sentence per voice here keeps
``make test`` within its time: three each took 18 s more)."""


def _wav(folder: Path, text: str, voice: str) -> Path:
    pad = np.zeros(round(0.4 * 16000), dtype=np.int16)
    name = f"{voice}_{text.replace(' ', '_')}.wav"
    return write_wav(folder / name, np.concatenate([pad, recording(text, voice), pad]))


def test_requests_in_three_voices_are_answered_and_talk_is_not(
    pulse: PulseServer, tmp_path: Path
) -> None:
    run = LiveRun(pulse, tmp_path, extra=("--engine", "whisper"))
    try:
        assert "recognizer: whisper" in run.log()
        for voice, (text, intent) in REQUESTS.items():
            run.request(_wav(tmp_path, text, voice), intent, tries=2)
            run.wait_listening()
        acted = run.log().count("intent ")
        for voice, text in TALK.items():
            play = ["paplay", "--device=room", str(_wav(tmp_path, text, voice))]
            assert subprocess.run(play, env=pulse.child_env(), timeout=60).returncode == 0
            time.sleep(1.0)  # a pause between sentences, as people leave
        time.sleep(3.0)  # every decision comes within about a second of the end of speech
        assert run.log().count("intent ") == acted, run.log()
    finally:
        run.stop()
