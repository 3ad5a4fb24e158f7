"""The acoustic benchmark's printed report: per voice, per stage, with the machine and its load."""

from __future__ import annotations

import os
import platform
from collections import defaultdict

import numpy as np

from bench._stages import stage_table

__all__ = ["report"]


def _ms(values: list[float]) -> str:
    if not values:
        return "n/a"
    a = np.array(values)
    return f"{np.median(a):.2f} / {np.percentile(a, 95):.2f} s (n={a.size})"


def _load(values: list[float]) -> str:
    if not values:
        return "load average (1 min) at the requests: n/a"
    a = np.array(values)
    return (
        f"load average (1 min) at the requests: median {np.median(a):.1f}, "
        f"{a.min():.1f}-{a.max():.1f}"
    )


def report(res: dict, voices) -> str:
    out = [
        f"machine: {platform.machine()}, {platform.processor() or '?'}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}",
        f"engine: {res['engine']}, voice-repair run -v, private PulseAudio server",
        f"voices spoken into the room: {', '.join(voices)}; assistant voice: {res['voice']}",
        f"peak memory of voice-repair run: {res['peak_mb'] or 0:.0f} MB",
        _load(res["load"]),
        "",
    ]
    if res["trials"]:
        per: dict[str, list[bool]] = defaultdict(list)
        for intent, voice, _text, _heard, ok in res["trials"]:
            per[f"{intent}|{voice}"].append(ok)
        out.append(f"{'intent':<16} " + " ".join(f"{v:>7}" for v in voices))
        for intent in dict.fromkeys(t[0] for t in res["trials"]):
            cells = [per[f"{intent}|{v}"] for v in voices]
            out.append(f"{intent:<16} " + " ".join(f"{sum(c)}/{len(c):>5}" for c in cells))
        for v in voices:
            oks = [t[4] for t in res["trials"] if t[1] == v]
            out.append(f"recognized + answered aloud, {v}: {sum(oks)}/{len(oks)}")
            out.append(f"end of speech -> first audio out, {v}: {_ms(res['latency'][v])}")
        out += [
            f"  miss ({v}): {t!r} -> {h or 'nothing'}" for i, v, t, h, ok in res["trials"] if not ok
        ]
        for intent, v, late, trace in res.get("unanswered", []):
            when = "never (60 s more)" if late is None else f"late: {late:.2f} s"
            out.append(f"  heard right, not answered in 10 s ({v}): {intent}, answered {when}")
            out += [f"      {line}" for line in trace]
        out += ["", "end of speech -> first audio out, by stage (bench/_stages.py):"]
        out += stage_table(res["stages"])
    for v, (seconds, heard, rejected) in res["talk"].items():
        out.append(
            f"everyday talk, {v}: {seconds:.0f} s, {len(heard)} false activations "
            f"({len(heard) / seconds * 3600:.0f}/h) {heard}; {rejected} utterances rejected"
        )
    if res["loopback"]:
        triggers = sum(len(extra) for *_, extra, _ in res["loopback"])
        total = sum(s for *_, s in res["loopback"])
        asked = sum(bool(h) for _, h, _, _ in res["loopback"])
        out.append(
            f"loopback on: {asked}/{len(res['loopback'])} script requests heard, "
            f"{total:.0f} s of replies, {triggers} self-triggers"
        )
        out += [f"  self-trigger after {t!r}: {x}" for t, _, x, _ in res["loopback"] if x]
    for phrase, oks in res["stops"].items():
        out.append(
            f"{phrase!r} over speech (Piper): {sum(oks)}/{len(oks)} interrupted; "
            f"end of phrase -> speech cut off {_ms(res['stop_silence'][phrase])}; "
            f"its decision -> intent line {_ms(res['stop_matching'][phrase])}"
        )
    return "\n".join(out)
