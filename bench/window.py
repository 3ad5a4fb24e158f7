"""Whisper's encoder window: the audio plus a margin against the full 30 s, on the same audio.

``python -m bench window [-- --windows full,1,2 --voices piper,slt --conditions clean]``
(``taskset -c 0`` in front holds it to one core: the recognizer's threads follow the affinity)

The recordings, rooms and scoring are ``bench/asr.py``'s (20 commands and 60 everyday sentences
per voice; right = exactly one request with the intent and slots spoken; a false activation =
everyday talk understood as a request). One model serves every window: for each recording the
windows take turns, in an order that alternates from one recording to the next, so a busy
shared machine slows each of them alike and the ratios hold even when the absolute times do
not. Compute per command is the recognizer's whole work on a command's recording (the
segmenter, the speculative transcript at the short pause, the final one), in wall time;
decision latency is ``asr.realtime``'s (as if played in real time). "Same text" counts the
recordings whose transcripts equal the full window's.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from testspeech import COMMANDS, FLITE_VOICES, TALK, VOICES

from bench._scenes import CONDITIONS, scene
from bench._whisperbench import (
    conditions,
    meaning,
    median_p95,
    synthesize,
    whisper_and_understanding,
)

EXPLICIT_ONLY = True
"""A few minutes per voice and window: run when named."""


def _margin(name: str) -> float | None:
    return None if name == "full" else float(name)


def measure(
    folder: Path, windows: list[str], voices: list[str], conds: list[str], talk: int
) -> dict:
    from voice_repair.asr.realtime import hear_in_real_time
    from voice_repair.audio.wavfile import chunks, read_wav

    matcher, rec, understood = whisper_and_understanding()
    rng = np.random.default_rng(0)
    res: dict = defaultdict(list)

    def hear(audio: np.ndarray, window: str):
        rec.window_margin = _margin(window)
        rec.quick_margin = None  # the window alone (``bench decoding``'s quick=S measures both)
        rec.reset()
        t0 = time.perf_counter()
        heard = [(u, ready - u.end) for u, ready in hear_in_real_time(rec, chunks(audio))]
        return heard, time.perf_counter() - t0

    turn = 0
    for cond in conds:
        for voice in voices:
            for kind, sentences in (("cmd", COMMANDS), ("talk", TALK[:talk])):
                for i, text in enumerate(sentences):
                    wav = read_wav(folder / f"{kind}_{voice}_{i:02d}.wav")
                    audio = scene(wav, cond, rng)
                    turn += 1
                    order = windows if turn % 2 else windows[::-1]
                    texts = {}
                    for w in order:
                        heard, spent = hear(audio, w)
                        texts[w] = " | ".join(u.text for u, _ in heard)
                        got = [(understood(u), d) for u, d in heard]
                        got = [(m, d) for m, d in got if m is not None]
                        key = (w, cond, voice)
                        if kind == "talk":
                            res[("false", *key)] += [(text, texts[w])] if got else []
                            continue
                        res[("compute", *key)].append(spent)
                        if len(got) == 1 and meaning(got[0][0]) == meaning(matcher.match(text)):
                            res[("ok", *key)].append(text)
                            res[("latency", *key)].append(got[0][1])
                        else:
                            res[("miss", *key)].append((text, texts[w]))
                    for w in windows:
                        same = texts[w] == texts[windows[0]]
                        res[("same", w, cond, voice)].append(same)
            done = {w: len(res[("ok", w, cond, voice)]) for w in windows}
            print(f"{cond:>12} {voice:<7} right {done}", file=sys.stderr, flush=True)
    return res


def report(res: dict, windows: list[str], voices: list[str], conds: list[str], talk: int) -> str:
    out = [
        *conditions("Whisper encoder window", talk),
        "",
        "| window | room | " + " | ".join(voices) + " | all | false activations "
        "| compute per command, median / p95 s | decision latency, median / p95 s "
        "| same text as full |",
        "|" + "---|" * (len(voices) + 7),
    ]
    for cond in conds:
        for w in windows:
            ok = [len(res[("ok", w, cond, v)]) for v in voices]
            false = sum(len(res[("false", w, cond, v)]) for v in voices)
            comp = [x for v in voices for x in res[("compute", w, cond, v)]]
            lat = [x for v in voices for x in res[("latency", w, cond, v)]]
            same = [x for v in voices for x in res[("same", w, cond, v)]]
            name = "full 30 s" if w == "full" else f"audio + {w} s"
            cells = " | ".join(f"{n}/{len(COMMANDS)}" for n in ok)
            out.append(
                f"| {name} | {cond} | {cells} | {sum(ok)}/{len(COMMANDS) * len(voices)} "
                f"| {false} | {median_p95(comp)} | {median_p95(lat)} | {sum(same)}/{len(same)} |"
            )
    for w in windows[1:]:
        for cond in conds:
            for v in voices:
                full = set(res[("ok", windows[0], cond, v)])
                this = set(res[("ok", w, cond, v)])
                for text, heard in res[("miss", w, cond, v)]:
                    if text in full:
                        out.append(f"  lost with {w} ({cond}, {v}): {text!r} heard {heard!r}")
                for text in sorted(this - full):
                    out.append(f"  gained with {w} ({cond}, {v}): {text!r}")
                for _said, heard in res[("false", w, cond, v)]:
                    out.append(f"  false activation with {w} ({cond}, {v}): {heard!r}")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench window")
    p.add_argument("--windows", default="full,1", help="'full' first, then margins in seconds")
    p.add_argument("--voices", default="piper,espeak,slt,rms,awb", help="comma-separated")
    p.add_argument("--conditions", default="clean", help="comma-separated")
    p.add_argument("--talk", type=int, default=len(TALK), help="everyday sentences per voice")
    args = p.parse_args(argv)
    windows, voices = args.windows.split(","), args.voices.split(",")
    conds = args.conditions.split(",")
    every = (*VOICES, *FLITE_VOICES)
    if windows[0] != "full" or set(voices) - set(every) or set(conds) - set(CONDITIONS):
        p.error(
            f"windows start with 'full' (then margins in seconds); voices are "
            f"{', '.join(every)}; conditions are {', '.join(CONDITIONS)}"
        )
    try:
        [_margin(w) for w in windows]
    except ValueError:
        p.error(f"a window is 'full' or a margin in seconds, not {args.windows!r}")
    with tempfile.TemporaryDirectory() as tmp:
        synthesize(Path(tmp), voices, args.talk)
        res = measure(Path(tmp), windows, voices, conds, args.talk)
    print(report(res, windows, voices, conds, args.talk))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
