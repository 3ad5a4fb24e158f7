"""Where the time from the end of a request to the first audio of its answer goes, per stage.

Read from ``voice-repair run -v``'s log (timings only: the log never holds words) and the two
taps of the private room (``tests/audio/rig.py``), all on ``time.monotonic()``:

* **waiting for silence**: the endpointer's silence before it decides (``live/loop.py`` logs
  it with each decision: ``Utterance.decided_at - end``);
* **recognition**: from there to the decision's log line: compute after the end of speech, any
  backlog, and the capture path (PulseAudio to PortAudio to the loop);
* **matching**: the decision to the ``intent X (mode)`` line (understanding, the session, the
  reply queued);
* **synthesis**: the reply queued to its first sound handed to the player
  (``speech/speaker.py`` logs it: the first sentence's rendering);
* **playback start**: that moment to the first loud sample on the speaker tap (opening the
  output stream, PulseAudio's buffering).

Log lines carry wall-clock times to the millisecond, so each stage is good to about 2 ms.
"""

from __future__ import annotations

import re

import numpy as np

__all__ = ["STAGES", "stage_table", "stages"]

STAGES = ("waiting for silence", "recognition", "matching", "synthesis", "playback start")
_DECIDED = re.compile(r"decided ([\d.]+) s after the end of speech \(([\d.]+) s of it waiting")
_INTENT = re.compile(r"\bintent \S+ \(")
_FIRST = re.compile(r"first sound of a \S+ line")


def stages(lines: list[str], logged_at, spoken_end: float, first_audio: float) -> dict | None:
    """Seconds per stage for one request (``STAGES``, plus ``total``), or None when a log line
    is missing. ``logged_at(line)``: when a log line was written, on the taps' clock."""
    decided = next((ln for ln in lines if _DECIDED.search(ln)), None)
    intent = next((ln for ln in lines if _INTENT.search(ln)), None)
    first = next((ln for ln in lines if _FIRST.search(ln)), None)
    if decided is None or intent is None or first is None:
        return None
    t_decided, t_intent, t_first = logged_at(decided), logged_at(intent), logged_at(first)
    if None in (t_decided, t_intent, t_first):
        return None
    waited = float(_DECIDED.search(decided).group(2))
    return {
        "waiting for silence": waited,
        "recognition": t_decided - spoken_end - waited,
        "matching": t_intent - t_decided,
        "synthesis": t_first - t_intent,
        "playback start": first_audio - t_first,
        "total": first_audio - spoken_end,
    }


def stage_table(rows: dict[str, list[dict]]) -> list[str]:
    """Median and p95 of each stage per voice, as a Markdown table."""
    voices = [v for v, r in rows.items() if r]
    if not voices:
        return []
    out = ["| stage, median / p95 s | " + " | ".join(voices) + " |"]
    out.append("|---|" + "---|" * len(voices))
    for name in (*STAGES, "total"):
        cells = []
        for v in voices:
            x = np.array([r[name] for r in rows[v]])
            cells.append(f"{np.median(x):.2f} / {np.percentile(x, 95):.2f}")
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    out.append("(n = " + ", ".join(f"{v} {len(rows[v])}" for v in voices) + ")")
    return out
