"""Whisper's decode settings against each other on the same recordings: accuracy per voice and
room, false activations, and what each costs in compute.

``python -m bench decoding [-- --configs base,beam=1,margin=10 --voices piper,awb
--conditions clean,10 dB pink --talk 12]``
(``taskset -c 0`` in front holds it to one core: the recognizer's threads follow the affinity)

A configuration is ``base`` (what ``run`` does: the catalogue's examples as the initial prompt
with its guard, ``whisper.BEAM_SIZE`` beams, the audio plus ``whisper.WINDOW_MARGIN``, int8, a
thread per allowed core) or settings joined by ``+``: ``beam=N``, ``margin=S`` (seconds after
the audio the encoder sees; ``full`` for 30 s), ``prompt=none`` or ``prompt=pause`` (the
examples and "I need a pause."), ``hot=examples`` (faster-whisper's ``hotwords``: the
catalogue's example sentences' words, once each; ``hot=pause``: those and "pause"),
``words=always`` (faster-whisper's word alignment on every decode, as before
``asr/wordprobs.py``), ``quick=S`` (a quick look on the audio plus S seconds first, kept only
when it is a product phrase word for word: ``whisper.QUICK_MARGIN``; ``quick=none`` for none),
``qbeam=N`` (the quick look's beams: ``whisperdecode.QUICK_BEAM``, greedy; 5 as before),
``compute=int8|int8_float32|float32`` and ``threads=N`` (these two load a model of their own),
``far=off`` (a quick look keeps only a phrase, as before ``asr/quicklook.py``).
``--noise N`` adds N minutes of ``bench/noise.py``'s noise; every kind of recording gets its
Whisper calls per segment and its process CPU (``bench/_decodecost.py``).
The recordings, rooms and scoring are ``bench/asr.py``'s: right = exactly one request with the
intent and slots spoken; a false activation = everyday talk understood as a request. For each
recording the configurations take turns, in an order that alternates from one recording to the
next, so a busy shared machine slows each alike: compare ratios in one run, not absolute seconds
across runs. Compute per command is the recognizer's whole work on it (segmenter, early and
final decode, the guard's second decode when it runs), wall time, fed as fast as it is taken.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from testspeech import COMMANDS, FLITE_VOICES, TALK, VOICES

from bench._decodecost import cost_lines, costs, count_calls
from bench._scenes import CONDITIONS, scene
from bench._whisperbench import conditions, meaning, median_p95, synthesize
from bench.asr import ROOT
from voice_repair.asr.quicklook import QuickVerdict
from voice_repair.asr.whisper import BEAM_SIZE, COMPUTE_TYPE, QUICK_MARGIN, WINDOW_MARGIN
from voice_repair.asr.whisperdecode import QUICK_BEAM

EXPLICIT_ONLY = True
"""Minutes per voice and room and configuration: run when named."""


@dataclass(frozen=True)
class Config:
    """One way of decoding; the defaults are ``run``'s."""

    name: str
    beam: int = BEAM_SIZE
    margin: float | None = WINDOW_MARGIN
    quick: float | None = QUICK_MARGIN
    """The quick look's margin (None: none)."""
    qbeam: int = QUICK_BEAM
    """The quick look's beams."""
    prompt: str = "examples"
    """``examples`` (as ``run``), ``none``, or ``pause``: the examples and "I need a pause."."""
    hot: str = "none"
    """``none``, ``examples`` (the examples' words) or ``pause`` (those and "pause", the word the
    rooms lose most, which no example has)."""
    words: str = "needed"
    """``needed`` (as ``run``: ``asr/wordprobs.py``) or ``always`` (aligned on every decode)."""
    compute: str = COMPUTE_TYPE
    threads: int = 0
    """0: the recognizer's own choice (the allowed cores, at most 4)."""
    far: bool = True
    """A quick look's transcript far from every phrase is final (``asr/quicklook.py``)."""


def parse(name: str) -> Config:
    """``beam=1+margin=10`` as a ``Config``; ValueError saying what is wrong."""
    fields: dict[str, Any] = {}
    for part in filter(None, name.split("+")):
        key, _, value = part.partition("=")
        if part == "base":
            continue
        if key == "beam" and value.isdigit() and int(value) > 0:
            fields["beam"] = int(value)
        elif key == "qbeam" and value.isdigit() and int(value) > 0:
            fields["qbeam"] = int(value)
        elif key == "margin":
            fields["margin"] = None if value == "full" else float(value)
        elif key == "quick" and (value == "none" or value.replace(".", "", 1).isdigit()):
            fields["quick"] = None if value == "none" else float(value)
        elif key == "prompt" and value in ("none", "examples", "pause"):
            fields["prompt"] = value
        elif key == "hot" and value in ("none", "examples", "pause"):
            fields["hot"] = value
        elif key == "words" and value in ("needed", "always"):
            fields["words"] = value
        elif key == "compute" and value in ("int8", "int8_float32", "float32"):
            fields["compute"] = value
        elif key == "threads" and value.isdigit() and int(value) > 0:
            fields["threads"] = int(value)
        elif key == "far" and value in ("on", "off"):
            fields["far"] = value == "on"
        else:
            raise ValueError(
                f"{part!r}: write base, beam=N, qbeam=N, margin=S|full, quick=S|none, "
                "prompt=none|examples|pause, hot=none|examples|pause, words=needed|always, "
                "compute=int8|int8_float32|float32, threads=N or far=on|off, joined by +"
            )
    return Config(name, **fields)


class Recognizers:
    """One model per (compute type, threads), shared by every configuration that needs it."""

    def __init__(self) -> None:
        from voice_repair.intents.grammar import grammar_sentences
        from voice_repair.intents.matcher import IntentMatcher
        from voice_repair.live.listen import Understanding, prompt_sentences

        self.matcher = IntentMatcher.load(ROOT / "intents" / "en")
        self.phrases = [t for _, t in grammar_sentences(self.matcher, ROOT / "intents" / "en")]
        self.understood = Understanding(self.matcher, None, self.phrases)
        self.examples = prompt_sentences(self.matcher)
        words = dict.fromkeys(w for s in self.examples for w in s.lower().replace(".", "").split())
        self.hotwords = " ".join(words)
        self.with_pause = [*self.examples, "I need a pause"]
        """The one request the issue names whose key word no example has (an experiment)."""
        self._models: dict[tuple[str, int], Any] = {}

    def ready(self, c: Config) -> Any:
        """The recognizer set up for ``c``."""
        from voice_repair.asr.whisper import WhisperRecognizer

        key = (c.compute, c.threads)
        if key not in self._models:
            self._models[key] = WhisperRecognizer(
                self.phrases, None, threads=c.threads or None, prompt=self.examples,
                compute_type=c.compute,
            )  # fmt: skip
        rec = self._models[key]
        if not hasattr(rec, "calls"):
            count_calls(rec)
        rec.beam_size, rec.window_margin, rec.quick_margin = c.beam, c.margin, c.quick
        rec.quick_beam = c.qbeam
        rec.aligned_always = c.words == "always"
        rec.quick_verdict = QuickVerdict(rec.phrases) if c.far else None
        hot = {"none": None, "examples": self.hotwords, "pause": f"{self.hotwords} pause"}
        rec.hotwords = hot[c.hot]
        prompts = {"none": (), "examples": self.examples, "pause": self.with_pause}
        rec.bias_toward(prompts[c.prompt])
        return rec


def measure(
    folder: Path, configs: list[Config], voices: list[str], conds: list[str], talk: int,
    noise: int = 0,
):  # fmt: skip
    from bench.noise import minute
    from voice_repair.asr.realtime import hear_in_real_time
    from voice_repair.audio.wavfile import chunks, read_wav

    recs = Recognizers()
    for c in configs:  # load every model before the clock starts
        recs.ready(c)
    rng = np.random.default_rng(0)
    res: dict = defaultdict(list)
    turn = 0
    for cond in conds:
        for voice in voices:
            for kind, sentences in (("cmd", COMMANDS), ("talk", TALK[:talk])):
                for i, text in enumerate(sentences):
                    audio = scene(read_wav(folder / f"{kind}_{voice}_{i:02d}.wav"), cond, rng)
                    turn += 1
                    want = meaning(recs.matcher.match(text))
                    for c in configs if turn % 2 else configs[::-1]:
                        rec = recs.ready(c)
                        rec.reset()
                        kept, before = rec.quick_kept, dict(rec.calls)
                        t0, cpu0 = time.perf_counter(), time.process_time()
                        heard = hear_in_real_time(rec, chunks(audio))
                        spent = time.perf_counter() - t0
                        costs(res, c.name, kind, rec, before, time.process_time() - cpu0)
                        res[("quick", c.name, kind)].append(rec.quick_kept - kept)
                        said = " | ".join(u.text for u, _ in heard)
                        got = [(recs.understood(u), ready - u.end) for u, ready in heard]
                        got = [(m, d) for m, d in got if m is not None]
                        key = (c.name, cond, voice)
                        if kind == "talk":
                            res[("false", *key)] += [(text, said)] if got else []
                            continue
                        res[("compute", *key)].append(spent)
                        if len(got) == 1 and meaning(got[0][0]) == want:
                            res[("ok", *key)].append(text)
                            res[("latency", *key)].append(got[0][1])
                        else:
                            res[("miss", *key)].append((text, said))
            done = {c.name: len(res[("ok", c.name, cond, voice)]) for c in configs}
            print(f"{cond:>12} {voice:<7} right {done}", file=sys.stderr, flush=True)
    for i in range(noise):  # bench/noise.py's minutes: nobody speaks
        audio = minute(np.random.default_rng(i))
        for c in configs if i % 2 else configs[::-1]:
            rec = recs.ready(c)
            rec.reset()
            kept, before = rec.quick_kept, dict(rec.calls)
            cpu0 = time.process_time()
            heard = hear_in_real_time(rec, chunks(audio))
            costs(res, c.name, "noise", rec, before, time.process_time() - cpu0)
            res[("quick", c.name, "noise")].append(rec.quick_kept - kept)
            acted = [u.text for u, _ in heard if recs.understood(u) is not None]
            res[("false", c.name, "noise", "-")] += [(f"noise minute {i}", t) for t in acted]
        print(f"noise minute {i + 1}", file=sys.stderr, flush=True)
    return res


def report(res: dict, configs: list[Config], voices: list[str], conds: list[str], talk: int) -> str:
    out = [
        *conditions("Whisper decode settings", talk),
        "",
        "| config | room | " + " | ".join(voices) + " | all | false activations "
        "| compute per command, median / p95 s | decision latency, median / p95 s |",
        "|" + "---|" * (len(voices) + 6),
    ]
    names = [c.name for c in configs]
    for cond in conds:
        for c in names:
            ok = [len(res[("ok", c, cond, v)]) for v in voices]
            false = sum(len(res[("false", c, cond, v)]) for v in voices)
            comp = [x for v in voices for x in res[("compute", c, cond, v)]]
            lat = [x for v in voices for x in res[("latency", c, cond, v)]]
            cells = " | ".join(f"{n}/{len(COMMANDS)}" for n in ok)
            out.append(
                f"| {c} | {cond} | {cells} | {sum(ok)}/{len(COMMANDS) * len(voices)} "
                f"| {false} | {median_p95(comp)} | {median_p95(lat)} |"
            )
    out += cost_lines(res, names)
    for c in names:
        cmd, talked = res[("quick", c, "cmd")], res[("quick", c, "talk")]
        noisy = res[("quick", c, "noise")]
        if sum(cmd) + sum(talked) + sum(noisy):
            out.append(f"  {c}: the quick look settled {sum(cmd)} decodes of {len(cmd)} commands, "
                       f"{sum(talked)} of {len(talked)} everyday sentences, "
                       f"{sum(noisy)} in {len(noisy)} minutes of noise")  # fmt: skip
        for said, heard in res[("false", c, "noise", "-")]:
            out.append(f"  false activation with {c} ({said}): {heard!r}")
    for cond in conds:
        for v in voices:
            base = set(res[("ok", names[0], cond, v)])
            for text, heard in res[("miss", names[0], cond, v)]:
                out.append(f"  missed by {names[0]} ({cond}, {v}): {text!r} heard {heard!r}")
            for c in names[1:]:
                this = set(res[("ok", c, cond, v)])
                for text, heard in res[("miss", c, cond, v)]:
                    if text in base:
                        out.append(f"  lost with {c} ({cond}, {v}): {text!r} heard {heard!r}")
                for text in sorted(this - base):
                    out.append(f"  gained with {c} ({cond}, {v}): {text!r}")
            for c in names:
                for said, heard in res[("false", c, cond, v)]:
                    out.append(f"  false activation with {c} ({cond}, {v}): {said!r} -> {heard!r}")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench decoding")
    p.add_argument("--configs", default="base,beam=1", help="comma-separated; see the docstring")
    p.add_argument("--voices", default="piper,espeak,slt,rms,awb", help="comma-separated")
    p.add_argument("--conditions", default="clean", help="comma-separated")
    p.add_argument("--talk", type=int, default=12, help="everyday sentences per voice and room")
    p.add_argument("--noise", type=int, default=0, help="minutes of bench/noise.py's noise")
    p.add_argument("--speech", type=Path, help="keep the test speech here and reuse it")
    args = p.parse_args(argv)
    voices, conds = args.voices.split(","), args.conditions.split(",")
    every = (*VOICES, *FLITE_VOICES)
    if set(voices) - set(every) or set(conds) - set(CONDITIONS):
        p.error(f"voices are {', '.join(every)}; conditions are {', '.join(CONDITIONS)}")
    try:
        configs = [parse(n) for n in args.configs.split(",")]
    except ValueError as e:
        p.error(str(e))
    if len({c.name for c in configs}) != len(configs):
        p.error("each configuration once")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.speech or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        synthesize(folder, voices, args.talk)
        res = measure(folder, configs, voices, conds, args.talk, args.noise)
    print(report(res, configs, voices, conds, args.talk))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
