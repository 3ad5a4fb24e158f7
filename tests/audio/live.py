"""``voice-repair run`` as a real child process on the private PulseAudio server.

The resilience and privacy tests drive the whole product from outside, as a user would: speak
into the ``room`` sink, read the ``-v`` log (intent names and timer events), record what it says.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pulse import PulseServer
from testspeech import synth_samples, synth_wav, write_wav

ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def shared_cache() -> Path:
    """One cache folder (``$XDG_CACHE_HOME``) for every ``run`` this test process starts, the
    way one device keeps its cache across restarts: the assistant's fixed lines are rendered
    ahead once (about two minutes of Piper's CPU, ``speech/shelf.py``) and the data check is
    passed once, instead of in every test, competing with the recognizer there. Removed at exit.
    A test that inspects the cache gives its own (``env={"XDG_CACHE_HOME": ...}``).

    With several test processes (``pytest -n``) they share one folder, named by the run
    (``tests/conftest.py`` sets ``VR_TEST_SHARED_CACHE`` and removes it at the end), so the
    lines are rendered once per run, not once per process (the cache's writes are atomic)."""
    given = os.environ.get("VR_TEST_SHARED_CACHE")
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    folder = Path(tempfile.mkdtemp(prefix="vr-audio-cache-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


QUIET_CONFIG = """\
[pause]
default_minutes = 20
nudges_at = []
warning_minutes = 0
repeat_count = 0
"""
"""A pause that says nothing between its start and its end, so the room stays quiet."""


TEST_ECHO = "VR_TEST_ECHO"
"""Run every ``LiveRun`` of a test run with echo settings its test did not ask for, to see
whether the suite passes with them (README, "the echo process on by default"): words joined by
``+``, ``speex`` (``echo_cancel = "speex"``), ``process`` (``echo_process = true``),
``inprocess`` (``echo_process = false``); e.g. ``speex+inprocess`` against ``speex+process``.
A setting the test wrote itself is kept. Unset: the configs as written."""

_TEST_ECHO_WORDS = {
    "speex": ("echo_cancel", '"speex"'),
    "process": ("echo_process", "true"),
    "inprocess": ("echo_process", "false"),
}


def with_test_echo(config: str, switch: str | None = None) -> str:
    """``config`` with the ``VR_TEST_ECHO`` settings added (``switch`` overrides the
    variable); an unknown word is an error saying which are known."""
    switch = os.environ.get(TEST_ECHO, "") if switch is None else switch
    words = [w for w in switch.split("+") if w]
    unknown = [w for w in words if w not in _TEST_ECHO_WORDS]
    if unknown:
        raise ValueError(f"{TEST_ECHO}={switch!r}: {unknown} unknown; words: "
                         f"{', '.join(_TEST_ECHO_WORDS)}, joined by +")  # fmt: skip
    audio = tomllib.loads(config).get("audio", {})
    wanted = dict(_TEST_ECHO_WORDS[w] for w in words)
    lines = "".join(f"{k} = {v}\n" for k, v in wanted.items() if k not in audio)
    if not lines:
        return config
    if "[audio]\n" in config:
        return config.replace("[audio]\n", "[audio]\n" + lines, 1)
    return config + ("" if config.endswith("\n") or not config else "\n") + "[audio]\n" + lines


PAUSE_REQUESTS = (
    "pause for ten minutes", "i need a pause", "i need a time out", "pause for fifteen minutes",
    "we need a break",
)  # fmt: skip
OTHER_REQUESTS = (
    "how much time is left", "help me calm down", "end the pause", "what can you do",
    "give me a repair idea",
)  # fmt: skip
"""Requests other than a pause or "stop", any of which shows the assistant is listening."""


def _render(text: str, path: Path, voice: str, fresh: bool) -> Path:
    """``synth_wav``, or a new rendering (not the cached one) when ``fresh``."""
    if not fresh:
        return synth_wav(text, path, voice=voice)
    samples = synth_samples.__wrapped__(text, voice)  # functools.cache keeps the original
    pad = np.zeros(round(0.4 * 16000), dtype=np.int16)
    return write_wav(path, np.concatenate([pad, samples, pad]))


@dataclass(frozen=True)
class Spoken:
    """A synthesized request that the product's recognizer understands."""

    wav: Path
    text: str
    intent: str
    slots: dict[str, object]


def spoken_request(candidates: Sequence[str], folder: Path, intent: str | None = None) -> Spoken:
    """The first candidate (Piper's voice, then espeak-ng's) that ``voice-repair recognize``
    hears as one request (``intent``, or any when None).

    These tests are about the loop, not about recognition accuracy (that is test_asr.py): a
    request the recognizer gets right today is chosen, through the product's own recognize
    path, so tuning the recognizer does not break them. None recognized is a failure.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    # Piper speaks a little differently each time (its synthesis is randomised), so each text
    # gets a few renderings; espeak-ng is deterministic and gets one.
    attempts = [(voice, text, n) for n in range(3) for text in candidates for voice in ("piper",)]
    attempts += [("espeak", text, 0) for text in candidates]
    for voice, text, n in attempts:
        # One process per file: each is heard as the first thing a fresh ``run`` hears.
        wav = folder / f"{voice}_{n}_{text.replace(' ', '_')}.wav"
        _render(text, wav, voice, fresh=n > 0)
        out = subprocess.run(
            [sys.executable, "-m", "voice_repair", "recognize", "--json", "--engine",
             "pocketsphinx", str(wav)],
            cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        rows = [json.loads(line) for line in out.stdout.splitlines()]
        heard = [r["intent"] for r in rows]
        if len(heard) == 1 and heard[0] and heard[0] == (intent or heard[0]):
            return Spoken(wav, text, heard[0], rows[0]["slots"])
    raise AssertionError(f"none of {candidates} is recognized as {intent} (last: {rows})")


class LiveRun:
    """One ``voice-repair run -v`` process; its stderr (the log) goes to ``log_path``."""

    def __init__(
        self,
        pulse: PulseServer,
        base: Path,
        minute: float = 0.5,
        config: str = QUIET_CONFIG,
        extra: tuple[str, ...] = (),
        env: dict[str, str | None] | None = None,
        start_timeout: float = 240.0,
    ) -> None:
        """``env`` adds to the server's environment; a None value removes that variable.
        ``start_timeout``: seconds to wait for "Listening.", only a cap against a hang (at a
        load average of 22 the soak's start took over 90 s; at 14, a test's did)."""
        self.pulse = pulse
        self.base = base
        self.data_dir = base / "data"
        self.config_path = base / "voice-repair.toml"
        self.config_path.write_text(with_test_echo(config))
        self.log_path = base / "run.log"
        self.out_path = base / "run.out"
        cmd = [
            sys.executable, "-m", "voice_repair", "run", "-v", "--config", str(self.config_path),
            "--data-dir", str(self.data_dir), "--minute", str(minute), "--engine", "pocketsphinx",
            *extra,
        ]  # fmt: skip
        merged = {
            **pulse.child_env(),
            "TMPDIR": str(base),
            "HOME": str(base),
            "XDG_CACHE_HOME": str(shared_cache()),
            **(env or {}),
        }
        child_env = {k: v for k, v in merged.items() if v is not None}
        with open(self.log_path, "wb") as err, open(self.out_path, "wb") as out:
            self.proc = subprocess.Popen(
                cmd, cwd=ROOT, env=child_env, stdin=subprocess.DEVNULL, stdout=out, stderr=err
            )
        try:
            self.wait_for("Listening.", timeout=start_timeout, path=self.out_path)
        except BaseException:
            self.stop()  # no test holds this run yet to stop it: it would outlive the suite
            raise

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def count(self, text: str) -> int:
        return self.log().count(text)

    def wait_for(
        self, text: str, count: int = 1, timeout: float = 30.0, path: Path | None = None
    ) -> float:
        """Wait until ``text`` appears ``count`` times; return ``time.monotonic()`` then."""
        path = path or self.log_path
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if path.read_text(errors="replace").count(text) >= count:
                return time.monotonic()
            if self.proc.poll() is not None:
                raise AssertionError(f"voice-repair exited ({self.proc.returncode}):\n{self.log()}")
            time.sleep(0.05)
        raise AssertionError(f"{text!r} x{count} not seen in {timeout} s; log:\n{self.log()}")

    def request(self, wav: Path, intent: str, tries: int = 3, device: str = "room") -> float:
        """Say ``wav`` until ``intent`` is acted on (as a person repeats a request that was
        not understood); return ``time.monotonic()`` when it was. Recognition accuracy is
        test_asr.py's subject; these tests are about what happens around it."""
        before = self.count(f"intent {intent}")
        for _ in range(tries):
            proc = subprocess.Popen(
                ["paplay", f"--device={device}", str(wav)], env=self.pulse.child_env()
            )
            assert proc.wait(60) == 0, f"paplay failed on {wav}"
            try:
                return self.wait_for(f"intent {intent}", count=before + 1, timeout=6)
            except AssertionError:
                self.wait_listening()
        raise AssertionError(f"{intent} never acted on in {tries} tries; log:\n{self.log()}")

    def wait_listening(self, timeout: float = 60.0) -> None:
        """Wait until the assistant has finished speaking and listens again.

        The log says so ("speech ended: listening"); sound alone cannot tell, because replies hold
        timed silences of several seconds.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            events = [
                line for line in self.log().splitlines()
                if "speaking: " in line or "speech ended: listening" in line
            ]  # fmt: skip
            if not events or "speech ended: listening" in events[-1]:  # never spoke, or done
                time.sleep(0.3)
                return
            time.sleep(0.1)
        raise AssertionError(f"the assistant never finished speaking; log:\n{self.log()}")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode
