"""What the soak (``soak.py``) saw, and its printed report: requests, timers, memory per cycle.

Apart from the runner so that each stays readable; the memory part is the one that matters for
a speaker left on for weeks: the lowest resident memory of each cycle against the simulated time,
split into the process's own memory (``RssAnon``: heap, arenas, numpy buffers) and mapped files'
pages (``RssFile``: libraries, models, the speech shelf), with a straight line through each.
"""

from __future__ import annotations

import argparse
import os
import platform
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

__all__ = ["SAMPLE_SECONDS", "Low", "Sample", "Soak", "report"]

SAMPLE_SECONDS = 10.0
"""How often ``/proc`` is read while the run goes on, seconds."""


@dataclass
class Sample:
    at: float
    rss_mb: float
    threads: int
    fds: int
    anon_mb: float = 0.0
    """``RssAnon``: the process's own pages (heap, arenas, buffers): where a leak would show."""
    file_mb: float = 0.0
    """``RssFile``: pages of mapped files (libraries, models, the speech shelf) now resident."""


@dataclass
class Low:
    """One cycle's lowest samples, against the simulated time at its end."""

    hours: float
    rss_mb: float
    anon_mb: float
    file_mb: float


@dataclass
class Soak:
    """What was seen; printed as the report."""

    requests: Counter = field(default_factory=Counter)  # (voice, intent) -> times said
    first_try: Counter = field(default_factory=Counter)
    answered: Counter = field(default_factory=Counter)
    missed: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)
    talk_s: float = 0.0
    noise_s: float = 0.0
    silence_s: float = 0.0
    idle_cpu_s: float = 0.0
    timers_due: int = 0
    timers_spoken: int = 0
    samples: list[Sample] = field(default_factory=list)
    baseline: int = 0  # index in samples of the end of the first cycle
    per_cycle: list[float] = field(default_factory=list)  # RSS (MB) at the end of each cycle
    lows: list[Low] = field(default_factory=list)
    cycles: int = 0


def _growth(a: float, b: float) -> str:
    return f"{(b - a) / a * 100:+.1f}%" if a else "n/a"


def _trend(hours: list[float], mb: list[float]) -> str:
    if len(hours) < 3:
        return "too few cycles for a trend"
    slope, _ = np.polyfit(hours, mb, 1)
    return f"{slope:+.2f} MB per simulated hour ({slope * 24:+.1f} MB per simulated day)"


def memory(res: Soak) -> list[str]:
    """The memory lines: start, first cycle, end, peak; each cycle's lows and their trends."""
    s0, base, end = res.samples[0], res.samples[res.baseline], res.samples[-1]
    peak = max(s.rss_mb for s in res.samples)
    lows = res.lows[1:]  # from the end of the first cycle: the models loaded and used once
    hours = [low.hours for low in lows]
    out = [
        f"memory (RSS): start {s0.rss_mb:.0f} MB, after the first cycle {base.rss_mb:.0f} MB, "
        f"end {end.rss_mb:.0f} MB (growth from the first cycle "
        f"{_growth(base.rss_mb, end.rss_mb)}), peak {peak:.0f} MB",
        f"threads: start {s0.threads}, after the first cycle {base.threads}, "
        f"end {end.threads}, max {max(s.threads for s in res.samples)}",
        f"open fds: start {s0.fds}, after the first cycle {base.fds}, end {end.fds}, "
        f"max {max(s.fds for s in res.samples)}",
        f"samples: {len(res.samples)}, every {SAMPLE_SECONDS:.0f} s or so",
        "RSS at the end of each cycle (MB): " + " ".join(f"{m:.0f}" for m in res.per_cycle),
        "lowest of each cycle (MB) at simulated hours: RSS, own (anon), mapped files:",
        *(
            f"  {low.hours:6.1f} h: {low.rss_mb:4.0f} {low.anon_mb:4.0f} {low.file_mb:4.0f}"
            for low in res.lows
        ),
        "trend of the lows after the first cycle (least squares):",
        f"  RSS {_trend(hours, [low.rss_mb for low in lows])}",
        f"  own (anon) {_trend(hours, [low.anon_mb for low in lows])}",
        f"  mapped files {_trend(hours, [low.file_mb for low in lows])}",
    ]
    half = len(lows) // 2
    if half >= 3:  # a warm-up that levels off shows as a flatter second half
        late = lows[half:]
        out.append(
            f"  second half only ({len(late)} cycles): RSS "
            f"{_trend([low.hours for low in late], [low.rss_mb for low in late])}"
        )
    return out


def report(res: Soak, args: argparse.Namespace, wall_s: float) -> str:
    load = os.getloadavg()
    out = [
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; load average at the end {load[0]:.1f} / {load[1]:.1f} / "
        f"{load[2]:.1f}",
        f"voice-repair run -v --engine {args.engine}, assistant voice Piper, a minute lasts "
        f"{args.product_minute} s; private PulseAudio server; seed {args.seed}",
        f"ran {wall_s / 60:.1f} min ({wall_s / args.product_minute / 60:.1f} simulated hours): "
        f"{res.cycles} cycles; {res.talk_s / 60:.1f} min of everyday "
        f"talk, {res.noise_s / 60:.1f} min of pink noise, {res.silence_s / 60:.1f} min of silence",
        "",
        f"{'voice':<8} {'intent':<16} {'said':>5} {'1st try':>8} {'answered':>9}",
    ]
    for voice, intent in sorted(res.requests):
        key = (voice, intent)
        out.append(
            f"{voice:<8} {intent:<16} {res.requests[key]:>5} {res.first_try[key]:>8} "
            f"{res.answered[key]:>9}"
        )
    said, first, answered = (sum(c.values()) for c in (res.requests, res.first_try, res.answered))
    out += [
        f"requests: {said} made, {first} understood at the first try, {answered} in the end",
        f"timer events due: {res.timers_due}, spoken: {res.timers_spoken}",
        f"false activations: {len(res.false)} {res.false}",
        *(f"  missed: {m}" for m in res.missed),
    ]
    if res.silence_s:
        out.append(
            f"idle CPU while listening: {res.idle_cpu_s / res.silence_s * 100:.1f}% of a core"
        )
    if res.samples:
        out += memory(res)
    return "\n".join(out)
