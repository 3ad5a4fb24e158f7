"""Builds the pipeline and runs it: the only module that knows every stage.

``cli.py`` parses arguments into ``Options`` and calls one function here per subcommand.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .errors import DataProblem, IntentDataError
from .models import Say
from .session import Session
from .skill import Context, SkillSettings

log = logging.getLogger(__name__)

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INTENTS = PACKAGE_ROOT / "intents"


@dataclass(frozen=True)
class Options:
    """Everything the subcommands need, after configuration and command line are merged."""

    language: str = "en"
    intents_root: Path = DEFAULT_INTENTS
    """Folder holding one sub-folder per language (``intents/en``)."""
    data_dir: Path | None = None
    """Where the timer store lives; None: the XDG data folder."""
    minute_seconds: float = 60.0
    """How long a minute lasts, in real seconds (``--minute``, for demos and tests)."""
    json: bool = False
    skill: SkillSettings = field(default_factory=SkillSettings)
    contacts: dict[str, str] = field(default_factory=dict)
    """Overrides of the emergency and support contacts in the response data."""

    @property
    def intents_dir(self) -> Path:
        return self.intents_root / self.language


# ---------------------------------------------------------------------------- language data


def check_data(intents_dir: Path) -> list[DataProblem]:
    """Every problem in the intent and response data (``voice-repair check``)."""
    from .content import check_content
    from .intents import check_intents

    return check_intents(intents_dir) + check_content(intents_dir)


def load_language(options: Options):  # -> tuple[IntentMatcher, Content]
    """Load and validate the intent matcher and the spoken content; raise IntentDataError."""
    from .content import load_content
    from .intents import IntentMatcher

    problems: list[DataProblem] = []
    matcher = content = None
    try:
        matcher = IntentMatcher.load(options.intents_dir)
    except IntentDataError as exc:
        problems += exc.problems
    try:
        content = load_content(options.intents_dir, options.contacts or None)
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
    from .intents import IntentMatcher

    matcher = IntentMatcher.load(options.intents_dir)
    for text in texts:
        match = matcher.match(text)
        intent = match.intent if match else None
        slots = dict(match.slots) if match else {}
        if options.json:
            print(json.dumps({"text": text, "intent": intent, "slots": slots}), file=out)
        else:
            shown = " ".join(f"{k}={v}" for k, v in slots.items())
            print(f"{text!r} -> {intent or '(no intent)'} {shown}".rstrip(), file=out)
    return 0


def start_session(options: Options, emit: Callable[[Say], None]):  # -> (Session, TimerEngine)
    """Load the data, open the timer store, and start answering."""
    from .timers import TimerEngine, TimerSettings

    matcher, content = load_language(options)
    ctx = Context(content=content, settings=options.skill)
    holder: list[Session] = []

    def on_event(event) -> None:
        holder[0].on_timer_event(event)

    engine = TimerEngine(
        data_dir=options.data_dir or default_data_dir(),
        settings=TimerSettings(minute_seconds=options.minute_seconds),
        on_event=on_event,
    )
    session = Session(matcher, ctx, engine, emit)
    holder.append(session)
    report = engine.start()
    if report.recovered_store is not None:
        log.warning("timer store was unreadable; moved aside to %s", report.recovered_store)
    if report.dropped:
        session.say_line("startup.dropped", "startup", count=str(report.dropped))
    return session, engine


def chat(options: Options, stdin: TextIO, stdout: TextIO) -> int:
    """``voice-repair chat``: text mode. Each line read is a request; replies are printed."""
    output = TextOutput(stdout, options.json)
    session, engine = start_session(options, output)
    interactive = stdin.isatty()
    try:
        if interactive:
            output.note("text mode: type a request, e.g. 'I need a pause'; Ctrl-D to quit")
        for line in stdin:
            text = line.strip()
            if not text:
                continue
            if session.handle_text(text) is None:
                output.note("not a request I know; try 'what can you do'")
    except KeyboardInterrupt:
        pass
    finally:
        engine.shutdown()
    return 0


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/voice-repair`` (``~/.local/share/voice-repair``)."""
    import os

    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "voice-repair"


def run(options: Options) -> int:
    """``voice-repair run``: the live voice loop; text mode when there is no microphone."""
    print("No microphone found: starting text mode instead.", file=sys.stderr)
    return chat(options, sys.stdin, sys.stdout)


def check(options: Options, out: TextIO) -> int:
    """``voice-repair check``: list every data problem as file:line; non-zero if any."""
    problems = check_data(options.intents_dir)
    for problem in problems:
        print(problem, file=out)
    if problems:
        print(f"{len(problems)} problem(s) found.", file=out)
        return 1
    print(f"All intent and response data in {options.intents_dir} is valid.", file=out)
    return 0
