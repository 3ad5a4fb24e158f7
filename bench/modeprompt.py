"""Whisper's prompt led by what the mode expects, against the catalogue's prompt, on the same audio.

``python -m bench modeprompt [-- --voices piper,slt --conditions "clean,10 dB pink" --talk 10
--per-mode 5]``

Today's prompt is the catalogue's example of every intent, in every mode. The prompt that
follows the mode (``voice_repair/live/expect.py``) leads with phrasings of the requests the mode
expects (during a pause "end the pause", "add ten minutes"), then the catalogue. Each mode gets
requests it expects, written for this bench in plain words (not the prompt's sentences, though
a few coincide: ``MODE_COMMANDS``), plus two any mode may hear (danger, a pause): the lead
must not cost those. Everyday talk (``testspeech.TALK``) is heard under every mode's prompt
and the catalogue's: a false activation is talk understood as any request, whatever the mode
(stricter than the session, which ignores e.g. "we're done" outside a round).

One model serves both prompts (the guard included, as ``run`` builds it): for each recording the
prompts take turns, the order alternating from one recording to the next, so a busy shared
machine slows each alike. Right = exactly one request, with the intent and slots of the text
(``bench/asr.py``'s scoring, the live understanding with snapping).
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
from testspeech import FLITE_VOICES, TALK, VOICES, recording, write_wav

from bench._scenes import CONDITIONS, scene
from bench.asr import ROOT

EXPLICIT_ONLY = True
"""Tens of minutes on the shared machine: run when named."""

MODE_COMMANDS: dict[str, list[str]] = {
    "pausing": [
        "end the pause", "add ten minutes", "how much time is left", "we're ready to talk",
        "can we have five more minutes", "how much longer", "i'm ready now", "give us more time",
    ],
    "reading": [
        "next", "next one", "say that again", "repeat that", "another one", "go on",
        "read it again",
    ],
    "in a round": [
        "switch", "your turn", "we're done", "end the round", "how much time is left",
        "stop the round", "my turn",
    ],
    "after a round": [
        "another round", "let's do another round", "we're done", "let's take a break",
        "what did we learn", "one more round",
    ],
}  # fmt: skip
"""Requests each mode expects, in words chosen for this bench."""
ANY_MODE = ["i don't feel safe", "i need a pause"]
"""Requests heard in every mode: the mode's lead must not push these out."""
DEFAULT_ROOMS = "clean,10 dB pink,reverb 20 dB"


def _sentences() -> list[str]:
    every = [s for cmds in MODE_COMMANDS.values() for s in cmds] + ANY_MODE
    return list(dict.fromkeys(every))


def measure(folder: Path, voices: list[str], conds: list[str], talk: int, per_mode: int) -> dict:
    from voice_repair.asr.realtime import hear_in_real_time
    from voice_repair.asr.select import make_recognizer
    from voice_repair.audio.wavfile import chunks, read_wav
    from voice_repair.intents.grammar import grammar_sentences
    from voice_repair.intents.matcher import IntentMatcher
    from voice_repair.live.expect import ExpectedSentences
    from voice_repair.live.listen import Understanding
    from voice_repair.models import Mode

    intents = ROOT / "intents" / "en"
    matcher = IntentMatcher.load(intents)
    phrases = [t for _, t in grammar_sentences(matcher, intents)]
    expected = ExpectedSentences.load(matcher, intents, follow=True)
    mode = {"now": Mode.IDLE}
    expected.listen_to(lambda: mode["now"])
    rec, _ = make_recognizer("whisper", phrases, ROOT / "models", prompt=expected)
    understood = Understanding(matcher, None, phrases)
    rng = np.random.default_rng(0)
    index = {s: i for i, s in enumerate(_sentences())}
    res: dict = defaultdict(list)

    def meaning(m):
        return (m.intent, dict(m.slots)) if m else None

    def hear(audio: np.ndarray, prompt: str, in_mode: str):
        """(requests understood, transcript, compute s, decodes again) with ``prompt``."""
        expected.follow = prompt == "mode"
        mode["now"] = Mode(in_mode)
        rec.reset()
        again, t0 = rec.second_decodes, time.perf_counter()
        heard = list(hear_in_real_time(rec, chunks(audio)))
        spent = time.perf_counter() - t0
        got = [m for m in (understood(u) for u, _ in heard) if m is not None]
        return got, " | ".join(u.text for u, _ in heard), spent, rec.second_decodes - again

    turn = 0
    for cond in conds:
        for voice in voices:
            for mode_name, cmds in MODE_COMMANDS.items():
                for text in cmds[:per_mode] + ANY_MODE:
                    wav = read_wav(folder / f"cmd_{voice}_{index[text]:02d}.wav")
                    audio = scene(wav, cond, rng)
                    turn += 1
                    kind = "any" if text in ANY_MODE else "expected"
                    for prompt in ("catalogue", "mode")[:: 1 if turn % 2 else -1]:
                        got, said, spent, again = hear(audio, prompt, mode_name)
                        key = (prompt, cond, voice, mode_name, kind)
                        res[("compute", prompt)].append(spent)
                        res[("again", prompt)].append(again)
                        if len(got) == 1 and meaning(got[0]) == meaning(matcher.match(text)):
                            res[("ok", *key)].append(text)
                        else:
                            res[("miss", *key)].append((text, said))
            for i in range(talk):
                wav = read_wav(folder / f"talk_{voice}_{i:02d}.wav")
                audio = scene(wav, cond, rng)
                turn += 1
                runs = [("catalogue", "idle")] + [("mode", m) for m in MODE_COMMANDS]
                for prompt, mode_name in runs[:: 1 if turn % 2 else -1]:
                    got, said, _, again = hear(audio, prompt, mode_name)
                    res[("again", prompt)].append(again)
                    if got:
                        key = (prompt if prompt == "catalogue" else mode_name, cond, voice)
                        res[("false", *key)].append((TALK[i], said, got[0].intent))
            row = {
                p: sum(len(res[("ok", p, cond, voice, m, k)]) for m in MODE_COMMANDS
                       for k in ("expected", "any"))
                for p in ("catalogue", "mode")
            }  # fmt: skip
            print(f"{cond:>12} {voice:<7} right {row}", file=sys.stderr, flush=True)
    return res


def report(
    res: dict, voices: list[str], conds: list[str], talk: int, per_mode: int, load0: tuple
) -> str:
    load = os.getloadavg()
    out = [
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} cores; "
        f"load average (1 min) {load0[0]:.1f} at the start, {load[0]:.1f} at the end; "
        f"nice {os.nice(0)}",
        f"per mode: its first {per_mode} expected requests"
        f" and {len(ANY_MODE)} any mode hears; everyday talk: the first {talk} of "
        f"testspeech.TALK under each prompt",
        "",
        "| room | prompt | kind | " + " | ".join(voices) + " | all |",
        "|" + "---|" * (len(voices) + 4),
    ]
    n = {"expected": sum(len(c[:per_mode]) for c in MODE_COMMANDS.values())}
    n["any"] = len(ANY_MODE) * len(MODE_COMMANDS)
    for cond in conds:
        for kind in ("expected", "any"):
            for prompt in ("catalogue", "mode"):
                ok = [
                    sum(len(res[("ok", prompt, cond, v, m, kind)]) for m in MODE_COMMANDS)
                    for v in voices
                ]
                cells = " | ".join(f"{x}/{n[kind]}" for x in ok)
                out.append(
                    f"| {cond} | {prompt} | {kind} | {cells} | {sum(ok)}/{n[kind] * len(voices)} |"
                )
    out += ["", "false activations in everyday talk (any request, whatever the mode):"]
    for who in ("catalogue", *MODE_COMMANDS):
        per = [len(res[("false", who, c, v)]) for c in conds for v in voices]
        label = "catalogue prompt" if who == "catalogue" else f"mode prompt, {who}"
        out.append(f"  {label}: {sum(per)} of {talk * len(voices) * len(conds)}")
    for p in ("catalogue", "mode"):
        comp = res[("compute", p)]
        out.append(
            f"  {p}: compute per command median {np.median(comp):.2f} s, p95 "
            f"{np.percentile(comp, 95):.2f} s; decoded again by the guard "
            f"{sum(res[('again', p)])} times"
        )
    for cond in conds:
        for v in voices:
            for m in MODE_COMMANDS:
                for kind in ("expected", "any"):
                    cat = set(res[("ok", "catalogue", cond, v, m, kind)])
                    mod = set(res[("ok", "mode", cond, v, m, kind)])
                    for text, said in res[("miss", "mode", cond, v, m, kind)]:
                        if text in cat:
                            out.append(f"  lost ({cond}, {v}, {m}): {text!r} heard {said!r}")
                    for text, said in res[("miss", "catalogue", cond, v, m, kind)]:
                        if text in mod:
                            out.append(f"  gained ({cond}, {v}, {m}): {text!r} (was {said!r})")
    for who in ("catalogue", *MODE_COMMANDS):
        for c in conds:
            for v in voices:
                for said, heard, intent in res[("false", who, c, v)]:
                    out.append(f"  false ({who}, {c}, {v}): {said!r} -> {heard!r} ({intent})")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench modeprompt")
    p.add_argument("--voices", default="piper,espeak,slt,rms,awb", help="comma-separated")
    p.add_argument("--conditions", default=DEFAULT_ROOMS, help="comma-separated")
    p.add_argument("--talk", type=int, default=10, help="everyday sentences per voice and room")
    p.add_argument("--per-mode", type=int, default=5, help="expected requests per mode")
    args = p.parse_args(argv)
    voices, conds = args.voices.split(","), args.conditions.split(",")
    every = (*VOICES, *FLITE_VOICES)
    if set(voices) - set(every) or set(conds) - set(CONDITIONS):
        p.error(f"voices are {', '.join(every)}; conditions are {', '.join(CONDITIONS)}")
    talk = min(args.talk, len(TALK))
    load0 = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        print("synthesizing test speech ...", file=sys.stderr)
        for voice in voices:
            for i, text in enumerate(_sentences()):
                write_wav(Path(tmp) / f"cmd_{voice}_{i:02d}.wav", recording(text, voice))
            for i, text in enumerate(TALK[:talk]):
                write_wav(Path(tmp) / f"talk_{voice}_{i:02d}.wav", recording(text, voice))
        res = measure(Path(tmp), voices, conds, talk, args.per_mode)
    print(report(res, voices, conds, talk, args.per_mode, load0))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
