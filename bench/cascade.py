"""Should pocketsphinx's accepted commands be acted on at once, or confirmed by Whisper first?
And what does another voice under a command cost?

``python -m bench cascade [-- --voices piper,espeak,slt,rms,awb --conditions "clean,10 dB pink"
--out raw.json | --from raw.json]``

Every recording (``testspeech``: 20 commands and 60 everyday sentences per voice, in the rooms
of ``_scenes.py``) is heard by both engines on the product grammar, each as if played in real
time (``voice_repair.asr.realtime``), and understood as the live loop does. The strategies are
then computed from the same results:

- **whisper**: Whisper decides everything (what ``auto`` does today). Confirming every
  pocketsphinx accept with Whisper before acting gives exactly these outcomes, only later.
- **fast path**: when pocketsphinx accepts a request, act on it at once (its latency); else
  Whisper decides. Latency here is pocketsphinx's measured alone: in a live cascade both engines
  share the CPU, so this is its best case.
- **agree**: act on a pocketsphinx accept only when Whisper understood the same request; else
  Whisper's own result.
- **pocketsphinx**: pocketsphinx alone.

Barge-in: a bare "stop" must interrupt the assistant's speech. Each engine's "stop" (its
``enough_to_interrupt`` bar, understood as ``control.stop``) is counted on the "stop" recordings
and on everyday talk (a wrong interruption), also with the assistant's own speech under it
(``--echo``: a reply line in another voice 6 dB below the user, as a speaker in the room).

Another voice (``--under``): each command with an everyday sentence in another voice mixed 10 dB
below it (the TV, the partner), and everyday talk under everyday talk for the cost. Besides the
whole transcript, "span": the longest run of words inside Whisper's transcript that the matcher
understands (``--span-min`` words at least), tried only when the whole transcript is no request.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from testspeech import COMMANDS, FLITE_VOICES, TALK, VOICES, recording

from bench._scenes import CONDITIONS, scene

ROOT = Path(__file__).resolve().parent.parent
ECHO = "Let your shoulders drop, and breathe out slowly. If you need longer, just say so."
STOP = COMMANDS.index("stop")


EXPLICIT_ONLY = True
"""``python -m bench`` without names skips it: it takes 20-40 minutes on this machine."""


def _mix(main: np.ndarray, other: np.ndarray, below_db: float, offset: int) -> np.ndarray:
    """``main`` with ``other`` starting ``offset`` samples earlier, ``below_db`` quieter (RMS)."""

    def rms(x: np.ndarray) -> float:
        a = x[np.abs(x) > 300].astype(float)
        return float(np.sqrt(np.mean(a**2))) if a.size else 1.0

    n = max(main.size + offset, other.size)
    out = np.zeros(n)
    out[offset : offset + main.size] += main
    out[: other.size] += other * (rms(main) / rms(other)) * 10 ** (-below_db / 20)
    return np.clip(out, -32768, 32767).astype(np.int16)


def _other(voice: str) -> str:
    """The second voice: another synthesizer than the first."""
    return {"piper": "slt", "slt": "piper", "espeak": "rms", "rms": "espeak", "awb": "piper"}.get(
        voice, "piper"
    )


def collect(voices: list[str], conds: list[str], echo: bool, under: bool) -> dict:
    sys.path.insert(0, str(ROOT))
    from voice_repair.asr.realtime import hear_in_real_time
    from voice_repair.asr.select import make_recognizer
    from voice_repair.audio.wavfile import chunks
    from voice_repair.intents.grammar import grammar_sentences
    from voice_repair.intents.matcher import IntentMatcher
    from voice_repair.live.listen import Understanding

    matcher = IntentMatcher.load(ROOT / "intents" / "en")
    phrases = [t for _, t in grammar_sentences(matcher, ROOT / "intents" / "en")]
    understood = Understanding(matcher, None, phrases)
    engines = {
        e: make_recognizer(e, phrases, ROOT / "models")[0] for e in ("pocketsphinx", "whisper")
    }
    rng = np.random.default_rng(0)
    rows: list[dict] = []

    def hear(kind: str, voice: str, cond: str, said: str, audio: np.ndarray) -> None:
        row = {"kind": kind, "voice": voice, "cond": cond, "said": said}
        want = matcher.match(said) if kind.startswith("cmd") else None
        row["want"] = [want.intent, dict(want.slots)] if want else None
        for name, rec in engines.items():
            rec.reset()
            out = []
            for u, ready in hear_in_real_time(rec, chunks(audio)):
                m = understood(u)
                out.append({
                    "text": u.text, "accepted": u.accepted, "latency": round(ready - u.end, 3),
                    "meaning": [m.intent, dict(m.slots)] if m else None,
                    "stop": u.enough_to_interrupt and understood.interrupts(u.text),
                    "words": list(u.words),
                })  # fmt: skip
            row[name] = out
        rows.append(row)

    t0 = time.time()
    for cond in conds:
        for voice in voices:
            for text in COMMANDS:
                hear("cmd", voice, cond, text, scene(recording(text, voice), cond, rng))
            for text in TALK:
                hear("talk", voice, cond, text, scene(recording(text, voice), cond, rng))
            print(f"{cond:>12} {voice:<7} {time.time() - t0:6.0f} s", file=sys.stderr, flush=True)
    for voice in voices:
        if echo:
            reply = recording(ECHO, "espeak" if voice == "piper" else "piper")
            for i, text in ((STOP, "stop"), *((j, TALK[j]) for j in range(0, len(TALK), 3))):
                said = recording(text, voice)
                audio = scene(_mix(said, reply, 6.0, 8000), "clean", rng)
                hear("cmd echo" if i == STOP and text == "stop" else "talk echo", voice, "clean",
                     text, audio)  # fmt: skip
        if under:
            other = _other(voice)
            for i, text in enumerate(COMMANDS):
                bg = recording(TALK[(i * 7) % len(TALK)], other)
                hear("cmd under", voice, "clean", text,
                     scene(_mix(recording(text, voice), bg, 10.0, 4000), "clean", rng))  # fmt: skip
            for i, text in enumerate(TALK):
                bg = recording(TALK[(i * 7 + 3) % len(TALK)], other)
                hear("talk under", voice, "clean", text,
                     scene(_mix(recording(text, voice), bg, 10.0, 4000), "clean", rng))  # fmt: skip
        print(f"{'extra':>12} {voice:<7} {time.time() - t0:6.0f} s", file=sys.stderr, flush=True)
    return {"voices": voices, "conditions": conds, "rows": rows, "phrases": len(phrases)}


CLEAR, UNSURE = 0.8, 0.5
"""For "span clear": every word of the span heard with probability >= CLEAR, and every word
outside it < UNSURE (the other voice's words, which Whisper is less sure of)."""


def _span(matcher, words: list[tuple[str, float]], min_words: int, clear: bool = False):
    """The longest run of ``words`` the matcher understands (at least ``min_words``), or None."""
    for n in range(len(words), min_words - 1, -1):
        for i in range(len(words) - n + 1):
            inside, outside = words[i : i + n], words[:i] + words[i + n :]
            if clear and not (
                all(p >= CLEAR for _, p in inside) and all(p < UNSURE for _, p in outside)
            ):
                continue
            m = matcher.match(" ".join(x for x, _ in inside))
            if m is not None:
                return [m.intent, dict(m.slots)]
    return None


def decide(row: dict, strategy: str, matcher=None, span_min: int = 2):
    """(meaning or None, latency) the strategy acts on for one recording."""
    w = next(((u["meaning"], u["latency"]) for u in row["whisper"] if u["meaning"]), None)
    s = next(((u["meaning"], u["latency"]) for u in row["pocketsphinx"] if u["meaning"]), None)
    if strategy == "pocketsphinx":
        return s or (None, None)
    if strategy == "fast path" and s:
        return s
    if strategy == "agree" and s:
        return (s[0], max(s[1], w[1])) if w and w[0] == s[0] else (w or (None, None))
    if strategy.startswith("span") and not w:
        for u in row["whisper"]:
            words = [(x, p) for x, p in u["words"]] or [(x, 1.0) for x in u["text"].split()]
            m = _span(matcher, words, span_min, strategy == "span clear")
            if m:
                return m, u["latency"]
    return w or (None, None)


def report(raw: dict, span_min: int) -> str:
    from voice_repair.intents.matcher import IntentMatcher

    matcher = IntentMatcher.load(ROOT / "intents" / "en")
    rows = raw["rows"]
    lines = []
    kinds = sorted({r["kind"] for r in rows})
    strategies = ["whisper", "fast path", "agree", "pocketsphinx", "span", "span clear"]
    for kind in kinds:
        sel = [r for r in rows if r["kind"] == kind]
        lines.append(f"\n{kind}: {len(sel)} recordings")
        for st in strategies:
            got = [decide(r, st, matcher, span_min) for r in sel]
            if kind.startswith("cmd"):
                right = [lat for (m, lat), r in zip(got, sel, strict=True) if m == r["want"]]
                wrong = sum(1 for (m, _), r in zip(got, sel, strict=True) if m and m != r["want"])
                lat = np.array(right) if right else np.array([np.nan])
                lines.append(
                    f"  {st:<13} right {len(right):4d}/{len(sel)} ({len(right) / len(sel):4.0%})"
                    f"  wrong request {wrong:3d}  latency median {np.median(lat):.2f} s"
                    f"  p95 {np.percentile(lat, 95):.2f} s"
                )
            else:
                false = [(r["said"], m) for (m, _), r in zip(got, sel, strict=True) if m]
                lines.append(f"  {st:<13} false activations {len(false):3d}")
        for eng in ("pocketsphinx", "whisper"):
            if kind.startswith("cmd"):
                sel_stop = [r for r in sel if r["said"] == "stop"]
                stops = [next((u for u in r[eng] if u["stop"]), None) for r in sel_stop]
                lat = [u["latency"] for u in stops if u] or [np.nan]
                lines.append(
                    f"  barge-in {eng:<13} 'stop' heard {sum(map(bool, stops))}/{len(sel_stop)}"
                    f"  latency median {np.median(lat):.2f} s max {np.max(lat):.2f} s"
                )
            else:
                n = sum(any(u["stop"] for u in r[eng]) for r in sel)
                lines.append(f"  barge-in {eng:<13} would interrupt: {n} of {len(sel)}")
    by = {}
    for r in rows:
        if r["kind"] == "cmd":
            key = (r["cond"], r["voice"])
            by.setdefault(key, [0, 0, 0])
            by[key][0] += decide(r, "whisper")[0] == r["want"]
            by[key][1] += decide(r, "fast path")[0] == r["want"]
            by[key][2] += 1
    lines.append("\ncommands right per room and voice, whisper / fast path:")
    for (cond, voice), (a, b, n) in sorted(by.items()):
        lines.append(f"  {cond:>12} {voice:<7} {a:2d} / {b:2d} of {n}")
    for st in ("fast path", "span", "span clear"):
        for r in rows:
            if r["kind"].startswith("talk"):
                m, _ = decide(r, st, matcher, span_min)
                if m and not decide(r, "whisper")[0]:
                    lines.append(f"  {st} false activation ({r['kind']}, {r['cond']}, "
                                 f"{r['voice']}): {r['said']!r} -> {m[0]}")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench cascade")
    p.add_argument("--voices", default="piper,espeak,slt,rms,awb")
    p.add_argument("--conditions", default="clean,10 dB pink")
    p.add_argument("--echo", action="store_true", help="'stop' over the assistant's own speech")
    p.add_argument("--under", action="store_true", help="a second voice under each sentence")
    p.add_argument("--span-min", type=int, default=2, help="shortest span (words) to act on")
    p.add_argument("--out", type=Path, help="keep the raw results (JSON; has transcripts)")
    p.add_argument("--from", dest="source", type=Path, help="report on kept raw results")
    args = p.parse_args(argv)
    voices, conds = args.voices.split(","), args.conditions.split(",")
    if set(voices) - {*VOICES, *FLITE_VOICES} or set(conds) - set(CONDITIONS):
        p.error(f"voices: {', '.join((*VOICES, *FLITE_VOICES))}; conditions: {CONDITIONS}")
    if args.source:
        raw = json.loads(args.source.read_text())
    else:
        raw = collect(voices, conds, args.echo, args.under)
        if args.out:
            args.out.write_text(json.dumps(raw))
    print(report(raw, args.span_min))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
