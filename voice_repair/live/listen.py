"""Voice wiring: the live loop (``run``) and recognition over recordings (``recognize``).

Part of the app layer, split from ``app.py`` for size: it is the only other module that knows
every stage. The recognizer gets its phrases from the intent data here (``intents.grammar``); it
never imports the matcher itself. What a transcript asks for is ``understanding.Understanding``.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from pathlib import Path
from typing import TextIO

from .. import SOURCE_ROOT
from ..asr.prompting import Sentences
from ..errors import AudioDeviceError
from ..intents.grammar import grammar_sentences
from ..models import Utterance
from .early import VoiceDoor, stop_first_by_default
from .expect import FOLLOW_MODE, ExpectedSentences
from .understanding import Understanding
from .wake import grammar

log = logging.getLogger(__name__)

MODELS_ROOT = SOURCE_ROOT / "models"


def listening_phrases(options, matcher) -> list[str]:
    """The sentences the recognizer listens for, and snapping may snap onto.

    With a wake phrase, they are "<wake> <request>" and the bare "stop" and safety sentences
    (``wake.grammar``), so other requests without the wake phrase are rejected as out of grammar.
    """
    wake = options.config.recognition.wake_phrase
    return grammar(grammar_sentences(matcher, options.intents_dir), wake)


def prompt_sentences(matcher) -> list[str]:
    """What Whisper is biased toward: the catalogue's example sentence of every intent
    (``intents/en/intents.yaml``), its initial prompt. The recognizer never sees the matcher;
    it gets these sentences, and guards against writing them back over noise
    (``asr/promptguard.py``)."""
    return [spec.example for spec in matcher.catalogue.values()]


def build_recognizer(
    options, matcher, phrases: list[str] | None = None, prompt: Sentences | None = None
):  # -> Recognizer
    """The configured engine with the product's phrases, and Whisper biased toward ``prompt``
    (default: the catalogue's examples, ``prompt_sentences``); logs which engine and why."""
    from ..asr.select import make_recognizer

    rec = options.config.recognition
    if phrases is None:
        phrases = listening_phrases(options, matcher)
    model_dir = Path(rec.model).expanduser() if rec.model else None
    remote = None
    if rec.engine == "wyoming" and rec.uri:
        from ..asr.wyoming import RemoteASR

        remote = RemoteASR(rec.uri, rec.allow_remote, options.config.language, rec.answer_seconds)
    recognizer, reason = make_recognizer(
        rec.engine, phrases, MODELS_ROOT, model_dir, remote,
        prompt_sentences(matcher) if prompt is None else prompt,
    )  # fmt: skip
    log.info("recognizer: %s", reason)
    if rec.wake_phrase:
        log.info("wake phrase is on: only requests after it are acted on (and 'stop' and safety)")
    if recognizer.missing_words:
        log.warning(
            "the %s model cannot recognise these grammar words, so phrases with them will not "
            "be heard: %s",
            recognizer.name,
            ", ".join(sorted(recognizer.missing_words)),
        )
    return recognizer


def build_voice(cfg):  # -> TextToSpeech
    """The configured voice; with ``wyoming``, the home server's, the auto voice as fallback."""
    from ..speech.engines import make_tts

    if cfg.voice.voice != "wyoming":
        return make_tts(cfg.voice.voice, cfg.voice.rate_wpm)
    from ..speech.wyoming import RemoteVoice, WyomingTTS

    tts = WyomingTTS(
        RemoteVoice(cfg.voice.uri, cfg.voice.allow_remote), make_tts("auto", cfg.voice.rate_wpm)
    )
    log.info("voice: the Wyoming server at %s, the local %s when it cannot", tts.endpoint,
             tts.local.name)  # fmt: skip
    return tts


def recognize_files(options, files: list[Path], out: TextIO) -> int:
    """``voice-repair recognize``: every utterance in each file, with its intent (or null).

    ``decided_at`` is when the decision would be ready had the file been played to the
    recognizer in real time, the compute after the end of speech included
    (``asr.realtime``), so file-level latency is honest for every engine.
    """
    from ..asr.realtime import hear_in_real_time
    from ..audio.wavfile import chunks, read_wav
    from ..intents.matcher import IntentMatcher

    matcher = IntentMatcher.load(options.intents_dir)
    phrases = listening_phrases(options, matcher)
    recognizer = build_recognizer(options, matcher, phrases)
    understood = Understanding(matcher, options.config.recognition.wake_phrase, phrases)
    for path in files:
        samples = read_wav(path)
        recognizer.reset()
        for u, decided_at in hear_in_real_time(recognizer, chunks(samples)):
            match = understood(u)
            row = {
                "file": str(path),
                "start": round(u.start, 3),
                "end": round(u.end, 3),
                "decided_at": round(decided_at, 3),
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


MIC_STALL_SECONDS = 2.0
"""No audio for this long means the microphone has gone (blocks come every 0.1 s)."""


def run_voice(options, start_session, wait_for_microphone: bool = False) -> int:
    """``voice-repair run`` with a microphone: listen, answer aloud, until SIGTERM or Ctrl-C.

    Raises AudioDeviceError when there is no microphone at start (the caller falls back to
    text mode), unless ``wait_for_microphone``: a service has nobody to type, so it starts
    anyway and waits for one (a USB microphone plugged in after boot). Once running, a
    microphone that disappears is waited for (``keep_listening``): the process, the
    conversation and the timers all stay up.
    """
    from ..audio.capture import Microphone
    from ..audio.devices import bound_exit_cleanup, refresh_devices
    from ..audio.echo_setup import set_up_echo_cancel
    from ..audio.playback import Player
    from ..audio.route import RouteGuard
    from ..intents.matcher import IntentMatcher
    from ..intents.passed import cache_folder
    from ..service.resilience import (
        ChimeFallbackTTS,
        keep_listening,
        route_alsa_errors,
    )
    from ..speech.cache import UNKNOWN, CachedTTS
    from ..speech.foresight import Foresight, foresee_by_default
    from ..speech.speaker import Speaker, opening_sentences
    from .bargein import BargeIn
    from .loop import VoiceLoop

    cfg = options.config
    if cfg.debug_transcripts:
        log.warning(
            "DEBUG TRANSCRIPTS ARE ON: everything the microphone hears is written to this "
            "log word for word. Turn debug_transcripts off for normal use."
        )
    matcher = IntentMatcher.load(options.intents_dir)
    route_alsa_errors()
    bound_exit_cleanup()  # a stream left behind hung must not hang the exit
    pending: list[Microphone] = []
    # PulseAudio moves a stream whose microphone vanished onto a monitor of the speaker
    # instead of ending it (audio/route.py): a stream found there counts as no microphone.
    guard = RouteGuard()
    # Before any stream opens: the PulseAudio canceller re-routes this process's streams.
    echo = set_up_echo_cancel(cfg.audio.echo_cancel, cfg.audio.input_device,
                              cfg.audio.output_device, cfg.audio.echo_process)  # fmt: skip
    log.info("echo cancellation: %s", echo.reason)
    try:
        pending.append(Microphone(cfg.audio.input_device, block_ms=echo.block_ms).__enter__())
        guard.check()
    except AudioDeviceError:
        for mic in pending:
            mic.close()
        pending.clear()
        if not wait_for_microphone:
            raise  # no microphone: the caller offers text mode
    stop_event = threading.Event()
    speaker = session = engine = foresight = voice = None
    try:
        phrases = listening_phrases(options, matcher)
        expected = ExpectedSentences.load(matcher, options.intents_dir, FOLLOW_MODE)
        recognizer = build_recognizer(options, matcher, phrases, expected)
        understood = Understanding(matcher, cfg.recognition.wake_phrase, phrases)
        player = Player(cfg.audio.output_device, played=echo.played)
        # Inside the fallback, so a chime is never cached; fixed lines kept in the cache folder.
        voice = CachedTTS(build_voice(cfg), folder=cache_folder() / "speech")
        speaker = Speaker(ChimeFallbackTTS(voice, player.sample_rate), player)
        session, engine = start_session(options, speaker.say, matcher, silence=speaker.stop)
        expected.listen_to(lambda: session.mode)  # the session publishes, the prompt reads
        # Fixed lines rendered ahead, while nothing is said: their first audio is a lookup.
        voice.warm(opening_sentences(session.foreseeable_lines(UNKNOWN), UNKNOWN),
                   idle=lambda: not speaker.speaking)  # fmt: skip
        if foresee_by_default():  # and the lines with a value the next request may get

            def quiet() -> bool:  # nobody talking, nothing being said or decoded
                return not speaker.speaking and not getattr(recognizer, "hearing", False)

            foresight = Foresight(voice, session.likely_lines, quiet, UNKNOWN).start()

        door = VoiceDoor(
            understood,
            session.hear,
            speaker.stop,
            guard.check,
            echo_cancelled=echo.active,
            stop_first=stop_first_by_default(),
        )

        barge = BargeIn.over(echo.canceller, phrases)  # None without the played samples
        if barge is not None:  # a recognizer's "stop" in a sentence said over its voice
            door.sentence_over = barge.sentence_over

        def on_utterance(u: Utterance, speaking: bool) -> bool:
            if cfg.debug_transcripts:
                log.warning("heard %r (accepted=%s, early=%s)", u.text, u.accepted, u.early)
            if barge is not None and barge.already_acted(u):  # heard over it, or just after
                log.info("speech over its own already acted on as a stop: not again")
                return False
            return door(u, speaking)

        def open_mic() -> Microphone:
            # A retry opens a new one; keep_listening keeps PortAudio's complaints out of the log.
            mic = (
                pending.pop()
                if pending
                else Microphone(cfg.audio.input_device, block_ms=echo.block_ms).__enter__()
            )
            try:
                guard.check()  # opened on the default source, which may be a monitor now
            except AudioDeviceError:
                mic.close()
                raise
            return mic

        def listen(mic: Microphone) -> None:
            recognizer.reset()  # a new stream: its clock starts again, old audio is gone
            loop = VoiceLoop(
                # The route check (a pactl call) on this thread, not the echo path's.
                guard.watch(echo.stream(mic.chunks(timeout=MIC_STALL_SECONDS), mic.captured_at)),
                recognizer,
                speaker,
                on_utterance,
                captured_at=mic.captured_at,
            )
            if hasattr(recognizer, "on_early"):  # a home server: act on stop and danger early
                recognizer.on_early = loop.hear_early
            if barge is not None:  # "stop" said over its own voice
                barge.connect(loop.hear_early, mic)
            loop.run(stop_event)

        def rescan() -> None:
            # PortAudio lists devices only when it starts: after the sound server came back, or
            # a USB microphone was plugged in, look again. Not while speech is playing (the
            # re-scan closes every stream); the next attempt will do it.
            if speaker is not None and not speaker.speaking and not _input_listed(cfg):
                refresh_devices()

        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop_event.set())
        print("Listening. Say 'what can you do' to hear the requests; Ctrl-C to quit.", flush=True)
        keep_listening(open_mic, listen, stop_event, on_retry=rescan)
    finally:
        for mic in pending:
            mic.close()
        if foresight is not None:  # the renderings ahead end first: no engine at exit
            foresight.stop()
        if voice is not None:
            voice.close()
        if engine is not None:
            engine.shutdown()
        if speaker is not None:
            speaker.close()
        echo.close()
    return 0


def _input_listed(cfg) -> bool:
    """The configured microphone is in PortAudio's current list (no re-scan needed)."""
    from ..audio.devices import check_device

    try:
        check_device(cfg.audio.input_device, "input", 16000)
    except AudioDeviceError:
        return False
    return True
