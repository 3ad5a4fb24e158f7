"""The rules every spoken line must follow, written as tables and small checks.

Kept apart from ``content.py`` (which only loads and serves the words) so the schema can be read in
one place: which reply keys exist, which ``{placeholders}`` each may use, how many variants or items
each needs. Every check returns ``DataProblem``s instead of raising, so ``voice-repair check`` can
list every problem in one run.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Any

from ..datafiles import LStr, line_of
from ..errors import DataProblem
from ..speech.markup import SILENCE_RE, Silence, parse, spoken_words

__all__ = [
    "ReplyRule",
    "REPLY_RULES",
    "FAMILY_MINIMUMS",
    "ROUTE_KEYS",
    "OPTIONAL_ROUTE_KEYS",
    "MAX_WORDS",
    "MAX_SILENCE_SECONDS",
    "WAKE",
    "check_text",
    "check_validation",
    "check_grounding",
]

MAX_WORDS = 60
"""Most spoken words in one line, item or step: about 25 seconds at a calm pace."""

MAX_SILENCE_SECONDS = 30.0
"""Longest single timed silence; longer ones feel like the assistant broke."""


@dataclass(frozen=True)
class ReplyRule:
    """What one key of ``replies.yaml`` may contain."""

    allowed: frozenset[str] = frozenset()
    """Placeholders the handler fills in for this key."""
    required: frozenset[str] = frozenset()
    """Placeholders every variant must use, because the line is wrong without them."""
    min_variants: int = 1
    """Fewest variants, where a couple will hear the line several times in a row."""


WAKE = "wake"
"""The placeholder every reply may use: write it just before a request quoted for people to say
("say: {wake}I need a pause"). It becomes the wake phrase and a comma ("hey compass, ") when
one is configured, and nothing otherwise, so a hint stays true either way without a second
copy of every line. Not before "stop", which works without the wake phrase."""


def _rule(allowed: str = "", required: str = "", min_variants: int = 1) -> ReplyRule:
    allowed_names = frozenset(allowed.split()) | {WAKE}
    return ReplyRule(allowed_names, frozenset(required.split()), min_variants)


REPLY_RULES: dict[str, ReplyRule] = {
    "pause.started": _rule("minutes", "minutes"),
    "pause.already_running": _rule("remaining"),
    "pause.out_of_range": _rule("minutes"),
    "pause.status": _rule("remaining", "remaining"),
    "pause.status_ringing": _rule(),
    "pause.none": _rule(),
    "pause.extended": _rule("minutes remaining"),
    "pause.extend_out_of_range": _rule("minutes"),
    "pause.at_longest": _rule(),
    "pause.started_longest": _rule("minutes", "minutes"),
    "pause.ended_intro": _rule(),
    "pause.nudge": _rule(min_variants=3),
    "pause.warning": _rule(),
    "pause.finished_intro": _rule(),
    "pause.reminder": _rule(min_variants=2),
    "late.prefix": _rule(),
    "timers.maybe_repeated": _rule(min_variants=2),
    "startup.dropped": _rule("count", "count"),
    "startup.not_saved": _rule("problem", "problem"),
    "startup.pause_ended": _rule(),
    "startup.round_ended": _rule(),
    "reminder.set_in": _rule("minutes", "minutes"),
    "reminder.set_at": _rule("when", "when"),
    "reminder.passed": _rule("when offer", "when offer"),
    "reminder.out_of_range": _rule(),
    "reminder.due": _rule(min_variants=2),
    "reminder.still_set": _rule("time", "time"),
    "reminder.cancelled_one": _rule(),
    "reminder.cancelled_many": _rule("count", "count"),
    "reminder.cancelled_ready": _rule(),
    "reminder.none": _rule(),
    "reminder.list_one": _rule("time", "time"),
    "reminder.list_many": _rule("count time", "count time"),
    "reminder.list_held": _rule(),
    "reminder.kept": _rule("time", "time"),
    "reminder.kept_past": _rule(),
    "reminder.nothing_held": _rule(),
    "control.stop": _rule(),
    "control.nothing_to_repeat": _rule(),
    "control.nothing_next": _rule(),
    "control.help": _rule(),
    "script.wrapped": _rule(),
    "safety.emergency": _rule("emergency_number", "emergency_number"),
    "safety.no_emergency": _rule(),
    "safety.emergency_after": _rule("emergency_number", "emergency_number"),
    "safety.no_emergency_after": _rule(),
    "safety.medical": _rule("emergency_number", "emergency_number"),
    "safety.no_medical": _rule(),
    "safety.crisis": _rule("crisis_line", "crisis_line"),
    "safety.no_crisis": _rule(),
    "safety.crisis_first": _rule("crisis_line", "crisis_line"),
    "safety.no_crisis_first": _rule(),
    "safety.dv": _rule("dv_hotline", "dv_hotline"),
    "safety.no_dv": _rule(),
    "safety.dv_first": _rule("dv_hotline", "dv_hotline"),
    "safety.dv_text": _rule("dv_text", "dv_text"),
    "safety.dv_text_only": _rule("dv_text", "dv_text"),
    "safety.close": _rule(),
    "safety.held": _rule(),
    "safety.held_reminders": _rule(),
    "safety.ground_offer": _rule(),
    "timer.other": _rule(),
    "support": _rule("support_contact_sentence", "support_contact_sentence"),
    "support.contact": _rule("support_contact", "support_contact"),
    "duration.minute": _rule(),
    "duration.minutes": _rule("n", "n"),
    "duration.hour": _rule(),
    "duration.hours": _rule("n", "n"),
    "duration.hour_and_minutes": _rule("n m", "n m"),
    "duration.one_hour_and_minutes": _rule("m", "m"),
    "duration.hour_and_a_half": _rule(),
    "duration.half_hour": _rule(),
    "remaining.less_than_minute": _rule(),
    "remaining.about": _rule("duration", "duration"),
    "remaining.exactly": _rule("duration", "duration"),
    "time.oclock": _rule("hour", "hour"),
    "time.hour_minute": _rule("hour minute", "hour minute"),
    "time.midnight": _rule(),
    **{
        f"when.{day}_{part}": _rule("time", "time")
        for day in ("this", "tomorrow")
        for part in ("morning", "afternoon", "evening", "night")
    },
    "when.this_noon": _rule(),
    "when.tomorrow_noon": _rule(),
    "turns.first_default": _rule(),
    "turns.second_default": _rule(),
    "turns.started": _rule("minutes first second", "minutes first second", min_variants=4),
    "turns.listener": _rule("listener", min_variants=4),
    "turns.reflect": _rule("speaker listener", "listener", min_variants=6),
    "turns.swap": _rule("speaker listener", "speaker listener"),
    "turns.closing": _rule(min_variants=4),
    "turns.question": _rule(),
    "turns.done": _rule(),
    "turns.already_running": _rule("remaining"),
    "turns.out_of_range": _rule("minutes"),
    "turns.status": _rule("remaining speaker", "remaining"),
    "turns.status_reflect": _rule("remaining listener", "remaining"),
    "turns.extended": _rule("minutes remaining"),
    "turns.extend_out_of_range": _rule(),
    "turns.stopped": _rule(),
    "turns.ended_for_pause": _rule(),
    "turns.round_over": _rule(),
    "turns.ended_pause": _rule(),
}
"""Every key ``replies.yaml`` must have. A key not listed here is reported as unknown (a typo)."""

FAMILY_MINIMUMS: dict[str, int] = {
    "repair.validate": 8,
    "repair.listen": 8,
    "repair.own": 6,
    "repair.act": 6,
    "repair.learn": 4,
    "ground": 4,
    "reentry": 4,
}
"""Script families and their fewest items: enough for several in a row without repeats."""

ROUTE_KEYS = ("emergency_number", "crisis_line", "dv_hotline", "dv_text")
"""Safety routes in ``contacts.yaml``; a country may leave out all but ``emergency_number``."""

OPTIONAL_ROUTE_KEYS = ("support_contact",)
"""Routes that may be empty (no local contact configured)."""

_BRACKET_RE = re.compile(r"\[[^\[\]]*\]")
_BUT_RE = re.compile(r"\bbut\b", re.IGNORECASE)
_FORMATTER = string.Formatter()


def _placeholders(text: str, where: str, line: int) -> tuple[set[str], list[DataProblem]]:
    """Names used in ``{braces}``, and problems with malformed ones."""
    names: set[str] = set()
    problems: list[DataProblem] = []
    try:
        fields = list(_FORMATTER.parse(text))
    except ValueError as exc:
        msg = f"broken braces ({exc}); a placeholder looks like {{name}}, a literal brace {{{{"
        return names, [DataProblem(where, line, msg)]
    for _literal, name, spec, conversion in fields:
        if name is None:
            continue
        if not name.isidentifier():
            msg = f"placeholder {{{name}}} needs a name made of letters and underscores"
            problems.append(DataProblem(where, line, msg))
        elif spec or conversion:
            msg = f"placeholder {{{name}}} must be plain, without ! or : formatting"
            problems.append(DataProblem(where, line, msg))
        names.add(name)
    return names, problems


def _silence_problems(text: str, where: str, line: int) -> list[DataProblem]:
    """Malformed or overlong ``[Ns]`` markers, and stray brackets."""
    problems: list[DataProblem] = []
    for m in _BRACKET_RE.finditer(text):
        if not SILENCE_RE.fullmatch(m.group()):
            msg = f"malformed silence marker {m.group()!r}: write seconds as a number, like [4s]"
            problems.append(DataProblem(where, line, msg))
    if "[" in _BRACKET_RE.sub("", text) or "]" in _BRACKET_RE.sub("", text):
        msg = "unmatched [ or ]: a silence marker looks like [4s]"
        problems.append(DataProblem(where, line, msg))
    for seg in parse(text):
        if isinstance(seg, Silence) and seg.seconds > MAX_SILENCE_SECONDS:
            msg = f"silence of {seg.seconds:g}s is longer than {MAX_SILENCE_SECONDS:g}s; split it"
            problems.append(DataProblem(where, line, msg))
    return problems


def check_text(
    value: Any,
    where: str,
    parent_line: int,
    allowed: frozenset[str] = frozenset(),
    required: frozenset[str] = frozenset(),
) -> list[DataProblem]:
    """Every rule one spoken string must follow: a non-empty string, known placeholders, the
    placeholders it must carry, well-formed silences, at most ``MAX_WORDS`` spoken words."""
    line = line_of(value, parent_line)
    if not isinstance(value, str):
        what = "nothing" if value is None else type(value).__name__
        return [DataProblem(where, line, f"expected a line of text in quotes, found {what}")]
    if not value.strip():
        return [DataProblem(where, line, "empty line; write something to say, or remove it")]
    names, problems = _placeholders(value, where, line)
    for name in sorted(names - allowed):
        can = ", ".join(f"{{{n}}}" for n in sorted(allowed)) or "none"
        msg = f"unknown placeholder {{{name}}}; this line may use: {can}"
        problems.append(DataProblem(where, line, msg))
    for name in sorted(required - names):
        problems.append(DataProblem(where, line, f"missing placeholder {{{name}}}"))
    problems += _silence_problems(value, where, line)
    words = len(spoken_words(value))
    if words > MAX_WORDS:
        msg = f"{words} spoken words; keep each line to {MAX_WORDS} or fewer (split it into steps)"
        problems.append(DataProblem(where, line, msg))
    return problems


def check_validation(value: str, where: str) -> list[DataProblem]:
    """Validation must never be followed by "but": it undoes what was just said."""
    if isinstance(value, str) and _BUT_RE.search(value):
        msg = 'a validation line must not contain "but"; let the validation stand on its own'
        return [DataProblem(where, line_of(value), msg)]
    return []


def check_grounding(steps: list[LStr], where: str, line: int) -> list[DataProblem]:
    """A grounding sequence needs real timed silences, or it is only talk."""
    texts = [s for s in steps if isinstance(s, str)]
    if texts and not any(SILENCE_RE.search(s) for s in texts):
        msg = "a grounding sequence needs timed silences, like: Breathe in. [4s] And out. [6s]"
        return [DataProblem(where, line, msg)]
    return []
