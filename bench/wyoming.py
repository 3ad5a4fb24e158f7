"""A home server over Wyoming against the speaker's own models: end of speech to first audio.

``python -m bench wyoming [-- --voices piper,espeak --repeat 1]``

Each request (``SAID``) is heard as if played in real time (each block handled once it has
arrived and the previous one is done, compute and waits included: ``asr.realtime``), then the
reply's first sentence is rendered, as the speaker does before it can play anything. Side by
side:

- **local**: Whisper tiny.en decides, the auto voice (Piper) renders;
- **wyoming**: ``WyomingRecognizer`` against a Wyoming server on 127.0.0.1, in a process of its
  own (the ``wyoming`` package's own server around the same Whisper tiny.en and the same voice:
  ``tests/wyomingservers.py``), the local engine reading each segment at the same time, and
  ``WyomingTTS`` against the same server.

"first audio" = decision time after the end of speech + the first sentence's render time. For
"stop" and danger the Wyoming column also gives the early decision (the local reading handed out
while the server transcribes, ``live.early``), which is when the assistant acts on them.

Then the stop spotter (``asr.stopspot``) alone: the stop phrases it should spot, and the
everyday sentences and other requests it must not (what it spots can only silence the speaker).

Conditions are printed with the table: on this machine the server shares the client's two cores
(and other people's work): a real home server has its own, so the Wyoming times here are an
upper bound for the same model.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from testspeech import COMMANDS, TALK, recording
from wyomingservers import DeafEngine, WyomingServer, free_port

from voice_repair.models import AudioChunk, Utterance

ROOT = Path(__file__).resolve().parent.parent
EXPLICIT_ONLY = True  # two Whisper models, a voice and a server: minutes; only when named

SAID = [
    "i need a pause", "i need ten minutes", "help me calm down", "what can you do",
    "remind us to talk tonight", "stop", "i don't feel safe", "he hit me",
]  # fmt: skip
"""Requests for the latency table: everyday ones, "stop" and two of danger."""
STOPS = ["stop", "be quiet", "stop talking", "shut up", "please stop", "stop it"]


def _room(speech: np.ndarray) -> tuple[np.ndarray, float]:
    """Speech with half a second of quiet room before and a second after; (audio, end of
    speech in s)."""
    from voice_repair.speech.engines import trim_silence

    speech = trim_silence(speech.astype(np.int16), 16000, keep_ms=0)
    audio = np.concatenate([np.zeros(8000), speech.astype(float), np.zeros(16000)])
    audio += np.random.default_rng(0).normal(0, 20, audio.size)
    return np.clip(audio, -32768, 32767).astype(np.int16), (8000 + speech.size) / 16000


def _blocks(audio: np.ndarray) -> list[AudioChunk]:
    pcm = audio.astype("<i2").tobytes()
    return [AudioChunk(pcm[i : i + 3200], 16000, i / 32000) for i in range(0, len(pcm), 3200)]


def hear(recognizer, audio: np.ndarray) -> tuple[list[tuple[Utterance, float]], list]:
    """``asr.realtime.hear_in_real_time``, also stamping the early readings: (final
    utterances with their ready times, early ones with theirs), in stream seconds."""
    early: list[tuple[Utterance, float]] = []
    done, out = 0.0, []
    now = {"start": 0.0, "t0": 0.0}
    if hasattr(recognizer, "on_early"):
        recognizer.on_early = lambda u: early.append(
            (u, now["start"] + time.perf_counter() - now["t0"])
        )
    recognizer.reset()
    for chunk in _blocks(audio):
        end = chunk.start + len(chunk.samples) / 32000
        now["start"], now["t0"] = max(end, done), time.perf_counter()
        heard = recognizer.accept(chunk)
        done = now["start"] + time.perf_counter() - now["t0"]
        out += [(u, done) for u in heard]
    now["start"], now["t0"] = done, time.perf_counter()  # the silence after it closes a segment
    heard = recognizer.flush()
    done += time.perf_counter() - now["t0"]
    out += [(u, done) for u in heard]
    return out, early


def _first_sentence(session, understood, utterance: Utterance, said: list) -> str | None:
    from voice_repair.speech.speaker import _pieces

    before = len(said)
    heard = understood.heard(utterance)
    if heard.match is None or session.hear(heard) is None or len(said) == before:
        return None
    return next((p for p in _pieces(said[before].text) if isinstance(p, str)), None)


def latency(voices: list[str], repeat: int) -> None:
    from voice_repair import app
    from voice_repair.asr.whisper import WhisperRecognizer
    from voice_repair.asr.wyoming import RemoteASR, WyomingRecognizer
    from voice_repair.config import Config
    from voice_repair.intents.grammar import grammar_sentences
    from voice_repair.live.listen import Understanding
    from voice_repair.speech.engines import make_tts
    from voice_repair.speech.wyoming import RemoteVoice, WyomingTTS

    matcher = app.load_language(app.Options(config=Config()), None)[0]
    phrases = [t for _, t in grammar_sentences(matcher, ROOT / "intents" / "en")]
    understood = Understanding(matcher, None, phrases)
    whisper = WhisperRecognizer(phrases)
    voice = make_tts("auto", 150)
    rows: dict[str, dict[str, list[float]]] = {}
    with _server_process() as uri:
        remote = WyomingRecognizer(phrases, RemoteASR(uri, answer_seconds=10), whisper)
        far_voice = WyomingTTS(RemoteVoice(uri), voice)
        setups = {"local": (whisper, voice), "wyoming": (remote, far_voice)}
        for _ in range(repeat):
            for text in SAID:
                for v in voices:
                    audio, speech_end = _room(recording(text, v))
                    for name, (rec, tts) in setups.items():
                        with tempfile.TemporaryDirectory() as data:
                            said: list = []
                            opts = app.Options(config=Config(data_dir=Path(data)))
                            session, engine = app.start_session(opts, said.append, matcher)
                            finals, early = hear(rec, audio)
                            row = rows.setdefault(f"{text!r} {name}", {})
                            for u, ready in early:
                                m = understood(u)
                                if m is not None and m.intent in ("control.stop", "safety"):
                                    row.setdefault("early", []).append(ready - speech_end)
                                    break
                            for u, ready in finals[:1]:
                                row.setdefault("decided", []).append(ready - speech_end)
                                first = _first_sentence(session, understood, u, said)
                                if first:
                                    t0 = time.perf_counter()
                                    tts.render(first)
                                    render = time.perf_counter() - t0
                                    row.setdefault("render", []).append(render)
                                    row.setdefault("first", []).append(ready - speech_end + render)
                            engine.shutdown()
        remote.close()
        far_voice.close()
        print(
            f"wyoming: the server decided {remote.remote_count} utterances, the local "
            f"engine {remote.local_count}; the server voiced {far_voice.remote_count} lines"
        )
    _table(rows, len(voices) * repeat)


def _serve(port: int, ready) -> None:
    """The home server, in its own process as it would be on its own machine: our Whisper
    tiny.en and the auto voice behind the ``wyoming`` package's server."""
    from voice_repair.asr.whisper import WhisperRecognizer
    from voice_repair.speech.engines import make_tts

    with WyomingServer("whisper", whisper=WhisperRecognizer(["stop"]), port=port,
                       tts=make_tts("auto", 150)):  # fmt: skip
        ready.set()
        while True:
            time.sleep(60)


@contextlib.contextmanager
def _server_process():
    ctx = multiprocessing.get_context("spawn")
    ready, port = ctx.Event(), free_port()
    child = ctx.Process(target=_serve, args=(port, ready), daemon=True)
    child.start()
    try:
        if not ready.wait(600):
            raise RuntimeError("the Wyoming server did not start within 10 minutes")
        yield f"tcp://127.0.0.1:{port}"
    finally:
        child.terminate()
        child.join(10)


def _table(rows: dict[str, dict[str, list[float]]], n: int) -> None:
    def med(xs: list[float] | None) -> str:
        return f"{statistics.median(xs):5.2f}" if xs else "   - "

    print(f"\nseconds after the end of speech, median of {n} (voices x repeats)")
    print(f"{'request':34} {'setup':8} {'decided':>8} {'render':>7} {'1st audio':>9} {'early':>6}")
    for key, row in rows.items():
        text, name = key.rsplit(" ", 1)
        print(f"{text:34} {name:8} {med(row.get('decided')):>8} {med(row.get('render')):>7} "
              f"{med(row.get('first')):>9} {med(row.get('early')):>6}")  # fmt: skip
    for name in ("local", "wyoming"):
        firsts = [x for k, r in rows.items() if k.endswith(name) for x in r.get("first", [])]
        if firsts:
            print(f"all requests, {name}: first audio median {statistics.median(firsts):.2f} s, "
                  f"max {max(firsts):.2f} s ({len(firsts)} replies)")  # fmt: skip


def spotter(voices: list[str]) -> None:
    from voice_repair.asr.wyoming import RemoteASR, WyomingRecognizer
    from voice_repair.intents.grammar import grammar_sentences
    from voice_repair.intents.matcher import IntentMatcher

    matcher = IntentMatcher.load(ROOT / "intents" / "en")
    phrases = [t for _, t in grammar_sentences(matcher, ROOT / "intents" / "en")]
    rec = WyomingRecognizer(phrases, RemoteASR(f"tcp://127.0.0.1:{free_port()}"), DeafEngine())
    rec.health.failed("not used by this benchmark")  # the spotter alone, no waiting
    rec.health.close()
    others = [c for c in COMMANDS if c not in STOPS]
    spots: dict[str, list[str]] = {"stop": [], "other": [], "talk": []}
    times: list[float] = []
    for kind, sentences in (("stop", STOPS), ("other", others), ("talk", TALK)):
        for text in sentences:
            for v in voices:
                audio, speech_end = _room(recording(text, v))
                _, early = hear(rec, audio)
                if early:
                    spots[kind].append(f"{text} ({v}) -> {early[0][0].text}")
                    times.append(early[0][1] - speech_end)
    rec.close()
    n = len(voices)
    print(f"\nstop spotter: stops spotted {len(spots['stop'])} of {len(STOPS) * n}; other requests "
          f"taken for stop {len(spots['other'])} of {len(others) * n}; everyday talk "
          f"{len(spots['talk'])} of {len(TALK) * n}")  # fmt: skip
    if times:
        print(f"  decided {statistics.median(times):.2f} s after the end of speech (median), "
              f"max {max(times):.2f} s")  # fmt: skip
    for kind in ("other", "talk"):
        for line in spots[kind]:
            print(f"  {kind} spotted: {line}")
    missed = {f"{t} ({v})" for t in STOPS for v in voices} - {
        s.split(" -> ")[0] for s in spots["stop"]
    }
    for line in sorted(missed):
        print(f"  stop missed: {line}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench wyoming")
    parser.add_argument("--voices", default="piper,espeak")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--only", choices=("latency", "spotter"), default=None)
    args = parser.parse_args(argv)
    voices = args.voices.split(",")
    print(
        f"bench wyoming: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start; "
        "server on 127.0.0.1 sharing them; Whisper tiny.en and the auto voice on both sides"
    )
    if args.only in (None, "spotter"):
        spotter(voices)
    if args.only in (None, "latency"):
        latency(voices, args.repeat)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0
