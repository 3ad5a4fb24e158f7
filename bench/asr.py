"""Recognition benchmark: accuracy per voice and room, false activations, latency, CPU, memory.

``python -m bench asr [-- --engine auto|whisper|pocketsphinx|vosk --voices piper,slt
--conditions "clean,10 dB pink" --grammar demo|product --prompt examples|none]``

Speech is synthesized (``tests/testspeech.py``: Piper, espeak-ng, flite's slt/rms/awb) into a
temporary folder, then a child process runs only the recognizer over it, so its peak memory is
the recognizer's own, not Piper's. Conditions (``_scenes.py``): clean, white and pink noise at
10 dB SNR, and a reverberant room at 20 dB SNR, for commands and everyday talk alike.
"Accurate" means exactly one request was understood, with the intent and slots of the sentence
spoken, through the same understanding as the live loop (for Whisper: the matcher, then
nearest-sentence snapping where it was unsure). A false activation is everyday talk understood
as any request; those the session would answer with nothing running (``skill.answers`` in the
idle mode: a request the semantic net only guessed, such as "we're ready to go" for ending a
pause, is answered only in a mode where it has something to act on) are counted apart, since
that is what a speaker in a quiet room would say out loud. "Interrupts" counts a bare "stop"
clearing the bar that is enough to cut the assistant's own speech short
(``Utterance.enough_to_interrupt``).
Decision latency is measured as if the file were played in real time to one worker
(``voice_repair.asr.realtime``, which ``voice-repair recognize`` uses too): each block of audio is
processed once it has arrived and the previous block is done, so the compute after the end of
speech (and any backlog from compute during it) is included.
``--grammar product`` listens for what ``voice-repair run`` listens for
(``intents.grammar.grammar_sentences``); ``demo`` for ``testspeech.GRAMMAR``. ``--prompt
examples``, the default, hands Whisper the catalogue's example sentences as its initial prompt,
with the prompt guard (what ``run`` does: the README's recognition section); ``none`` measures
it without.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from testspeech import (
    COMMANDS,
    FLITE_VOICES,
    GRAMMAR,
    TALK,
    VOICES,
    peak_memory_mb,
    recording,
    write_wav,
)

from bench._scenes import CONDITIONS, scene

ROOT = Path(__file__).resolve().parent.parent


def synthesize(out: Path, voices: list[str], talk: int | None = None) -> None:
    """Write cmd_<voice>_<i>.wav and talk_<voice>_<i>.wav (the first ``talk`` everyday
    sentences) into ``out`` (``testspeech.recording``: what the recognition tests hear too),
    each unless a kept folder (``--speech``) has it already."""
    for kind, sentences in (("cmd", COMMANDS), ("talk", TALK[:talk])):
        for i, text in enumerate(sentences):
            for voice in voices:
                path = out / f"{kind}_{voice}_{i:02d}.wav"
                if not path.exists():
                    write_wav(path, recording(text, voice))


def _understanding(matcher, phrases: list[str]):
    """What the live loop does with an utterance: (utterance -> IntentMatch or None)."""
    from voice_repair.live.listen import Understanding

    return Understanding(matcher, None, phrases)


def worker(
    folder: Path,
    engine: str,
    grammar: str,
    voices: list[str],
    conds: list[str],
    verbose: bool,
    prompt: str = "examples",
    talk: int | None = None,
) -> dict:
    """Run the recognizer over the synthesized audio; return the measurements."""
    sys.path.insert(0, str(ROOT))
    from voice_repair.asr.realtime import hear_in_real_time
    from voice_repair.asr.select import make_recognizer
    from voice_repair.audio.wavfile import chunks, read_wav
    from voice_repair.intents.matcher import IntentMatcher
    from voice_repair.models import Mode
    from voice_repair.skill import answers

    matcher = IntentMatcher.load(ROOT / "intents" / "en")
    phrases = list(GRAMMAR)
    if grammar == "product":
        from voice_repair.intents.grammar import grammar_sentences

        phrases = [t for _, t in grammar_sentences(matcher, ROOT / "intents" / "en")]
    examples = [spec.example for spec in matcher.catalogue.values()]
    rec, reason = make_recognizer(
        engine, phrases, ROOT / "models", prompt=examples if prompt == "examples" else ()
    )
    understood = _understanding(matcher, phrases)
    rng = np.random.default_rng(0)

    def run(audio: np.ndarray) -> list[tuple[object, float]]:
        """(utterance, decision latency in s) as if played in real time (``asr.realtime``)."""
        rec.reset()
        return [(u, ready - u.end) for u, ready in hear_in_real_time(rec, chunks(audio))]

    def meaning(m):
        return (m.intent, dict(m.slots)) if m else None

    def load(kind: str, voice: str, i: int, cond: str) -> np.ndarray:
        return scene(read_wav(folder / f"{kind}_{voice}_{i:02d}.wav"), cond, rng)

    res: dict = {"engine": rec.name, "reason": reason, "phrases": len(phrases), "prompt": prompt}
    res["talk"] = len(TALK[:talk])
    res |= {"voices": voices, "conditions": conds, "latency": []}
    cpu0, audio_s = time.process_time(), 0.0
    for cond in conds:
        for voice in voices:
            ok, lat, false, seconds = 0, [], [], 0.0
            for i, text in enumerate(COMMANDS):
                audio = load("cmd", voice, i, cond)
                audio_s += len(audio) / 16000
                got = [(understood(u), d) for u, d in run(audio)]
                got = [(m, d) for m, d in got if m is not None]
                if len(got) == 1 and meaning(got[0][0]) == meaning(matcher.match(text)):
                    ok += 1
                    lat.append(got[0][1])
                else:
                    heard = [u.text for u, _ in run(audio)] if verbose else []
                    res.setdefault("misses", []).append((cond, voice, text, heard))
            for i, text in enumerate(TALK[:talk]):
                audio = load("talk", voice, i, cond)
                seconds += len(audio) / 16000
                for u, _ in run(audio):
                    m = understood(u)
                    if m is not None:
                        false.append((text, u.text, m.intent, answers(m, Mode.IDLE)))
            audio_s += seconds
            res[f"acc {cond} {voice}"] = ok / len(COMMANDS)
            res[f"false {cond} {voice}"] = false
            res[f"talk seconds {cond} {voice}"] = seconds
            res["latency"] += lat
            print(f"{cond:>12} {voice:<9} {ok}/{len(COMMANDS)} false {len(false)}",
                  file=sys.stderr, flush=True)  # fmt: skip
    stop = [i for i, t in enumerate(COMMANDS) if meaning(matcher.match(t))[0] == "control.stop"]
    for voice in voices:
        ok = sum(any(u.enough_to_interrupt for u, _ in run(load("cmd", voice, i, "clean")))
                 for i in stop)  # fmt: skip
        res[f"interrupts {voice}"] = (ok, len(stop))
    res["rt factor"] = (time.process_time() - cpu0) / audio_s
    idle = (rng.normal(0, 30, 16000 * 30)).astype(np.int16)
    cpu0 = time.process_time()
    run(idle)
    res["idle cpu"] = (time.process_time() - cpu0) / 30.0
    res["peak rss mb"] = peak_memory_mb()
    res["guard"] = (getattr(rec, "second_decodes", 0), getattr(rec, "echoes_dropped", 0))
    return res


def table(r: dict) -> str:
    lat = np.array(r["latency"]) if r["latency"] else np.array([np.nan])
    voices, conds = r["voices"], r["conditions"]
    lines = [f"engine: {r['engine']} ({r['phrases']} phrases; {r['reason']})"]
    lines += [f"prompt: {r['prompt']}", ""]
    lines.append(f"intent + slots right, of {len(COMMANDS)} commands each")
    lines.append(f"{'':<14}" + "".join(f"{v:>11}" for v in voices))
    for cond in conds:
        cells = "".join(f"{r[f'acc {cond} {v}']:>11.0%}" for v in voices)
        lines.append(f"{cond:<14}{cells}")
    lines.append("")
    lines.append(f"false activations, of {r.get('talk', len(TALK))} everyday sentences each")
    lines.append(f"{'':<14}" + "".join(f"{v:>11}" for v in voices))
    for cond in conds:
        cells = "".join(
            f"{len(r[f'false {cond} {v}'])} ({sum(f[3] for f in r[f'false {cond} {v}'])})".rjust(11)
            for v in voices
        )
        lines.append(f"{cond:<14}{cells}")
    talk_s = sum(r[f"talk seconds {c} {v}"] for c in conds for v in voices)
    lines += [
        "  (in brackets: those answered with nothing running, the idle mode)",
        f"  (everyday talk heard in all: {talk_s / 60:.1f} min)",
        "",
        f"decision latency after end of speech, compute included, median / p95: "
        f"{np.median(lat):.2f} / {np.percentile(lat, 95):.2f} s",
        "bare 'stop' enough to interrupt speech (clean): "
        + ", ".join(f"{v} {r[f'interrupts {v}'][0]}/{r[f'interrupts {v}'][1]}" for v in voices),
        f"CPU while decoding speech: {r['rt factor']:.0%} of a core",
        f"CPU idle-listening (noise, no speech): {r['idle cpu']:.2%} of a core",
        f"peak memory (recognizer process): {r['peak rss mb']:.0f} MB",
        "prompt guard: {} transcripts decoded again without the prompt, {} dropped".format(
            *r.get("guard", (0, 0))
        ),
    ]
    for cond, v, said, heard in r.get("misses", []):
        lines.append(f"  missed ({cond}, {v}): {said!r}" + (f" heard as {heard}" if heard else ""))
    for cond in conds:
        for v in voices:
            for said, heard, intent, idle in r[f"false {cond} {v}"]:
                when = "answered when idle" if idle else "not answered when idle"
                lines.append(
                    f"  false activation ({cond}, {v}): {said!r} -> {heard!r} ({intent}; {when})"
                )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench asr")
    p.add_argument("--engine", default="auto", choices=["auto", "whisper", "pocketsphinx", "vosk"])
    p.add_argument("--grammar", default="product", choices=["demo", "product"])
    p.add_argument("--voices", default="piper,espeak,slt,rms,awb", help="comma-separated")
    p.add_argument("--conditions", default=",".join(CONDITIONS), help="comma-separated")
    p.add_argument("--verbose", action="store_true", help="show what missed commands were heard as")
    p.add_argument(
        "--prompt",
        default="examples",
        choices=["examples", "none"],
        help="Whisper's initial prompt: the catalogue's examples (as run), or none",
    )
    p.add_argument("--talk", type=int, help="only the first N everyday sentences (all 60)")
    p.add_argument("--speech", type=Path, help="keep the test speech here and reuse it")
    p.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    voices, conds = args.voices.split(","), args.conditions.split(",")
    every = (*VOICES, *FLITE_VOICES)
    if set(voices) - set(every) or set(conds) - set(CONDITIONS):
        p.error(f"voices are {', '.join(every)}; conditions are {', '.join(CONDITIONS)}")
    if args.worker:
        res = worker(
            args.worker, args.engine, args.grammar, voices, conds, args.verbose, args.prompt,
            args.talk,
        )  # fmt: skip
        print(json.dumps(res))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.speech or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print("synthesizing test speech ...", file=sys.stderr)
        synthesize(folder, voices, args.talk)
        cmd = [sys.executable, "-m", "bench.asr", "--worker", str(folder), "--engine", args.engine]
        cmd += ["--grammar", args.grammar, "--voices", args.voices, "--conditions", args.conditions]
        cmd += ["--prompt", args.prompt] + (["--talk", str(args.talk)] if args.talk else [])
        cmd += ["--verbose"] if args.verbose else []
        out = subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True).stdout
    print(table(json.loads(out.strip().splitlines()[-1])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
