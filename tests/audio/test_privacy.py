"""No spoken word reaches the disk or the log, unless ``--debug-transcripts`` asks for it loudly.

A session is run (typed, and spoken through the PulseAudio server with ``-v``) with a sentence
that matches nothing. Then every file the process could have written (its data folder, its
HOME and TMPDIR, which point into the test's own folder) and its whole log are searched for
the words. The process is the real product; what it logs is whatever its code logs.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from live import PAUSE_REQUESTS, ROOT, LiveRun, spoken_request
from pulse import PulseServer
from testspeech import synth_wav
from timing import budget

pytestmark = pytest.mark.slow

SECRET = "the purple elephant borrowed my bicycle"
WORDS = ("purple", "elephant", "borrowed", "bicycle")


def _leaks(folder: Path, words: tuple[str, ...]) -> list[str]:
    """Every file under ``folder`` (any format, searched as bytes) containing one of ``words``."""
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes().lower()
            found += [f"{path}: {w}" for w in words if w.encode() in data]
    return found


_AUDIO_MAGIC = (b"RIFF", b"OggS", b"fLaC", b"ID3", b"FORM", b".snd")


SHELF = Path(".cache", "voice-repair", "speech")
"""Where the assistant renders its own fixed lines ahead (``speech/shelf.py``): audio, but only
of sentences the content says, each file named by the digest of its sentence."""


def _audio_files(folder: Path) -> list[str]:
    """Files that could hold audio: a sound-file header, or big enough for seconds of it
    (16 kHz 16-bit is 32 kB a second; the timer store and the libraries' small state files,
    such as onnxruntime's device id, are far below that). The speech shelf is left to
    ``_shelved``."""
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.relative_to(folder).is_relative_to(SHELF):
            head = path.read_bytes()[:4]
            if head.startswith(_AUDIO_MAGIC) or path.stat().st_size > 96_000:
                found.append(str(path.relative_to(folder)))
    return found


def _shelved(folder: Path, said: set[str]) -> list[str]:
    """Files on the speech shelf named for something said to the assistant (or heard by it):
    the shelf must hold the assistant's own lines only."""
    names = {hashlib.sha256(t.encode()).hexdigest()[:32] for t in said}
    names |= {hashlib.sha256(t.capitalize().encode()).hexdigest()[:32] for t in said}
    return [str(p) for p in (folder / SHELF).rglob("*.npy") if p.stem in names]


def test_text_mode_keeps_nothing_of_what_was_typed(tmp_path: Path) -> None:
    base = tmp_path / "session"
    base.mkdir()
    env = {**os.environ, "HOME": str(base), "TMPDIR": str(base), "XDG_CONFIG_HOME": str(base)}
    # A hang guard, not a speed check: a few seconds quiet, but this fresh `chat` (its own
    # empty cache) passed 60 s twice at a load average of 17-30 (2026-12-07), so the guard
    # grows with the slowness measured, as test_cli's does.
    out = subprocess.run(
        [sys.executable, "-m", "voice_repair", "chat", "-v", "--data-dir", str(base / "data")],
        input=f"{SECRET}\nI need a pause\nhow much time is left\n", capture_output=True,
        text=True, cwd=ROOT, env=env, timeout=budget(60),
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "intent pause.start" in out.stderr and "no intent" in out.stderr  # it did log
    assert not [w for w in WORDS if w in out.stderr.lower()], out.stderr
    assert not [w for w in WORDS if w in out.stdout.lower()], out.stdout  # not echoed either
    assert _leaks(base, WORDS) == []


def test_a_voice_session_keeps_no_audio_and_no_words(pulse: PulseServer, tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"  # the test's own recordings live outside the session folder
    inputs.mkdir()
    secret = synth_wav(SECRET, inputs / "secret.wav", voice="piper")
    pause = spoken_request(PAUSE_REQUESTS, inputs, "pause.start")

    # First, opted in: the transcript is logged, with a warning at the start.
    loud = tmp_path / "loud"
    loud.mkdir()
    run = LiveRun(pulse, loud, extra=("--debug-transcripts",))
    try:
        pulse.play_into_room(secret)
        run.wait_for("heard ", timeout=20)
    finally:
        run.stop()
    log = run.log()
    assert "DEBUG TRANSCRIPTS ARE ON" in log.split("heard ")[0]  # loudly, before anything heard
    heard = [line.split("heard ", 1)[1] for line in log.splitlines() if "heard " in line]
    # Whatever the recognizer made of the sentence is also something that must not leak.
    texts = {h.split("'")[1] for h in heard if h.count("'") >= 2} - {""}

    # Then the default: the same sentence and a real request, with -v.
    base = tmp_path / "session"
    base.mkdir()
    # Its own cache folder, inside the one searched (the rig shares one between tests).
    run = LiveRun(pulse, base, env={"XDG_CACHE_HOME": str(base / ".cache")})
    try:
        pulse.play_into_room(secret)
        run.wait_for("utterance without a request", timeout=20)
        run.request(pause.wav, "pause.start")
    finally:
        assert run.stop() == 0, run.log()
    log = run.log().lower()
    assert "heard" not in log and "debug transcripts" not in log
    assert not [w for w in (*WORDS, *texts) if w in log], log
    assert pause.text not in log  # not even the request's words: only its intent name
    assert _leaks(base, (*WORDS, *texts)) == []
    assert _audio_files(base) == []  # and no recording of any kind
    assert _shelved(base, {SECRET, pause.text, *texts}) == []
