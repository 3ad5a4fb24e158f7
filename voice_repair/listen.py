"""Voice wiring: the live loop (``run``) and recognition over recordings (``recognize``).

Part of the app layer, split from ``app.py`` for size: it is the only other module that knows
every stage. The recognizer gets its phrases from the intent matcher's sampler here; it never
imports the matcher itself.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from pathlib import Path
from typing import TextIO

from .errors import AudioDeviceError
from .models import IntentMatch, Utterance

log = logging.getLogger(__name__)

PHRASES_PER_INTENT = 150
"""Sentences per intent in the speech grammar: enough to cover every template shape and number
(the sampler spreads them), small enough to keep the search fast on a Pi."""

MODELS_ROOT = Path(__file__).resolve().parent.parent / "models"

STOP = "control.stop"


def build_recognizer(options, matcher):  # -> asr.base.Recognizer
    """The configured engine with the product's phrases; logs which engine and why."""
    from .asr.select import make_recognizer

    phrases = [text for _, text in matcher.phrases(max_per_intent=PHRASES_PER_INTENT)]
    rec = options.config.recognition
    model_dir = Path(rec.model).expanduser() if rec.model else None
    recognizer, reason = make_recognizer(rec.engine, phrases, MODELS_ROOT, model_dir)
    log.info("recognizer: %s", reason)
    if recognizer.missing_words:
        log.warning(
            "the %s model cannot recognise these grammar words, so phrases with them will not "
            "be heard: %s",
            recognizer.name,
            ", ".join(sorted(recognizer.missing_words)),
        )
    return recognizer


def understood(matcher, utterance: Utterance) -> IntentMatch | None:
    """The intent of an accepted utterance; None for rejected speech or no intent."""
    if not utterance.accepted or not utterance.text:
        return None
    return matcher.match(utterance.text)


def recognize_files(options, files: list[Path], out: TextIO) -> int:
    """``voice-repair recognize``: every utterance in each file, with its intent (or null)."""
    from .audio.wavfile import chunks, read_wav
    from .intents import IntentMatcher

    matcher = IntentMatcher.load(options.intents_dir)
    recognizer = build_recognizer(options, matcher)
    for path in files:
        samples = read_wav(path)
        recognizer.reset()
        heard: list[Utterance] = []
        for chunk in chunks(samples):
            heard += recognizer.accept(chunk)
        heard += recognizer.flush()
        for u in heard:
            match = understood(matcher, u)
            row = {
                "file": str(path),
                "start": round(u.start, 3),
                "end": round(u.end, 3),
                "decided_at": round(u.decided_at, 3),
                "text": u.text,
                "intent": match.intent if match else None,
                "slots": dict(match.slots) if match else {},
                "confidence": round(u.confidence, 3),
            }
            if options.json:
                print(json.dumps(row), file=out, flush=True)
            else:
                what = (row["intent"] or "(no intent)") if u.accepted else "(rejected)"
                print(f"{path}: {u.start:6.2f}-{u.end:6.2f}s  {what}  {u.text!r}", file=out)
    return 0


def run_voice(options, start_session) -> int:
    """``voice-repair run`` with a microphone: listen, answer aloud, until SIGTERM or Ctrl-C.

    Raises AudioDeviceError when there is no microphone (the caller falls back to text mode).
    """
    from .audio.capture import Microphone
    from .audio.playback import Player
    from .intents import IntentMatcher
    from .loop import VoiceLoop
    from .speaker import Speaker
    from .speech import make_tts

    cfg = options.config
    matcher = IntentMatcher.load(options.intents_dir)
    mic = Microphone(cfg.audio.input_device)
    mic.__enter__()  # AudioDeviceError here: no microphone
    stop_event = threading.Event()
    speaker = session = engine = None
    try:
        recognizer = build_recognizer(options, matcher)
        speaker = Speaker(
            make_tts(cfg.voice.voice, cfg.voice.rate_wpm), Player(cfg.audio.output_device)
        )
        session, engine = start_session(options, speaker.say)
        if cfg.debug_transcripts:
            log.warning("DEBUG TRANSCRIPTS ARE ON: what the microphone hears is logged as text")

        def on_utterance(u: Utterance) -> None:
            match = understood(matcher, u)
            if cfg.debug_transcripts:
                log.warning("heard %r (accepted=%s)", u.text, u.accepted)
            if match is None:
                log.info("utterance without intent (%.1f s)", u.end - u.start)
                return
            if match.intent == STOP:
                speaker.stop()
            session.handle(match)

        def is_stop(text: str) -> bool:
            m = matcher.match(text)
            return m is not None and m.intent == STOP

        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop_event.set())
        print("Listening. Say 'what can you do' to hear the requests; Ctrl-C to quit.", flush=True)
        loop = VoiceLoop(
            mic.chunks(timeout=5.0),
            recognizer,
            speaker,
            on_utterance,
            is_stop,
            captured_at=mic.captured_at,
        )
        loop.run(stop_event)
    except AudioDeviceError:
        if stop_event.is_set():
            return 0
        raise
    finally:
        mic.close()
        if engine is not None:
            engine.shutdown()
        if speaker is not None:
            speaker.close()
    return 0
