"""Command line: argparse subcommands, nothing else. Every action lives in ``app.py``."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from . import DEFAULT_INTENTS, __version__
from .errors import VoiceRepairError

DESCRIPTION = """\
voice-repair: an offline voice companion for couples in a hard conversation.
Say (or type) "I need a pause", "help me calm down", "read me a validation example",
"remind us to talk in an hour" or "I don't feel safe". Nothing leaves this device, unless
you point it at a speech server in your own home (--engine wyoming).

Start with `voice-repair run` (text mode when there is no microphone) or `voice-repair chat`.
"""


def _minute_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0.01 <= value <= 3600:
        raise argparse.ArgumentTypeError("a minute must last between 0.01 and 3600 seconds")
    return value


def _common(p: argparse.ArgumentParser) -> None:
    """Options every subcommand understands."""
    p.add_argument("--config", type=Path, metavar="FILE", help="settings file (TOML)")
    p.add_argument("-v", "--verbose", action="store_true", help="log more, to stderr")
    p.add_argument(
        "--intents",
        type=Path,
        default=DEFAULT_INTENTS,
        metavar="DIR",
        help="folder of intent and response data, one sub-folder per language",
    )
    p.add_argument("--language", help="language folder to use (default: en)")


def _timed(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="where pause timers and reminders are kept (default: ~/.local/share/voice-repair)",
    )
    p.add_argument(
        "--minute",
        type=_minute_seconds,
        default=60.0,
        metavar="SECONDS",
        help="how long a minute lasts, to watch a whole pause in seconds (default: 60)",
    )


def _recognizer(p: argparse.ArgumentParser) -> None:
    """--engine and --model: the same for the microphone (run, doctor) and for recordings."""
    p.add_argument(
        "--engine",
        choices=("auto", "whisper", "pocketsphinx", "vosk", "wyoming"),
        help="recognizer (wyoming: a speech server in your home, with --wyoming-uri)",
    )
    p.add_argument(
        "--wyoming-uri",
        metavar="tcp://HOST:PORT",
        help="the home Wyoming speech-to-text server for --engine wyoming; what is said is "
        "sent there (a loopback, private or .local address)",
    )
    p.add_argument(
        "--model",
        metavar="DIR",
        help="model folder: vosk (the default engine then), or Whisper with --engine whisper",
    )


def _voice(p: argparse.ArgumentParser) -> None:
    p.add_argument("--input-device", metavar="DEV", help="microphone name, part of it, or index")
    p.add_argument("--output-device", metavar="DEV", help="speaker name, part of it, or index")
    _recognizer(p)
    p.add_argument(
        "--voice",
        choices=("auto", "espeak", "piper", "wyoming"),
        help="text-to-speech voice (wyoming: a voice server in your home, --wyoming-tts-uri)",
    )
    p.add_argument(
        "--wyoming-tts-uri",
        metavar="tcp://HOST:PORT",
        help="the home Wyoming voice server for --voice wyoming (a loopback, private or .local "
        "address); the text of each reply is sent there",
    )
    p.add_argument(
        "--debug-transcripts",
        action="store_true",
        default=None,
        help="log what was heard word for word (off by default: privacy)",
    )


def _json(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--json", action="store_true", help=what)


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, with help written for a newcomer."""
    parser = argparse.ArgumentParser(
        prog="voice-repair",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"voice-repair {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help_: str, description: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=description)
        _common(p)
        return p

    p = add(
        "run",
        "listen on the microphone and answer aloud",
        "Start the assistant: microphone -> offline recognition -> spoken replies. "
        "With no microphone it says so and opens text mode.",
    )
    _timed(p)
    _voice(p)

    p = add(
        "chat",
        "text mode: type requests, read the replies",
        "Text mode. Each line read from standard input (a terminal or a pipe) is a request; "
        "every reply the speaker would say is printed, timer events too when they come due.",
    )
    _timed(p)
    _json(p, 'one JSON line per spoken output: {"event": "say", "source": ..., "text": ...}')

    p = add(
        "parse",
        "show which request a sentence is understood as",
        "Print the intent and slots each TEXT is understood as. Nothing is spoken.",
    )
    p.add_argument("texts", nargs="+", metavar="TEXT", help="sentences to understand")
    _json(p, 'one JSON object per line: {"text": ..., "intent": ..., "slots": {...}}')

    add(
        "check",
        "validate the intent and response data",
        "Validate intent templates, their tests and every spoken line. Prints "
        "'file:line: what is wrong' for each problem; exits non-zero if there is any.",
    )

    p = add(
        "recognize",
        "run speech recognition over WAV recordings",
        "Recognise the requests spoken in each FILE.wav through the same path as the "
        "microphone (one process, files in order).",
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE.wav")
    _recognizer(p)
    _json(
        p,
        "one JSON line per utterance: file, start, end, decided_at (when the decision would "
        "be ready had the file been played in real time, compute included), text, intent, slots",
    )

    add("devices", "list microphones and speakers", "List sound input and output devices.")

    p = add(
        "models",
        "download a speech model (vosk, or Whisper tiny.en / base.en)",
        "Download a speech model into models/ (the only command that uses the network): "
        "a vosk model by name, or the Whisper models tiny.en and base.en from Systran's "
        "faster-whisper repositories on Hugging Face. Every file is checked before it is kept.",
    )
    p.add_argument("action", choices=("download",), help="what to do")
    p.add_argument(
        "name",
        nargs="?",
        default=None,
        help="tiny.en, base.en (Whisper) or a vosk model name (default: small English vosk)",
    )

    p = add(
        "config",
        "show the effective settings and where each came from",
        "Print every setting (valid TOML) with where its value came from.",
    )
    _timed(p)
    _voice(p)

    p = add(
        "doctor",
        "check microphone, speaker, speech, recognition, storage, settings",
        "Run every check and print one line each, with a fix for each failure.",
    )
    _timed(p)
    _voice(p)

    p = add(
        "service",
        "install the assistant as a systemd user service",
        "Install and enable the systemd user unit, so the assistant starts by itself.",
    )
    p.add_argument("action", choices=("install", "uninstall"), help="what to do")
    return parser


def overrides_from(args: argparse.Namespace) -> dict[str, object]:
    """Command-line values that override the settings file (None: not given)."""
    model = getattr(args, "model", None)
    data_dir = getattr(args, "data_dir", None)
    engine = getattr(args, "engine", None) or ("vosk" if model else None)
    return {
        "language": args.language,
        "data_dir": str(data_dir) if data_dir is not None else None,
        "audio.input_device": getattr(args, "input_device", None),
        "audio.output_device": getattr(args, "output_device", None),
        "recognition.engine": engine,
        "recognition.model": model,
        "recognition.uri": getattr(args, "wyoming_uri", None),
        "voice.voice": getattr(args, "voice", None),
        "voice.uri": getattr(args, "wyoming_tts_uri", None),
        "debug_transcripts": getattr(args, "debug_transcripts", None),
    }


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``voice-repair`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    overrides = overrides_from(args)
    # Imported here, not at the top: ``--help`` (and a bad argument) ends in ``parse_args``
    # above, and ``app`` brings the skill, the session and their imports: 0.25 s of CPU of a
    # 0.3 s ``voice-repair chat --help``, ten of them in ``test_cli`` alone.
    from . import app

    try:
        if args.command == "doctor":
            return app.doctor(args.config, overrides, sys.stdout)
        if args.command == "config":
            return app.show_config(args.config, overrides, sys.stdout)
        options = app.make_options(
            args.config,
            overrides,
            intents_root=args.intents,
            minute_seconds=getattr(args, "minute", 60.0),
            json=getattr(args, "json", False),
        )
        commands: dict[str, Callable[[], int]] = {
            "parse": lambda: app.parse(options, args.texts, sys.stdout),
            "chat": lambda: app.chat(options, sys.stdin, sys.stdout),
            "check": lambda: app.check(options, sys.stdout),
            "run": lambda: app.run(options),
            "recognize": lambda: app.recognize(options, args.files, sys.stdout),
            "devices": lambda: app.devices(sys.stdout),
            "models": lambda: app.download_model(args.name, sys.stdout),
            "service": lambda: app.service(options, args.action, sys.stdout),
        }
        code = commands[args.command]()
    except VoiceRepairError as exc:
        print(f"voice-repair: {exc}", file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        code = 130
    if argv is None and args.command in _QUICK_EXIT:  # this process is ours to end
        _exit_now(code)
    return code


_QUICK_EXIT = frozenset({"chat", "run"})
"""Commands that end by a stop (end of input, Ctrl-C, ``systemctl stop``), which has 1.5 s."""


def _exit_now(code: int) -> None:
    """Leave without the interpreter's teardown, once ``chat`` or ``run`` stopped in order.

    By then the timers are stored, the store is closed and the speaker thread has ended; what
    is left is Python freeing every loaded module (numpy, SQLAlchemy, the models), which took
    1.0-1.6 s on this 2-core machine at load average 20 (0.04 s with this exit), enough by
    itself to break the stop's 1.5 s (the stop bench: the timer engine had shut down 0.01 s
    after the signal, the process ended 1.7-2.3 s after it). Only when ``main`` was called
    as the program (no ``argv``): a test calling it in-process keeps its interpreter.
    """
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to flush into
            stream.flush()
    os._exit(code)
