"""``voice-repair recognize --engine wyoming --wyoming-uri tcp://127.0.0.1:PORT``: the same results
as the local engine on the same model, and with nothing listening, the local engine's results
and one line on standard error.

The client is a real subprocess of the command line; the server is the ``wyoming`` package's own
TCP server around our Whisper tiny.en, on 127.0.0.1 (``tests/wyomingservers.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from testspeech import synth_wav
from wyomingservers import WyomingServer, free_port

from voice_repair.asr.whisper import WhisperRecognizer
from voice_repair.asr.whispermodel import bundled_model_dir

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.model,
    pytest.mark.slow,
    pytest.mark.skipif(bundled_model_dir() is None, reason="Whisper model not installed"),
]

SAID = [
    ("i need a pause", "piper"),
    ("i need ten minutes", "espeak"),
    ("help me calm down", "piper"),
    ("can you pause the movie", "piper"),
]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> list[str]:
    folder = tmp_path_factory.mktemp("said")
    return [
        str(synth_wav(text, folder / f"{i}-{voice}.wav", voice))
        for i, (text, voice) in enumerate(SAID)
    ]


def recognize(tmp_path: Path, files: list[str], *args: str) -> tuple[list[dict], str]:
    config = tmp_path / "config.toml"  # room for a server sharing two loaded cores with us
    config.write_text("[recognition]\nanswer_seconds = 20\n", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "voice_repair", "recognize", "--config", str(config), "--json",
         *args, *files],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    return [{k: r[k] for k in ("file", "text", "intent", "slots", "decided_at")} for r in rows], (
        out.stderr
    )


def meanings(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "decided_at"} for r in rows]


def test_recognize_over_wyoming_gives_the_local_engines_results(tmp_path, files):
    here, _ = recognize(tmp_path, files, "--engine", "whisper")
    assert [r["intent"] for r in here] == ["pause.start", "pause.start", "ground", None]
    with WyomingServer("whisper", whisper=WhisperRecognizer(["stop"])) as server:
        there, stderr = recognize(
            tmp_path, files, "--engine", "wyoming", "--wyoming-uri", server.uri
        )
        assert server.requests >= len(files)
    assert meanings(there) == meanings(here)
    assert "cannot be used" not in stderr


def test_with_nothing_listening_the_local_engine_decides_and_says_so_once(tmp_path, files):
    here, _ = recognize(tmp_path, files, "--engine", "whisper")
    uri = f"tcp://127.0.0.1:{free_port()}"
    there, stderr = recognize(tmp_path, files, "--engine", "wyoming", "--wyoming-uri", uri)
    assert meanings(there) == meanings(here)
    # decided (file time, compute included) about as soon as locally: a second lost at most
    late = sorted(b["decided_at"] - a["decided_at"] for a, b in zip(here, there, strict=True))
    assert late[len(late) // 2] <= 1.0, late
    said = [line for line in stderr.splitlines() if "cannot be used" in line]
    assert len(said) == 1 and "connection refused" in said[0], stderr
    assert "Traceback" not in stderr and "pause" not in stderr
