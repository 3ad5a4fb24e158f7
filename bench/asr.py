"""Recognition benchmark: accuracy clean and at 10 dB SNR, false activations, latency, CPU, memory.

``python -m bench asr [-- --grammar demo|product --engine pocketsphinx|vosk|auto]``

Speech is synthesized (``tests/testspeech.py``: espeak-ng's American and British English voices,
and Piper's bundled voice) into a temporary folder, then a child process runs only the
recognizer over it, so its peak memory is the recognizer's own, not Piper's.
Every recording gets a faint noise floor (a real microphone never delivers digital silence); the
noisy condition adds white noise at 10 dB SNR over the speech, to commands and to everyday talk.
"Interrupts" counts a bare "stop" clearing the lower bar that is enough to cut the assistant's
own speech short (``Utterance.enough_to_interrupt``), and everyday talk that would do so.
"Accurate" means the accepted text gives the same intent and slots as the sentence spoken.
``--grammar product`` listens for what ``voice-repair run`` listens for
(``intents.grammar.grammar_sentences``: the written examples and test sentences plus a small
template sample); ``demo`` for a 27-phrase list.
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
from testspeech import COMMANDS, GRAMMAR, TALK, VOICES, peak_memory_mb, recording, write_wav

ROOT = Path(__file__).resolve().parent.parent

CONDITIONS: dict[str, float | None] = {"clean": None, "10 dB": 10.0}
"""Each condition's name and the SNR of the white noise added over the speech (None: none)."""


def synthesize(out: Path) -> None:
    """Write cmd_<voice>_<i>.wav and talk_<voice>_<i>.wav into ``out`` (``testspeech.recording``:
    what the recognition tests hear too)."""
    for kind, sentences in (("cmd", COMMANDS), ("talk", TALK)):
        for i, text in enumerate(sentences):
            for voice in VOICES:
                write_wav(out / f"{kind}_{voice}_{i:02d}.wav", recording(text, voice))


def _scene(speech: np.ndarray, snr_db: float | None, rng: np.random.Generator) -> np.ndarray:
    audio = np.concatenate([np.zeros(8000), speech.astype(float), np.zeros(16000)])
    audio += rng.normal(0, 20, len(audio))
    if snr_db is not None:
        active = speech[np.abs(speech) > 300].astype(float)
        power = np.mean(active**2) if active.size else 1.0
        audio += rng.normal(0, np.sqrt(power / 10 ** (snr_db / 10)), len(audio))
    return np.clip(audio, -32768, 32767).astype(np.int16)


def worker(folder: Path, engine: str, grammar: str) -> dict:
    """Run the recognizer over the synthesized audio; return the measurements."""
    sys.path.insert(0, str(ROOT))
    from voice_repair.asr.select import make_recognizer
    from voice_repair.audio.wavfile import chunks, read_wav
    from voice_repair.intents.matcher import IntentMatcher

    matcher = IntentMatcher.load(ROOT / "intents" / "en")
    phrases = list(GRAMMAR)
    if grammar == "product":
        from voice_repair.intents.grammar import grammar_sentences

        phrases = [t for _, t in grammar_sentences(matcher, ROOT / "intents" / "en")]
    rec, reason = make_recognizer(engine, phrases, ROOT / "models")
    rng = np.random.default_rng(0)

    def run(audio: np.ndarray) -> tuple[list, list[float]]:
        rec.reset()
        heard, costs = [], []
        for c in chunks(audio):
            t = time.perf_counter()
            got = rec.accept(c)
            costs += [time.perf_counter() - t] * len(got)
            heard += got
        return heard + rec.flush(), costs

    def meaning(text: str):
        m = matcher.match(text)
        return (m.intent, dict(m.slots)) if m else None

    res: dict = {"engine": rec.name, "reason": reason, "phrases": len(phrases)}
    latencies, costs = [], []
    cpu0, audio_s = time.process_time(), 0.0
    for cond, snr in CONDITIONS.items():
        for voice in VOICES:
            ok = 0
            for i, text in enumerate(COMMANDS):
                audio = _scene(read_wav(folder / f"cmd_{voice}_{i:02d}.wav"), snr, rng)
                audio_s += len(audio) / 16000
                heard, cost = run(audio)
                accepted = [u for u in heard if u.accepted]
                if len(accepted) == 1 and meaning(accepted[0].text) == meaning(text):
                    ok += 1
                    latencies.append(accepted[0].decided_at - accepted[0].end)
                    costs += cost
            res[f"acc {cond} {voice}"] = ok / len(COMMANDS)
    stop = [i for i, text in enumerate(COMMANDS) if meaning(text)[0] == "control.stop"]
    for cond, snr in CONDITIONS.items():
        for voice in VOICES:
            heard = [run(_scene(read_wav(folder / f"cmd_{voice}_{i:02d}.wav"), snr, rng))[0]
                     for i in stop]  # fmt: skip
            ok = sum(any(u.enough_to_interrupt for u in h) for h in heard)
            res[f"interrupts {cond} {voice}"] = (ok, len(stop))
    for cond, snr in CONDITIONS.items():
        for voice in VOICES:
            false, interrupts, seconds = [], [], 0.0
            for i, text in enumerate(TALK):
                audio = _scene(read_wav(folder / f"talk_{voice}_{i:02d}.wav"), snr, rng)
                seconds += len(audio) / 16000
                heard, _ = run(audio)
                false += [(text, u.text) for u in heard if u.accepted]
                interrupts += [
                    (text, u.text)
                    for u in heard
                    if u.enough_to_interrupt and meaning(u.text)[0] == "control.stop"
                ]
            audio_s += seconds
            res[f"false {cond} {voice}"] = false
            res[f"false interrupts {cond} {voice}"] = interrupts
            res[f"talk seconds {cond} {voice}"] = seconds
    res["rt factor"] = (time.process_time() - cpu0) / audio_s
    res["latency"] = latencies
    res["compute at decision"] = costs
    idle = (rng.normal(0, 30, 16000 * 30)).astype(np.int16)
    cpu0 = time.process_time()
    run(idle)
    res["idle cpu"] = (time.process_time() - cpu0) / 30.0
    res["peak rss mb"] = peak_memory_mb()
    return res


def table(r: dict) -> str:
    lat = np.array(r["latency"]) if r["latency"] else np.array([np.nan])
    cost = np.array(r["compute at decision"]) if r["compute at decision"] else np.array([np.nan])
    rows = [
        ("engine", f"{r['engine']} ({r['phrases']} phrases; {r['reason']})"),
    ]
    for cond in CONDITIONS:
        for v in VOICES:
            rows.append((f"accuracy {cond}, {v}", f"{r[f'acc {cond} {v}']:.0%} of {len(COMMANDS)}"))
    for cond in CONDITIONS:
        for v in VOICES:
            ok, n = r[f"interrupts {cond} {v}"]
            rows.append((f"bare 'stop' interrupts speech, {cond}, {v}", f"{ok} of {n}"))
    for cond in CONDITIONS:
        for v in VOICES:
            n, s = len(r[f"false {cond} {v}"]), r[f"talk seconds {cond} {v}"]
            rows.append(
                (
                    f"false activations, {cond}, {v}",
                    f"{n} in {len(TALK)} sentences ({s:.0f} s) = {n / s * 3600:.0f}/h",
                )
            )
    for cond in CONDITIONS:
        for v in VOICES:
            n = len(r[f"false interrupts {cond} {v}"])
            rows.append((f"talk heard as 'stop' while it speaks, {cond}, {v}", f"{n}"))
    rows += [
        ("decision latency median / p95", f"{np.median(lat):.2f} / {np.percentile(lat, 95):.2f} s"),
        ("compute at decision median / max", f"{np.median(cost):.3f} / {cost.max():.3f} s"),
        ("CPU while decoding speech", f"{r['rt factor']:.0%} of a core"),
        ("CPU idle-listening (noise, no speech)", f"{r['idle cpu']:.2%} of a core"),
        ("peak memory (recognizer process)", f"{r['peak rss mb']:.0f} MB"),
    ]  # fmt: skip
    width = max(len(a) for a, _ in rows)
    lines = [f"{a:<{width}}  {b}" for a, b in rows]
    for cond in CONDITIONS:
        for v in VOICES:
            for said, heard in r[f"false {cond} {v}"]:
                lines.append(f"  false activation ({cond}, {v}): {said!r} -> {heard!r}")
            for said, heard in r[f"false interrupts {cond} {v}"]:
                lines.append(f"  would interrupt speech ({cond}, {v}): {said!r} -> {heard!r}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench asr")
    p.add_argument("--engine", default="pocketsphinx", choices=["auto", "pocketsphinx", "vosk"])
    p.add_argument("--grammar", default="product", choices=["demo", "product"])
    p.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.engine, args.grammar)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        print("synthesizing test speech ...", file=sys.stderr)
        synthesize(Path(tmp))
        cmd = [sys.executable, "-m", "bench.asr", "--worker", tmp, "--engine", args.engine]
        cmd += ["--grammar", args.grammar]
        out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    print(table(json.loads(out.strip().splitlines()[-1])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
