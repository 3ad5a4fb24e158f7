"""Whisper decoding while the endpointer waits (``asr/speculate.py``) against decoding after it.

``python -m bench speculate [-- --configs off,on --voices piper,espeak,slt,rms,awb
--paced piper,espeak --talk 12]``

The recordings and scoring are ``bench/window.py``'s (20 commands and the first ``--talk``
everyday sentences per voice, clean; right = exactly one request with the intent and slots
spoken; a false activation = everyday talk understood as a request). One model serves every
configuration: for each recording the configurations take turns, in an order that alternates
from one recording to the next, so a busy shared machine slows each alike.

A configuration is ``off`` (decode once the endpointer asks: before), ``on`` (decode as soon as
the speech and its tail are in), or either with ``@TAIL`` (seconds of audio kept after the end
of speech, 0.15 by default; ``on@0.09`` starts the decode earlier, on less of the ending).

Voices in ``--paced`` are played to the recognizer in real time (30 ms blocks, each handed over
at its own time, as a microphone does): only then does a decode overlap the waiting, so only
there is the decision latency (end of speech to the utterance, wall clock) and the count of
early decodes that speech made useless ("dropped") meaningful. Other voices are fed as fast as
the recognizer takes them: accuracy only.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from testspeech import COMMANDS, FLITE_VOICES, TALK, VOICES

from bench._scenes import scene
from bench._whisperbench import meaning, median_p95, synthesize, whisper_and_understanding

EXPLICIT_ONLY = True
"""Several minutes: run when named."""
BLOCK = 480
"""Samples per block handed over (30 ms at 16 kHz, the segmenter's frame)."""


def _config(name: str) -> tuple[bool, float]:
    mode, _, tail = name.partition("@")
    if mode not in ("off", "on"):
        raise ValueError(name)
    return mode == "on", float(tail) if tail else 0.15


def _hear(rec, audio: np.ndarray, paced: bool):
    """[(utterance, seconds from its end of speech to its decision)], and the wall time taken
    (compute, for a recording fed as fast as it is taken)."""
    from voice_repair.audio.wavfile import chunks

    rec.reset()
    heard, t0 = [], time.monotonic()
    for block in chunks(audio, BLOCK):
        if paced and not heard:  # real time until the decision, the rest as it comes
            time.sleep(max(0.0, t0 + block.start + BLOCK / 16000 - time.monotonic()))
        for u in rec.accept(block):
            heard.append((u, time.monotonic() - (t0 + u.end)))
    heard += [(u, float("nan")) for u in rec.flush()]
    return heard, time.monotonic() - t0


def measure(folder: Path, configs: list[str], voices: list[str], paced: set[str], talk: int):
    from voice_repair.audio.wavfile import read_wav

    matcher, rec, understood = whisper_and_understanding()
    rng = np.random.default_rng(0)
    res: dict = defaultdict(list)

    turn = 0
    for voice in voices:
        for kind, sentences in (("cmd", COMMANDS), ("talk", TALK[:talk])):
            for i, text in enumerate(sentences):
                audio = scene(read_wav(folder / f"{kind}_{voice}_{i:02d}.wav"), "clean", rng)
                turn += 1
                for c in configs if turn % 2 else configs[::-1]:
                    rec.speculate, rec.tail = _config(c)
                    s0, d0 = rec.decodes.speculations, rec.decodes.dropped
                    heard, spent = _hear(rec, audio, voice in paced)
                    key = (c, voice)
                    res[("early", kind, *key)].append(rec.decodes.speculations - s0)
                    res[("dropped", kind, *key)].append(rec.decodes.dropped - d0)
                    got = [(understood(u), d) for u, d in heard]
                    got = [(m, d) for m, d in got if m is not None]
                    text_heard = " | ".join(u.text for u, _ in heard)
                    if kind == "talk":
                        res[("false", *key)] += [(text, text_heard)] if got else []
                        continue
                    res[("compute", *key)].append(spent)
                    if len(got) == 1 and meaning(got[0][0]) == meaning(matcher.match(text)):
                        res[("ok", *key)].append(text)
                        if voice in paced:
                            res[("latency", *key)].append(got[0][1])
                    else:
                        res[("miss", *key)].append((text, text_heard))
            done = {c: len(res[("ok", c, voice)]) for c in configs}
            print(f"{voice:<7} {kind} right {done}", file=sys.stderr, flush=True)
    return res


def report(res: dict, configs: list[str], voices: list[str], paced: set[str], talk: int) -> str:
    load = os.getloadavg()
    out = [
        f"Whisper decoding while the endpointer waits; {os.cpu_count()} cores, load average "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min) at the end",
        f"{len(COMMANDS)} commands and {min(talk, len(TALK))} everyday sentences per voice, "
        f"clean; paced in real time: {', '.join(v for v in voices if v in paced) or 'none'}",
        "",
        "| config | " + " | ".join(voices) + " | all | false activations "
        "| decision latency (paced), median / p95 s | early decodes: commands, dropped "
        "| early decodes: talk, dropped (paced) |",
        "|" + "---|" * (len(voices) + 6),
    ]
    for c in configs:
        ok = [len(res[("ok", c, v)]) for v in voices]
        false = sum(len(res[("false", c, v)]) for v in voices)
        lat = [x for v in voices for x in res[("latency", c, v)]]

        def n(what, kind, only_paced=False, c=c):
            return sum(sum(res[(what, kind, c, v)]) for v in voices if v in paced or not only_paced)

        cells = " | ".join(f"{k}/{len(COMMANDS)}" for k in ok)
        out.append(
            f"| {c} | {cells} | {sum(ok)}/{len(COMMANDS) * len(voices)} | {false} "
            f"| {median_p95(lat)} "
            f"| {n('early', 'cmd')}, {n('dropped', 'cmd')} "
            f"| {n('early', 'talk', True)}, {n('dropped', 'talk', True)} |"
        )
    for c in configs[1:]:
        for v in voices:
            before, this = set(res[("ok", configs[0], v)]), set(res[("ok", c, v)])
            out += [f"  lost with {c} ({v}): {t!r} heard {h!r}" for t, h in res[("miss", c, v)]
                    if t in before]  # fmt: skip
            out += [f"  gained with {c} ({v}): {t!r}" for t in sorted(this - before)]
    for c in configs:
        for v in voices:
            out += [f"  false activation with {c} ({v}): {h!r}" for _s, h in res[("false", c, v)]]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench speculate")
    p.add_argument("--configs", default="off,on", help="'off' or 'on', each with @TAIL seconds")
    p.add_argument("--voices", default="piper,espeak,slt,rms,awb", help="comma-separated")
    p.add_argument("--paced", default="piper,espeak", help="voices played in real time")
    p.add_argument("--talk", type=int, default=12, help="everyday sentences per voice")
    args = p.parse_args(argv)
    configs, voices = args.configs.split(","), args.voices.split(",")
    paced = set(filter(None, args.paced.split(",")))
    every = (*VOICES, *FLITE_VOICES)
    try:
        [_config(c) for c in configs]
    except ValueError:
        p.error(f"a config is 'off' or 'on', optionally with @TAIL seconds, not {args.configs!r}")
    if set(voices) - set(every) or paced - set(voices):
        p.error(f"voices are {', '.join(every)}; --paced names some of --voices")
    with tempfile.TemporaryDirectory() as tmp:
        synthesize(Path(tmp), voices, args.talk)
        res = measure(Path(tmp), configs, voices, paced, args.talk)
    print(report(res, configs, voices, paced, args.talk))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
