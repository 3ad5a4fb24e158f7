"""Command line: argparse subcommands, nothing else. Every action lives in ``app.py``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import __version__, app
from .errors import VoiceRepairError

DESCRIPTION = """\
voice-repair: an offline voice companion for couples in a hard conversation.
Say (or type) "I need a pause", "help me calm down", "read me a validation example",
"remind us to talk in an hour" or "I don't feel safe". Nothing leaves this device.
"""


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0.01 <= value <= 3600:
        raise argparse.ArgumentTypeError("a minute must last between 0.01 and 3600 seconds")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, with help written for a newcomer."""
    parser = argparse.ArgumentParser(
        prog="voice-repair",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"voice-repair {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more (to stderr)")
    parser.add_argument(
        "--intents",
        type=Path,
        default=app.DEFAULT_INTENTS,
        metavar="DIR",
        help="folder with the intent and response data (default: %(default)s)",
    )
    parser.add_argument("--language", default="en", help="language folder to use (default: en)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def timed(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--data-dir",
            type=Path,
            metavar="DIR",
            help="where pause timers and reminders are kept (default: ~/.local/share/voice-repair)",
        )
        p.add_argument(
            "--minute",
            type=_positive_seconds,
            default=60.0,
            metavar="SECONDS",
            help="how long a minute lasts, for demos and tests (default: 60)",
        )

    p = sub.add_parser(
        "run",
        help="listen on the microphone and answer aloud (text mode if there is no microphone)",
        description="Start the assistant. With no microphone it says so and opens text mode.",
    )
    timed(p)

    p = sub.add_parser(
        "chat",
        help="text mode: type requests, read the replies",
        description=(
            "Text mode. Each line read from standard input (a terminal or a pipe) is a request; "
            "every reply the speaker would say is printed. Timer events are printed when due."
        ),
    )
    timed(p)
    p.add_argument(
        "--json",
        action="store_true",
        help='one JSON line per spoken output: {"event": "say", "source": ..., "text": ...}',
    )

    p = sub.add_parser(
        "parse",
        help="show which request a sentence is understood as",
        description="Print the intent and slots each TEXT is understood as (nothing is spoken).",
    )
    p.add_argument("texts", nargs="+", metavar="TEXT", help="sentences to understand")
    p.add_argument(
        "--json",
        action="store_true",
        help='one JSON object per line: {"text": ..., "intent": ..., "slots": {...}}',
    )

    sub.add_parser(
        "check",
        help="validate all intent and response data",
        description=(
            "Validate the intent templates, their tests and every spoken line. Prints "
            "'file:line: what is wrong' for each problem and exits non-zero if there is any."
        ),
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``voice-repair`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if args.command is None:
        parser.print_help()
        return 2
    options = app.Options(
        language=args.language,
        intents_root=args.intents,
        data_dir=getattr(args, "data_dir", None),
        minute_seconds=getattr(args, "minute", 60.0),
        json=getattr(args, "json", False),
    )
    try:
        if args.command == "parse":
            return app.parse(options, args.texts, sys.stdout)
        if args.command == "chat":
            return app.chat(options, sys.stdin, sys.stdout)
        if args.command == "check":
            return app.check(options, sys.stdout)
        if args.command == "run":
            return app.run(options)
    except VoiceRepairError as exc:
        print(f"voice-repair: {exc}", file=sys.stderr)
        return 1
    parser.error(f"unknown command {args.command}")
    return 2
