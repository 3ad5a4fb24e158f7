"""False activations over long stretches of noise: what a home microphone hears when nobody asks.

``python -m bench noise [-- --minutes 60 --prompt examples|none --seed 0]``

Each minute is made up, from its seed, of room hiss with stretches of what a living room sends
a microphone: pink, white and brown noise bursts (0.5-5 s, RMS 500-8000), a fan switching on
and off, a clipped buzz, mains hum, tone sequences like a radio's music, clicks, and silence.
Everything goes through the real recognizer (Whisper, with the catalogue's examples as its
prompt unless ``--prompt none``, as ``voice-repair run`` builds it) and the live loop's
understanding (the matcher, then snapping). It counts what would be acted on, which should be
nothing; and, with the prompt, what the prompt guard (``asr/promptguard.py``) dropped and how
many of those the matcher would have taken for a request. Noise only: everyday talk is
``bench/asr.py``'s.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

EXPLICIT_ONLY = True
"""About a minute of compute per minute of noise on a busy machine: run when named."""

ROOT = Path(__file__).resolve().parent.parent
RATE = 16000
KINDS = ("pink", "white", "brown", "fan", "clipped", "hum", "tones", "clicks", "silence")


def _stretch(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n) / RATE
    level = rng.choice([500, 1000, 3000, 8000])
    if kind in ("pink", "white", "brown"):
        spectrum = np.fft.rfft(rng.normal(0, 1, n))
        f = np.maximum(np.arange(spectrum.size, dtype=float), 1.0)
        x = np.fft.irfft(spectrum / {"pink": np.sqrt(f), "white": 1.0, "brown": f}[kind], n)
        return x / x.std() * level
    if kind == "fan":
        return rng.normal(0, level, n) * (np.sin(2 * np.pi * rng.uniform(0.2, 1.0) * t) > 0)
    if kind == "clipped":
        on = (rng.random(n // 1600 + 1) > 0.5).repeat(1600)[:n]
        return np.sign(np.sin(2 * np.pi * rng.choice([120, 180, 400]) * t)) * 40000 * on
    if kind == "hum":
        f0 = rng.choice([50, 60, 100])
        return sum(level * 2 / k * np.sin(2 * np.pi * f0 * k * t) for k in range(1, 5))
    if kind == "tones":
        x, step = np.zeros(n), RATE // 4
        for i in range(0, n, step):
            seg = t[i : i + step]
            hz = 220 * 2 ** (rng.integers(0, 24) / 12)
            x[i : i + step] = level * np.sin(2 * np.pi * hz * seg) * np.exp(-3 * (seg - seg[0]))
        return x
    if kind == "clicks":
        x = np.zeros(n)
        x[rng.integers(0, n, max(1, n // 4000))] = 30000
        return x
    return np.zeros(n)


def minute(rng: np.random.Generator) -> np.ndarray:
    """One minute: hiss, and stretches of noise between pauses of 1-6 s."""
    parts, total = [], 0
    while total < 60 * RATE:
        gap = rng.normal(0, 30, int(rng.uniform(1.0, 6.0) * RATE))
        burst = _stretch(str(rng.choice(KINDS)), int(rng.uniform(0.5, 5.0) * RATE), rng)
        burst = burst + rng.normal(0, 30, burst.size)
        parts += [gap, burst]
        total += gap.size + burst.size
    audio = np.concatenate(parts)[: 60 * RATE]
    return np.clip(np.round(audio), -32768, 32767).astype("<i2")


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench noise")
    p.add_argument("--minutes", type=int, default=60)
    p.add_argument("--prompt", default="examples", choices=["examples", "none"])
    p.add_argument("--seed", type=int, default=0, help="the noise of minute i is seed + i's")
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    import voice_repair.asr.whisper as whisper
    import voice_repair.asr.whisperdecode as whisperdecode
    from voice_repair.intents.grammar import grammar_sentences
    from voice_repair.intents.matcher import IntentMatcher
    from voice_repair.live.listen import Understanding, prompt_sentences
    from voice_repair.models import AudioChunk

    matcher = IntentMatcher.load(ROOT / "intents" / "en")
    phrases = [t for _, t in grammar_sentences(matcher, ROOT / "intents" / "en")]
    prompt = prompt_sentences(matcher) if args.prompt == "examples" else ()
    rec = whisper.WhisperRecognizer(phrases, prompt=prompt)
    understood = Understanding(matcher, None, phrases)
    saved: list[str] = []  # intents the guard kept from being acted on (raw match)
    confirmed = whisperdecode.confirmed

    def spy(prompted, unprompted) -> bool:
        ok = confirmed(prompted, unprompted)
        if not ok and (m := understood.hear(prompted.text).match) is not None:
            saved.append(m.intent)
        return ok

    whisperdecode.confirmed = spy  # the guard ``WhisperDecoding._transcribe`` asks
    acted: list[tuple[int, str]] = []
    segments, cpu0, t0 = 0, time.process_time(), time.time()
    for i in range(args.minutes):
        audio = minute(np.random.default_rng(args.seed + i))
        rec.reset()
        heard = []
        for k in range(0, audio.size, 1600):
            heard += rec.accept(AudioChunk(audio[k : k + 1600].tobytes(), RATE, k / RATE))
        heard += rec.flush()
        segments += len(heard)
        acted += [(i, m.intent) for u in heard if (m := understood(u)) is not None]
        print(f"minute {i + 1}: {segments} segments, acted on {acted}, guard: "
              f"{rec.second_decodes} again, {rec.echoes_dropped} dropped, saved {saved}",
              file=sys.stderr, flush=True)  # fmt: skip
    print(f"prompt: {args.prompt}; {args.minutes} minutes of noise (seeds {args.seed}-"
          f"{args.seed + args.minutes - 1}); {segments} segments decided")  # fmt: skip
    print(f"acted on: {len(acted)} {acted}")
    again, dropped = rec.second_decodes, rec.echoes_dropped
    print(f"prompt guard: {again} decoded again without the prompt, {dropped} dropped, "
          f"{len(saved)} of them a request {sorted(saved)}")  # fmt: skip
    print(f"CPU: {time.process_time() - cpu0:.0f} s over {time.time() - t0:.0f} s of wall time")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
