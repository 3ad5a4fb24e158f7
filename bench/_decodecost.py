"""What each recording cost a configuration of ``bench/decoding.py``: Whisper calls per segment
and process CPU, for commands, everyday talk and noise alike.

Why CPU, not wall time: on a shared 2-core machine the wall time of a decode is mostly the
others' load, while the process's CPU (every thread's, CTranslate2's included) is the work this
configuration made. And why per kind: a setting that saves compute on commands (the quick look)
may spend it on talk and noise, which are most of what a living-room microphone hears.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["cost_lines", "costs", "count_calls"]


def count_calls(rec: Any) -> None:
    """Count on ``rec.calls``: ``decodes`` (Whisper calls: quick look, usual window, the guard's
    second) and ``segments`` (segment decodes asked for, early ones included)."""
    rec.calls = {"decodes": 0, "segments": 0}
    decode, transcribe = rec._decode, rec._transcribe

    def counted_decode(*args: Any, **kw: Any) -> Any:
        rec.calls["decodes"] += 1
        return decode(*args, **kw)

    def counted_transcribe(*args: Any, **kw: Any) -> Any:
        rec.calls["segments"] += 1
        return transcribe(*args, **kw)

    rec._decode, rec._transcribe = counted_decode, counted_transcribe


def costs(res: dict, name: str, kind: str, rec: Any, before: dict, cpu: float) -> None:
    """What one recording cost ``name``: Whisper calls, segment decodes and process CPU s."""
    res[("calls", name, kind)].append(
        (rec.calls["decodes"] - before["decodes"], rec.calls["segments"] - before["segments"], cpu)
    )


def cost_lines(res: dict, names: list[str]) -> list[str]:
    """Per configuration and kind of recording: Whisper calls per segment decode, and the
    process CPU per recording (all threads: on a shared machine CPU, not wall time)."""
    out = [
        "",
        "| config | recordings | segment decodes | Whisper calls | calls per segment "
        "| CPU per recording, median / mean s | CPU in all s |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind in ("cmd", "talk", "noise"):
        for c in names:
            rows = res[("calls", c, kind)]
            if not rows:
                continue
            calls, segs = sum(r[0] for r in rows), sum(r[1] for r in rows)
            cpu = [r[2] for r in rows]
            out.append(
                f"| {c} | {len(rows)} {kind} | {segs} | {calls} | {calls / max(segs, 1):.2f} "
                f"| {np.median(cpu):.2f} / {np.mean(cpu):.2f} | {sum(cpu):.0f} |"
            )
    return out
