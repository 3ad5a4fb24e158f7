"""A bare "stop" said over the assistant's own speech, in a room that echoes it back as loud as
the person: ``voice-repair run`` with its echo canceller on, end to end (``bargein.py``).

The issue's target, not met yet: with each canceller this fails today (README "Its own voice"),
so it is marked xfail, strictly: the day it passes, the suite turns red to say the marker
must go. ``python -m bench bargein`` runs twenty trials per
method.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import bargein
import pytest
from echoroom import EchoSpec
from pulse import PulseServer
from rig import Rig
from testspeech import synth_wav
from timing import budget

pytestmark = pytest.mark.slow

TRIALS = 5
ALLOWED_MISSES = 1
"""Trials of ``TRIALS`` that may miss the "stop" (the target is 19 in 20)."""
CUT_WITHIN_S = 0.5
"""End of the word -> speech aborted, at most, on a quiet machine (the issue's target)."""


@pytest.fixture(scope="module")
def rig(pulse: PulseServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    config = bargein.CONFIG.format(method="auto")
    live = Rig(pulse, tmp_path_factory.mktemp("run"), config=config)
    try:
        yield live
    finally:
        pulse.echo(None)
        assert live.close() == 0, live.run.log()


@pytest.mark.xfail(
    reason="not met yet (issue 21): with ducking and the stop spotter, 2/20 acted on, none "
    "within 0.5 s, in bench bargein with SpeexDSP at load 20-38 (README 'Its own voice')",
    strict=True,
)
def test_stop_said_over_its_own_echoing_speech_cuts_it(rig: Rig, tmp_path: Path) -> None:
    assert any("echo cancellation: SpeexDSP" in ln for ln in rig.lines()), rig.run.log()
    request = synth_wav(bargein.LONG_REPLY, tmp_path / "request.wav", voice="piper")
    stop = synth_wav("stop", tmp_path / "stop.wav", voice="piper")
    spec = EchoSpec(level_db=bargein.echo_level_db(rig, stop, request), delay_ms=60)
    rng = random.Random(21)
    trials: list[bargein.Trial] = []
    # The target allows one miss in TRIALS: after the second the verdict cannot change, so the
    # test ends there (today: 2 trials, not 5; the day barge-in works, all 5 run).
    while len(trials) < TRIALS and sum(not t.cut for t in trials) <= ALLOWED_MISSES:
        found = bargein.trial(rig, request, stop, spec, rng)
        if found is not None:
            trials.append(found)
    cut = [t for t in trials if t.cut]
    assert len(trials) == TRIALS and len(cut) >= TRIALS - ALLOWED_MISSES, trials  # 19 in 20
    late = budget(CUT_WITHIN_S)
    assert all(t.after_s is not None and t.after_s <= late for t in cut), (late, trials)
    assert all(t.other == ["ground"] or t.other == [] for t in trials), trials  # no self-triggers
