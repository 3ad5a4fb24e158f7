"""Builds the pipeline and runs it: the only module that knows every stage.

``cli.py`` parses arguments into ``Options`` and calls one function here per subcommand.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import stat
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TextIO

from . import DEFAULT_INTENTS
from .config.settings import Config
from .errors import DataProblem, IntentDataError
from .models import Say
from .session import Session
from .skill import Context, SkillSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Options:
    """What a subcommand needs: the checked settings plus this run's command-line choices."""

    config: Config = field(default_factory=Config)
    intents_root: Path = DEFAULT_INTENTS
    """Folder holding one sub-folder per language (``intents/en``)."""
    minute_seconds: float = 60.0
    """How long a minute lasts, in real seconds (``--minute``, for demos and tests)."""
    json: bool = False
    config_path: Path | None = None
    """The ``--config`` file, if one was given (the service unit passes it on)."""

    @property
    def intents_dir(self) -> Path:
        return self.intents_root / self.config.language

    @property
    def data_dir(self) -> Path:
        return self.config.data_dir

    def skill_settings(self) -> SkillSettings:
        return SkillSettings(
            default_pause_minutes=self.config.pause.default_minutes,
            evening_hour=self.config.reminders.evening_hour,
            morning_hour=self.config.reminders.morning_hour,
            turn_minutes=self.config.turns.turn_minutes,
            reflect_minutes=self.config.turns.reflect_minutes,
            turn_names=self.config.turns.names,
        )

    def timer_settings(self):  # -> timers.TimerSettings
        from .timers.engine import TimerSettings

        p, r = self.config.pause, self.config.reminders
        return TimerSettings(
            minute_seconds=self.minute_seconds,
            nudges_at=tuple(p.nudges_at),
            warning_minutes=p.warning_minutes,
            repeat_every_minutes=p.repeat_every_minutes,
            repeat_count=p.repeat_count,
            grace_minutes=r.grace_minutes,
        )

    def contact_overrides(self) -> dict[str, str]:
        """The routes set in the configuration (``country`` apart)."""
        return {k: v for k, v in asdict(self.config.contacts).items() if v and k != "country"}


# ---------------------------------------------------------------------------- language data


def check_data(intents_dir: Path) -> list[DataProblem]:
    """Every problem in the intent and response data (``voice-repair check``)."""
    from .content.loader import check_content
    from .intents.matcher import check_intents

    return check_intents(intents_dir) + check_content(intents_dir)


def load_language(options: Options, matcher=None):  # -> tuple[IntentMatcher, Content]
    """Load and validate the intent matcher (unless one is given) and the spoken content;
    raise IntentDataError listing the problems of both."""
    from .content.loader import load_content
    from .intents.matcher import IntentMatcher

    problems: list[DataProblem] = []
    content = None
    if matcher is None:
        try:
            matcher = IntentMatcher.load(options.intents_dir)
        except IntentDataError as exc:
            problems += exc.problems
    try:
        content = load_content(
            options.intents_dir,
            options.contact_overrides() or None,
            wake_phrase=options.config.recognition.wake_phrase,
            country=options.config.contacts.country,
        )
    except IntentDataError as exc:
        problems += exc.problems
    if problems:
        raise IntentDataError(problems)
    return matcher, content


# ---------------------------------------------------------------------------- output


def say_event(say: Say) -> dict[str, object]:
    """The JSON event of one spoken output (``chat --json``)."""
    event: dict[str, object] = {"event": "say", "source": say.source, "text": say.text}
    if say.chime:
        event["chime"] = True
    return event


class TextOutput:
    """Prints spoken replies, one writer at a time (timer events come from another thread)."""

    def __init__(self, stream: TextIO, as_json: bool) -> None:
        self._stream = stream
        self._json = as_json
        self._lock = threading.Lock()

    def __call__(self, say: Say) -> None:
        if self._json:
            line = json.dumps(say_event(say), ensure_ascii=False)
        else:
            line = ("(chime) " if say.chime else "") + say.text
        with self._lock:
            print(line, file=self._stream, flush=True)

    def note(self, text: str) -> None:
        """A line for the person at the keyboard that is not speech (text mode only)."""
        if not self._json:
            with self._lock:
                print(f"  ({text})", file=self._stream, flush=True)


# ---------------------------------------------------------------------------- subcommands


def parse(options: Options, texts: Iterable[str], out: TextIO) -> int:
    """``voice-repair parse``: print the intent and slots of each sentence."""
    from .intents.matcher import IntentMatcher

    matcher = IntentMatcher.load(options.intents_dir)
    for text in texts:
        decided = matcher.explain(text)
        match = decided.match
        intent = match.intent if match else None
        slots = dict(match.slots) if match else {}
        if options.json:
            row = {"text": text, "intent": intent, "slots": slots, "net": decided.net}
            if decided.score is not None:
                row |= {"score": decided.score, "margin": decided.margin}
            print(json.dumps(row), file=out)
        else:
            shown = " ".join(f"{k}={v}" for k, v in slots.items())
            print(f"{text!r} -> {intent or '(no intent)'} {shown}".rstrip(), file=out)
    return 0


def start_session(
    options: Options,
    emit: Callable[[Say], None],
    matcher=None,
    silence: Callable[[], None] = lambda: None,
    warm: bool = False,
):  # -> (Session, TimerEngine)
    """Load the data, open the timer store, and start answering.

    ``silence``: cuts off the speech being played ("stop"); text mode has none.

    ``warm``: load the semantic model on a background thread now (``run``, and ``chat`` at a
    terminal), so that the first request it decides does not wait for it; piped ``chat`` and
    ``recognize`` leave it to the first sentence that needs it (most need none).

    ``matcher``: an ``IntentMatcher`` already loaded by the caller (the live loop needs it before
    the session), so its data and tests are not loaded and run a second time at start-up.
    """
    from .timers.engine import TimerEngine

    matcher, content = load_language(options, matcher)
    ctx = Context(content=content, settings=options.skill_settings())
    holder: list[Session] = []

    def on_event(event) -> None:
        holder[0].on_timer_event(event)

    engine = TimerEngine(options.data_dir, options.timer_settings(), on_event)
    session = Session(matcher, ctx, engine, emit, silence=silence)
    holder.append(session)
    report = engine.start()  # logs where an unreadable store was moved, if it was
    if report.memory_only is not None:  # the engine logged what is wrong and what to do
        problem = report.memory_only if report.memory_only in ("full", "read-only") else "failing"
        session.say_line("startup.not_saved", "startup", problem=problem)
    # A pause's or a round's events are not reminders anyone set: they are told apart.
    if report.dropped_reminders:
        session.say_line("startup.dropped", "startup", count=str(report.dropped_reminders))
    if "pause" in report.ended:
        session.say_line("startup.pause_ended", "startup")
    if "turns" in report.ended:
        session.say_line("startup.round_ended", "startup")
    if warm and matcher.semantic is not None and not matcher.semantic.loaded:
        matcher.semantic.warm()  # the model loads meanwhile: neither listening nor typing waits
    return session, engine


def chat(options: Options, stdin: TextIO, stdout: TextIO) -> int:
    """``voice-repair chat``: text mode. Each line read is a request; replies are printed."""
    from .live.understanding import MAX_REQUEST_CHARS, MAX_SCANNED_CHARS, Understanding

    output = TextOutput(stdout, options.json)
    wake_phrase = options.config.recognition.wake_phrase
    if hasattr(stdin, "reconfigure"):  # bytes that are not text are not a request: no traceback
        stdin.reconfigure(errors="replace")
    restore = _stop_on_signals()  # before the timers start: a stop always goes through shutdown
    engine = None
    try:
        # Everything from here on inside the try: a Ctrl-C or SIGTERM at any instant ends in
        # shutdown (and the engine's own exit hook covers the instant inside start_session).
        session, engine = start_session(options, output, warm=stdin.isatty())
        understood = Understanding(session.matcher, wake_phrase)  # the microphone's front door
        if stdin.isatty():
            output.note("text mode: type a request, e.g. 'I need a pause'; Ctrl-D to quit")
        for line in stdin:
            text = line.strip()
            if not text:
                continue
            heard = understood.hear(text)
            if session.hear(heard) is not None:
                continue
            if len(text) > MAX_SCANNED_CHARS and heard.match is None:
                output.note(
                    f"too long to be a request; only its first {MAX_SCANNED_CHARS:,} characters"
                    " were read for danger"
                )
            elif len(text) > MAX_REQUEST_CHARS and heard.match is None:
                output.note("too long to be a request")
            elif heard.match is not None and not heard.woken:
                log.info("no wake phrase: ignored")
                output.note(f"start with the wake phrase: '{wake_phrase} ...'")
            else:
                output.note("not a request I know; try 'what can you do'")
    except KeyboardInterrupt:
        if engine is None:
            raise  # stopped during start-up: the command line says so (exit status 130)
    finally:
        _ignore_stops()  # a second Ctrl-C or SIGTERM must not cut the (bounded) shutdown short
        if engine is not None:
            engine.shutdown()
        restore()
    return 0


def _stop_on_signals() -> Callable[[], None]:
    """Turn SIGINT (Ctrl-C) and SIGTERM (systemd's stop) into KeyboardInterrupt, so both take
    the same orderly path; returns what puts the previous handlers back. Only the main thread
    can set handlers.

    Both are set here, whatever this process inherited. Python leaves SIGINT ignored when its
    parent ignored it (a job started with ``&`` from a script, some CI runners), and the live
    loop leaves its own SIGINT handler behind when it falls back to text mode: either way a
    Ctrl-C or ``kill -INT`` was a no-op and ``chat`` waited for input for ever (issue 22).
    """
    import signal

    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    for sig in saved:
        signal.signal(sig, interrupt)

    def restore() -> None:
        for sig, handler in saved.items():
            signal.signal(sig, handler)

    return restore


def _ignore_stops() -> None:
    import signal

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def run(options: Options) -> int:
    """``voice-repair run``: the live voice loop; text mode when there is no microphone."""
    from .errors import AudioDeviceError
    from .live.listen import run_voice

    # As a systemd service (INVOCATION_ID set, standard input /dev/null) nobody can type: wait
    # for a microphone instead of text mode, and let any other audio failure exit non-zero so
    # Restart= tries again. Piped input still gets text mode, even inside a service's tree.
    service = bool(os.environ.get("INVOCATION_ID")) and _stdin_is_null()
    try:
        start = functools.partial(start_session, warm=True)
        return run_voice(options, start, wait_for_microphone=service)
    except AudioDeviceError as exc:
        if service:
            raise
        print(f"{exc}\nNo microphone: starting text mode instead.", file=sys.stderr)
    return chat(options, sys.stdin, sys.stdout)


def _stdin_is_null() -> bool:
    """Standard input is closed or /dev/null (a character device that is not a terminal)."""
    try:
        mode = os.fstat(0).st_mode
    except OSError:
        return True
    return stat.S_ISCHR(mode) and not os.isatty(0)


def recognize(options: Options, files: list[Path], out: TextIO) -> int:
    """``voice-repair recognize``: the recognition path over WAV recordings."""
    from .live.listen import recognize_files

    return recognize_files(options, files, out)


def check(options: Options, out: TextIO) -> int:
    """``voice-repair check``: list every data problem as file:line; non-zero if any.

    With valid data it also re-derives the semantic net's stored sentence embeddings when the
    data (or the model) changed; without the model it says so and the check still passes.
    The learned net's weights must match their checksum (``intents/learned.py``).
    """
    from .errors import ModelError
    from .intents.learned import status
    from .intents.matcher import normalize
    from .intents.semantic import refresh

    problems = check_data(options.intents_dir)
    for problem in problems:
        print(problem, file=out)
    if problems:
        print(f"{len(problems)} problem(s) found.", file=out)
        return 1
    print(f"All intent and response data in {options.intents_dir} is valid.", file=out)
    try:
        print(refresh(options.intents_dir, normalize), file=out)
    except ModelError as exc:
        print(f"Sentence embeddings not re-derived: {exc}", file=out)
    usable, line = status(options.intents_dir)
    print(line, file=out)
    return 0 if usable else 1


def make_options(
    config_path: Path | None, overrides: dict[str, object], **runtime: object
) -> Options:
    """Load and check the settings (ConfigError names any bad one) and add run-time choices."""
    from .config.file import load_config

    config = load_config(config_path, overrides)
    return Options(config=config, config_path=config_path, **runtime)  # type: ignore[arg-type]


def show_config(config_path: Path | None, overrides: dict[str, object], out: TextIO) -> int:
    """``voice-repair config``: the effective settings, each with where it came from."""
    from .config import describe, load_config_with_sources
    from .content.contacts import describe_contacts
    from .content.loader import load_content

    config, sources = load_config_with_sources(config_path, overrides)
    print(describe(config, sources), file=out)
    options = Options(config=config)
    content = load_content(
        options.intents_dir,
        options.contact_overrides(),
        country=config.contacts.country,
        contact_sources=sources,
    )
    assert content.chosen is not None
    print(describe_contacts(content.chosen), file=out)
    return 0


def doctor(config_path: Path | None, overrides: dict[str, object], out: TextIO) -> int:
    """``voice-repair doctor``: every check, one line each, a fix under each failure."""
    from .doctor.audio import AUDIO_CHECKS
    from .doctor.checks import DEFAULT_CHECKS, diagnose, format_checks
    from .doctor.contacts import CONTACT_CHECKS
    from .doctor.recognition import RECOGNITION_CHECKS
    from .doctor.wyoming import WYOMING_CHECKS

    checks = [*DEFAULT_CHECKS, *CONTACT_CHECKS, *RECOGNITION_CHECKS, *WYOMING_CHECKS, *AUDIO_CHECKS]
    results = diagnose(config_path, overrides, checks)
    print(format_checks(results), file=out)
    return 0 if all(c.ok for c in results) else 1


def service(options: Options, action: str, out: TextIO) -> int:
    """``voice-repair service install|uninstall``."""
    from .service.unit import install_service, server_addresses, uninstall_service

    if action == "install":
        rec, voice = options.config.recognition, options.config.voice
        ips: list[str] = []  # the home Wyoming servers, the only addresses the unit may reach
        if rec.engine == "wyoming" and rec.uri:
            ips += server_addresses(rec.uri, rec.allow_remote)
        if voice.voice == "wyoming" and voice.uri:
            ips += [ip for ip in server_addresses(voice.uri, voice.allow_remote) if ip not in ips]
        messages = install_service(
            data_dir=options.data_dir, config=options.config_path, server_ips=ips
        )
    else:
        messages = uninstall_service()
    for line in messages:
        print(line, file=out)
    return 0


def devices(out: TextIO) -> int:
    """``voice-repair devices``: inputs and outputs, defaults marked."""
    from .audio.devices import list_devices

    found = list_devices()
    for title, items in (
        ("Inputs (microphones)", [d for d in found if d.is_input]),
        ("Outputs (speakers)", [d for d in found if d.is_output]),
    ):
        print(f"{title}:", file=out)
        for d in items or []:
            default = " (default)" if d.is_default_input or d.is_default_output else ""
            print(f"  {d.index:3d}  {d.name}  [{d.host_api}]{default}", file=out)
        if not items:
            print("  none found", file=out)
    return 0


def download_model(name: str | None, out: TextIO) -> int:
    """``voice-repair models download [NAME]``: a vosk model, or Whisper ``tiny.en``/``base.en``,
    into ``models/``."""
    from .asr.download import DEFAULT_MODEL, download_whisper
    from .asr.download import download_model as fetch
    from .asr.whispermodel import SOURCES
    from .live.listen import MODELS_ROOT

    if name in SOURCES:
        target = download_whisper(name, MODELS_ROOT)
        print(
            f"Installed Whisper {name} in {target}, every file checked. Use it with "
            f"`--engine whisper --model {target}` (or engine and model in the settings file).",
            file=out,
        )
        return 0
    target = fetch(name or DEFAULT_MODEL, MODELS_ROOT)
    print(f"Installed {target}. `voice-repair run` now uses vosk automatically.", file=out)
    return 0
