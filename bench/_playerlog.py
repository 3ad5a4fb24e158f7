"""The player's blocks as ``bench bargein -- --record`` kept them (``played.tsv``): how far
PortAudio's per-block "sounds at" strays, and how far each underrun moved the sound.
Read by ``bench/echoreplay.py``."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from voice_repair.audio.playclock import PlayClock

__all__ = ["player_clock", "underrun_gaps"]


def player_clock(path: Path) -> str:
    """How each block's "sounds at" strays from where the previous block ended."""
    if not path.exists() or path.stat().st_size == 0:
        return "player clock: no record"
    rows = np.loadtxt(path, ndmin=2)
    now, at, frames, under = rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3]
    rate = 22050.0  # the player's stream rate (Piper's)
    step = at[1:] - (at[:-1] + frames[:-1] / rate)
    late = now[1:] - now[:-1]
    miss = np.abs(step) * 1000
    clock = PlayClock(int(rate))
    steady = np.array(
        [clock.block(a, int(f), bool(u)) for a, f, u in zip(at, frames, under, strict=True)]
    )
    moved = np.abs(steady[1:] - (steady[:-1] + frames[:-1] / rate)) * 1000
    return (
        f"player clock: {len(rows)} blocks, {int(under.sum())} underruns reported; each "
        f"block's 'sounds at' against the previous block's end: median {np.median(miss):.1f} ms, "
        f"p95 {np.percentile(miss, 95):.1f} ms, worst {miss.max():.1f} ms; over 3 ms (the "
        f"reference's snap, a gap or an overlap in it): {int((miss > 3).sum())} of {miss.size}; "
        f"callback interval median {np.median(late) * 1000:.1f} ms, p95 "
        f"{np.percentile(late, 95) * 1000:.1f} ms, worst {late.max() * 1000:.1f} ms; laid on "
        f"one timeline (audio/playclock.py), blocks over 3 ms off: {int((moved > 3).sum())}"
    )


def underrun_gaps(path: Path, rate: float = 22050.0) -> str:
    """How far each reported underrun moved the stream's timeline (the median of the
    per-block "sample 0 sounds at" estimates, 32 blocks after it against 32 before): a real
    gap in what was played, which the echo has too."""
    if not path.exists() or path.stat().st_size == 0:
        return "underruns: no record"
    rows = np.loadtxt(path, ndmin=2)
    at, frames, under = rows[:, 1], rows[:, 2], rows[:, 3]
    est = at - np.concatenate([[0.0], np.cumsum(frames)[:-1]]) / rate
    idx = [i for i in np.flatnonzero(under) if 32 <= i < len(est) - 32]
    if not idx:
        return "underruns: none inside the record"
    steps = np.array([np.median(est[i : i + 32]) - np.median(est[i - 32 : i]) for i in idx])
    steps *= 1000
    return (
        f"underruns: {len(idx)}; each moved the timeline by median {np.median(steps):.0f} ms "
        f"(p10 {np.percentile(steps, 10):.0f}, p90 {np.percentile(steps, 90):.0f} ms)"
    )
