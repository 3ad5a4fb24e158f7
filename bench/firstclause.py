"""First sound of a long reply, before and after cutting its first sentence at a clause.

``python -m bench firstclause [-- --repeat 2 --voice piper]`` (run it under ``nice -n 10``)

For every variant of ``support``, ``repair.validate`` and ``repair.learn`` whose first
sentence ``speech/clauses.py`` cuts (the replies with the longest first sentences, found late
under load by the twelfth session), the real ``Speaker`` with the real engine (Piper without
generator noise, cold: no sentence cache) says the reply to a player that keeps the real
playback clock (it sleeps for each piece's duration) and records:

- **first sound**: seconds from ``say`` to the first ``play`` (the synthesis it waited for);
- **gap at the cut** (after only): from the end of the first clause's playback to the start of
  the rest, the clause gap (``CLAUSE_GAP_SECONDS``) included; longer than that gap means the
  rest was not rendered in time and the listener hears a longer pause mid-sentence.

A/B in the same run: "before" makes ``first_clause_split`` return the whole sentence; the two
are interleaved per line and repeat, so both see the same load. The load average is printed.
Timings only: no audio is written.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from pathlib import Path

import numpy as np
import yaml

from voice_repair.models import Say
from voice_repair.speech import speaker as speaker_module
from voice_repair.speech.clauses import first_clause_split
from voice_repair.speech.engines import PiperTTS, make_tts
from voice_repair.speech.speaker import Speaker

EXPLICIT_ONLY = True
INTENTS = ("support", "repair.validate", "repair.learn")
_RESPONSES = Path(__file__).resolve().parent.parent / "intents" / "en" / "responses"


def _lines() -> list[tuple[str, str]]:
    """(intent, line) for each variant whose first sentence is cut."""
    found: list[tuple[str, str]] = []
    for name in ("replies.yaml", "scripts.yaml"):
        data = yaml.safe_load((_RESPONSES / name).read_text())
        for intent in INTENTS:
            for variant in data.get(intent, []):
                line = variant[0] if isinstance(variant, list) else variant
                line = line.replace(" {support_contact_sentence}", "")
                first = speaker_module._SENTENCE_END.split(line)[0]
                if len(first_clause_split(first)) > 1:
                    found.append((intent, line))
    return found


class _ClockPlayer:
    """Keeps the playback clock (sleeps each piece's duration) and stops after two pieces."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self.starts: list[float] = []
        self.ends: list[float] = []

    def play(self, samples: np.ndarray, sample_rate: int, cancel=None) -> bool:
        self.starts.append(time.monotonic())
        if len(self.starts) > 1:
            return False  # the second piece has started: enough measured
        time.sleep(samples.size / sample_rate)
        self.ends.append(time.monotonic())
        return True

    def interrupt(self) -> None:
        pass


def _trial(tts, line: str, cut: bool) -> tuple[float, float | None]:
    original = speaker_module.first_clause_split
    if not cut:
        speaker_module.first_clause_split = lambda s: [s]
    try:
        player = _ClockPlayer(getattr(tts, "sample_rate", 22050))
        speaker = Speaker(tts, player)
        t0 = time.monotonic()
        speaker.say(Say(line, source="bench"))
        speaker.wait_idle(300)
        speaker.close()
    finally:
        speaker_module.first_clause_split = original
    first = player.starts[0] - t0
    gap = player.starts[1] - player.ends[0] if cut and len(player.starts) > 1 else None
    return first, gap


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench firstclause")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--voice", default="piper", choices=["piper", "espeak"])
    args = parser.parse_args(argv)
    tts = PiperTTS(variation=False) if args.voice == "piper" else make_tts("espeak")
    tts.render("Warm up.")
    lines = _lines()
    print(f"firstclause: {len(lines)} lines, voice {args.voice}, nice {os.nice(0)}, "
          f"load {_load()} at start, {threading.active_count()} threads")  # fmt: skip
    rows: dict[str, dict[str, list[float]]] = {}
    loads = [float(_load())]
    for rep in range(args.repeat):
        for intent, line in lines:
            for cut in (rep % 2 == 0, rep % 2 != 0):  # alternate which goes first
                first, gap = _trial(tts, line, cut)
                row = rows.setdefault(intent, {"before": [], "after": [], "gap": []})
                row["after" if cut else "before"].append(first)
                if gap is not None:
                    row["gap"].append(gap)
            loads.append(float(_load()))
    print(f"load average during the run: {min(loads):.1f}-{max(loads):.1f}")
    print("| reply | trials | first sound before, median (max) | after, median (max) | "
          "after / before | gap at the cut, median (max) |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for intent, row in rows.items():
        b, a, g = row["before"], row["after"], row["gap"]
        print(f"| {intent} | {len(a)} | {statistics.median(b):.2f} s ({max(b):.2f}) | "
              f"{statistics.median(a):.2f} s ({max(a):.2f}) | "
              f"{statistics.median(a) / statistics.median(b):.2f} | "
              f"{statistics.median(g):.2f} s ({max(g):.2f}) |")  # fmt: skip
    return 0
