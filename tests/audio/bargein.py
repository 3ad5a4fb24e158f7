"""Barge-in trials: a bare "stop" said over the assistant's own speech, in an echoing room.

Shared by ``tests/audio/test_barge_in.py`` and ``bench/bargein.py``. The room carries the
assistant's voice back into its microphone (``PulseServer.echo``) at the level that makes it as
loud there as the person saying "stop" (``echo_level_db``: the two measured on the same Piper
voice). A trial asks for a long guided exercise, waits a random second or two into it, says
"stop", and reads the product's log: was the speech cut ("stop heard while speaking"), and how
long after the end of the word (the word's end is when ``paplay`` finished, less the silence
after the word in the file: the room tap cannot show it, the echo fills it).
"""

from __future__ import annotations

import random
import subprocess
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from echoroom import EchoSpec
from rig import Rig

LONG_REPLY = "help me calm down"
"""A request whose answer (a guided grounding exercise) is long enough to say "stop" over."""

CONFIG = """\
[pause]
default_minutes = 20
nudges_at = []
warning_minutes = 0
repeat_count = 0

[audio]
echo_cancel = "{method}"
"""
"""``tests/audio/live.QUIET_CONFIG`` with the echo canceller chosen."""


@dataclass(frozen=True)
class Trial:
    cut: bool
    """The speech was interrupted by the "stop"."""
    after_s: float | None
    """End of the word -> its voice cut as heard, seconds; None if not cut: silenced when the
    stop phrase was spotted ("speech silenced", the last before the stop was acted on), else
    when it was acted on ("stop heard while speaking": the code before the silence had only
    that)."""
    other: list[str]
    """Intents acted on in the trial other than the exercise and the stop (self-triggers)."""
    word_end: float = 0.0
    """``time.monotonic()`` at the end of the word (for reading the product's log beside it)."""
    cut_early: bool = False
    """Its own voice cut the reply before the word began (a false stop): the word was not
    acted on, whatever came after it."""
    acted_s: float | None = None
    """End of the word -> the stop acted on (the rest of the reply dropped), seconds."""


def _wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")


def speech_rms(samples: np.ndarray) -> float:
    """Loudness of the sounding part (20 ms frames above a floor), as the microphone hears it."""
    frames = samples[: samples.size // 320 * 320].reshape(-1, 320).astype(np.float64)
    rms = np.sqrt((frames**2).mean(axis=1))
    loud = rms[rms > 150]
    return float(np.sqrt((loud**2).mean())) if loud.size else 0.0


def trailing_silence_s(samples: np.ndarray, rate: int = 16000) -> float:
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > 300)
    return (samples.size - 1 - loud[-1]) / rate if loud.size else 0.0


def word_seconds(samples: np.ndarray, rate: int = 16000) -> float:
    """How long the word in ``samples`` lasts (first to last sample above a faint floor)."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > 300)
    return (loud[-1] - loud[0]) / rate if loud.size else 0.0


def _cut_before(rig: Rig, lines: list[str], until: float) -> bool:
    """Was the speech cut as "stop" before ``until`` (``time.monotonic()``) in ``lines``?"""
    for line in lines:
        if "stop heard while speaking" in line:
            at = rig.logged_at(line)
            if at is not None and at < until:
                return True
    return False


def echo_level_db(rig: Rig, stop_wav: Path, request_wav: Path) -> float:
    """The echo gain that makes the assistant's voice as loud in the room as ``stop_wav``:
    measured on its answer to ``request_wav`` (no echo while measuring)."""
    rig.pulse.echo(None)
    rig.settle()
    _, end = rig.play(request_wav)
    deadline = time.monotonic() + 30  # a busy machine may take long to start the answer
    first = None
    while first is None and time.monotonic() < deadline:
        time.sleep(0.2)
        first = rig.speaker.first_loud(end, time.monotonic())
    time.sleep(4.0)
    loud = [r for t, r in list(rig.speaker.frames) if t > end and r > 150]
    quiet(rig, stop_wav)
    assert loud, "the answer was never heard on the speaker"
    voice = float(np.sqrt(np.mean(np.square(loud))))
    return 20 * np.log10(speech_rms(_wav(stop_wav)) / voice)


def quiet(rig: Rig, stop_wav: Path, spec: EchoSpec | None = None) -> None:
    """End the exercise by saying "stop" with the echo off (as without it, the way it always
    worked), then put the echo ``spec`` back: the next trial need not wait out a long reply."""
    for attempt in range(6):
        if not rig.speaking():
            break
        if attempt == 2:  # the echo stays while it can: the canceller keeps learning the room
            rig.pulse.echo(None)
        rig.pulse.play_into_room(stop_wav)
        time.sleep(1.5)
    rig.settle()
    rig.pulse.echo(spec)


def trial(
    rig: Rig,
    request_wav: Path,
    stop_wav: Path,
    spec: EchoSpec,
    rng: random.Random,
    after: tuple[float, float] = (1.0, 3.0),
    quiet_wav: Path | None = None,
) -> Trial | None:
    """One "stop" over its speech, the room echoing as ``spec`` says, a random ``after``
    seconds into the reply; None when the exercise did not start (that is not a barge-in).
    A reply its own voice cut before the word began is a trial with ``cut_early``.
    ``quiet_wav`` ends the reply afterwards (``stop_wav`` when None): with everyday talk in
    ``stop_wav``, ``cut`` is a false stop."""
    quiet_wav = quiet_wav or stop_wav
    rig.pulse.echo(spec)
    rig.settle()
    mark = len(rig.lines())
    start = mark
    _, end = rig.play(request_wav)
    if "ground" not in rig.intents(rig.outcome(mark)):
        return None
    deadline = time.monotonic() + 6
    first = None
    while first is None and time.monotonic() < deadline:
        time.sleep(0.05)
        first = rig.speaker.first_loud(end, deadline)
    if first is None:
        return None
    time.sleep(max(0.0, first + rng.uniform(*after) - time.monotonic()))
    if not rig.speaking():
        if _cut_before(rig, rig.lines()[start:], time.monotonic()):
            return Trial(False, None, [], time.monotonic(), cut_early=True)
        return None
    mark = len(rig.lines())
    proc = subprocess.run(
        ["paplay", "--device=room", str(stop_wav)], env=rig.pulse.child_env(), timeout=30
    )
    samples = _wav(stop_wav)
    word_end = time.monotonic() - trailing_silence_s(samples)
    word_start = word_end - word_seconds(samples)
    assert proc.returncode == 0
    time.sleep(3.0)
    new = rig.lines()[mark:]
    early = _cut_before(rig, rig.lines()[start:], word_start)
    heard = [ln for ln in new if "stop heard while speaking" in ln]
    at = rig.logged_at(heard[0]) if heard and not early else None
    acted = at
    if at is not None:
        before = new[: new.index(heard[0])]
        muted = [ln for ln in before if "speech silenced: a stop phrase spotted" in ln]
        muted_at = rig.logged_at(muted[-1]) if muted else None
        at = at if muted_at is None else min(at, muted_at)
    other = [i for i in rig.intents(new) if i not in ("control.stop",)]
    if rig.speaking():
        quiet(rig, quiet_wav, spec)
    if early:
        return Trial(False, None, other, word_end, cut_early=True)
    return Trial(
        bool(heard),
        None if at is None else at - word_end,
        other,
        word_end,
        acted_s=None if acted is None else acted - word_end,
    )
