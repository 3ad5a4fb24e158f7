"""The player's timeline: the echo canceller's reference must be as continuous as the sound.

No sound server here: ``PlayClock`` is fed the per-block "sounds at" estimates PortAudio gives
(jitter and stray blocks as a busy machine's record showed them: README "Why the canceller
removed nothing"), and must lay the blocks end to end, moving only when the stream really lost
its place (an underrun)."""

from __future__ import annotations

import numpy as np

from voice_repair.audio.playclock import MOVE_S, PlayClock

RATE = 22050
BLOCK = 275  # the block PortAudio asked for most often through the ALSA pulse plugin


def _estimates(n: int, origin: float, rng: np.random.Generator) -> list[float]:
    """PortAudio's per-block estimates: right to a fraction of a millisecond mostly, a third of
    them off by 3-40 ms either way (the live record's spread)."""
    true = origin + np.arange(n) * BLOCK / RATE
    noise = rng.normal(0, 0.0002, n)
    stray = rng.random(n) < 0.33
    noise[stray] += rng.uniform(0.003, 0.04, stray.sum()) * rng.choice([-1, 1], stray.sum())
    return list(true + noise)


def test_blocks_follow_each_other_without_gaps_despite_stray_estimates() -> None:
    rng = np.random.default_rng(3)
    clock = PlayClock(RATE)
    ats = [clock.block(at, BLOCK, False) for at in _estimates(600, 100.0, rng)]
    steps = np.diff(ats) - BLOCK / RATE
    # after the first few blocks the timeline never jumps: each block starts where the last
    # ended (the reference snaps pieces within 3 ms; a stray estimate used as is moved it by
    # up to 40 ms)
    assert np.max(np.abs(steps[20:])) < 1e-9
    # and it is the true timeline, to well within one 10 ms frame of the canceller
    true = 100.0 + np.arange(600) * BLOCK / RATE
    assert np.max(np.abs(np.array(ats[20:]) - true[20:])) < MOVE_S + 0.001


def test_an_underrun_moves_the_timeline_by_the_gap() -> None:
    rng = np.random.default_rng(5)
    clock = PlayClock(RATE)
    first = _estimates(200, 50.0, rng)
    for at in first:
        clock.block(at, BLOCK, False)
    # the server ran dry: everything after it sounds 0.3 s later than the count says
    gap_origin = 50.0 + 200 * BLOCK / RATE + 0.3
    later = _estimates(200, gap_origin, rng)
    ats = [clock.block(at, BLOCK, i == 0) for i, at in enumerate(later)]
    assert clock.resets == 1
    true = gap_origin + np.arange(200) * BLOCK / RATE
    assert np.max(np.abs(np.array(ats[30:]) - true[30:])) < MOVE_S + 0.001
    assert np.max(np.abs(np.diff(ats[30:]) - BLOCK / RATE)) < 1e-9
