"""A bare "stop" said over the assistant's own speech, in a room that echoes it back as loud as
the person: ``voice-repair run`` with its echo canceller on, end to end (``bargein.py``).

The issue's target, not met yet: with each canceller this failed in the bench at load 20-38
(2 of 20, README "Its own voice") and in a fresh clone's run at load 3-4, but it passed, all five
trials cut in time, in a fresh clone on a quiet machine (load under 1, 2026-12-06 16:08). Part
of the bench's cuts before the fifth session were its own voice stopping itself before the
word (fixed since; the bench now counts them as misses); after it: 8, 12 and 10 of 20 acted
on, 4, 7 and 8 within 0.5 s, at load 9-14, 14-21 and 5-9 (README "Where the missed stops came
from"), and this test passed once at load 6-7 (run with --runxfail). So it is marked xfail,
not strictly: a pass does not turn the suite red, and the verdict on barge-in is the bench's
(``python -m bench bargein``, twenty trials per method).
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
    reason="not met yet (issue 21): bench bargein with SpeexDSP, its own voice no longer "
    "stopping itself: 8/20 acted on (4 within 0.5 s) at load 9-14, 12/20 (7) at load 14-21, "
    "10/20 (8) at load 5-9; "
    "the canceller removes ~2 dB live (README 'Where the missed stops came from')",
    strict=False,
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
