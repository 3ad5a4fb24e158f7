"""What the Whisper benches that compare settings on the same recordings share
(``bench/window.py``, ``bench/speculate.py``): the test speech written once per voice, one
recognizer and understanding for every setting, and how a result is printed."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
from testspeech import COMMANDS, TALK, recording, write_wav

from bench.asr import ROOT


def synthesize(folder: Path, voices: list[str], talk: int) -> None:
    """The commands and the first ``talk`` everyday sentences in each voice, as
    ``{cmd,talk}_{voice}_{i:02d}.wav`` in ``folder``."""
    print("synthesizing test speech ...", file=sys.stderr)
    for kind, sentences in (("cmd", COMMANDS), ("talk", TALK[:talk])):
        for i, text in enumerate(sentences):
            for voice in voices:
                path = folder / f"{kind}_{voice}_{i:02d}.wav"
                if not path.exists():  # a kept folder (``--speech``) is written once
                    write_wav(path, recording(text, voice))


def whisper_and_understanding() -> tuple[Any, Any, Any]:
    """(matcher, Whisper recognizer, understanding) as the product builds them: one model
    serves every setting a bench compares."""
    from voice_repair.asr.select import make_recognizer
    from voice_repair.intents.grammar import grammar_sentences
    from voice_repair.intents.matcher import IntentMatcher
    from voice_repair.live.listen import Understanding

    matcher = IntentMatcher.load(ROOT / "intents" / "en")
    phrases = [t for _, t in grammar_sentences(matcher, ROOT / "intents" / "en")]
    rec, _ = make_recognizer("whisper", phrases, ROOT / "models")
    return matcher, rec, Understanding(matcher, None, phrases)


def meaning(m: Any) -> tuple | None:
    """A match as (intent, slots), for comparing what was heard with what was said."""
    return (m.intent, dict(m.slots)) if m else None


def median_p95(values: list[float]) -> str:
    if not values:
        return "n/a"
    return f"{np.median(values):.2f} / {np.percentile(values, 95):.2f}"


def conditions(title: str, talk: int) -> list[str]:
    """The two header lines of a Whisper bench's report: what was compared, the cores allowed
    and the load at the end, and how many commands and everyday sentences each voice had."""
    load = os.getloadavg()
    cores = len(os.sched_getaffinity(0))
    return [
        f"{title}; {cores} core(s) allowed, load average "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min) at the end",
        f"{len(COMMANDS)} commands and {min(talk, len(TALK))} everyday sentences per voice "
        "and room",
    ]
