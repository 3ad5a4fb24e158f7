"""Every word the assistant speaks, loaded from ``intents/<lang>/responses/``.

Three files: ``replies.yaml`` (one key per moment, several variants each), ``scripts.yaml``
(families of items read one at a time) and ``contacts.yaml`` (emergency and support routes).
Words live in data, not in Python, so they can be reviewed, translated and extended without
touching code; the rules they must follow live in ``rules.py``.

Loading validates everything first: a broken file stops the assistant with ``file:line`` messages
rather than letting it run half-working and fail mid-conversation.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..datafiles import LDict, load_yaml
from ..errors import DataProblem, IntentDataError
from .contacts import Contacts, ContactTable, choose, read_table
from .rules import (
    FAMILY_MINIMUMS,
    REPLY_RULES,
    WAKE,
    check_grounding,
    check_text,
    check_validation,
)

__all__ = ["Content", "load_content", "check_content", "speakable"]

STEP_JOIN = " [1s] "
"""Between the steps of a multi-step script item: a one-second silence."""

_NUMBER_RE = re.compile(r"\d+(?:[-. ]\d+)*")
_FORMATTER = string.Formatter()


class Content:
    """The spoken texts, ready to be filled in. Built by ``load_content`` from validated data."""

    def __init__(
        self,
        replies: dict[str, list[str]],
        scripts: dict[str, list[str]],
        contacts: dict[str, str],
        wake_phrase: str | None = None,
    ) -> None:
        self._replies = replies
        self._scripts = scripts
        self.contacts: dict[str, str] = contacts
        """Spoken form of each route (``emergency_number`` ...), after configured overrides;
        "" for a route that is not set (the safety reply gives general advice instead)."""
        self.chosen: Contacts | None = None
        """The routes with where each came from (``voice-repair config``, ``doctor``)."""
        self.table: ContactTable | None = None
        """Every country's routes as ``contacts.yaml`` lists them."""
        self.wake_phrase = wake_phrase or None
        """The configured wake phrase, put before every request a reply quotes (``{wake}``)."""

    def line(self, key: str, pick: int = 0, **values: str) -> str:
        """Variant ``pick`` (modulo the number of variants) of reply ``key``, filled in.

        Contact placeholders (``{emergency_number}`` ...) default to ``self.contacts``,
        ``{support_contact_sentence}`` to the ``support.contact`` line (or "" when there is no
        contact) and ``{wake}`` to the wake phrase and a comma (or ""), so callers may omit
        them. Runs of spaces left by empty values are collapsed.
        """
        variants = self._replies.get(key)
        if variants is None:
            raise KeyError(f"no reply {key!r} in replies.yaml")
        filled = {**self._defaults(), **values}
        try:
            text = variants[pick % len(variants)].format_map(filled)
        except KeyError as exc:
            raise KeyError(f"reply {key!r} needs a value for {{{exc.args[0]}}}") from None
        return " ".join(text.split())

    def variants(self, key: str) -> int:
        """How many variants reply ``key`` has."""
        if key not in self._replies:
            raise KeyError(f"no reply {key!r} in replies.yaml")
        return len(self._replies[key])

    def every_line(self, unknown: str) -> list[str]:
        """Every variant of every reply and every script item, filled in as ``line`` does, with
        each value only a handler can give (``{minutes}``) written as ``unknown``.

        The speaker renders the sentences without ``unknown`` ahead of time (``speech/cache.py``)
        so a fixed line starts at once; the sentences around a value are left to first use.
        """
        defaults = self._defaults()
        lines = []
        for text in [v for vs in self._replies.values() for v in vs] + [
            item for items in self._scripts.values() for item in items
        ]:
            names = {name for _, name, _, _ in _FORMATTER.parse(text) if name}
            filled = {**{n: unknown for n in names}, **defaults}
            lines.append(" ".join(text.format_map(filled).split()))
        return lines

    def script(self, family: str) -> list[str]:
        """The items of a script family; a multi-step item comes joined with ``[1s]`` silences."""
        if family not in self._scripts:
            raise KeyError(f"no script family {family!r} in scripts.yaml")
        return list(self._scripts[family])

    def families(self) -> list[str]:
        """Script family names, in file order."""
        return list(self._scripts)

    def _defaults(self) -> dict[str, str]:
        defaults = dict(self.contacts)
        contact = self.contacts.get("support_contact", "")
        sentence = ""
        if contact and "support.contact" in self._replies:
            sentence = self._replies["support.contact"][0].format_map(defaults)
        defaults["support_contact_sentence"] = sentence
        defaults[WAKE] = f"{self.wake_phrase}, " if self.wake_phrase else ""
        return defaults


def speakable(value: str, digit_words: dict[str, str]) -> str:
    """Numbers in ``value`` said digit by digit, groups separated by a short pause.

    ``"116 123"`` -> ``"one one six, one two three"``; words are left alone. Speech engines read
    ``911`` as "nine hundred eleven", which nobody should hear when looking for help.
    """

    def say(m: re.Match[str]) -> str:
        groups = re.split(r"[-. ]", m.group())
        return ", ".join(" ".join(digit_words[d] for d in group) for group in groups)

    return _NUMBER_RE.sub(say, value)


def _files(root: Path) -> dict[str, Path]:
    folder = Path(root) / "responses"
    return {name: folder / f"{name}.yaml" for name in ("replies", "scripts", "contacts")}


def _shown(path: Path) -> str:
    """How a file is named in problems: from the intents folder on (``intents/en/responses/...``),
    like the intent data, so ``voice-repair check`` lists every file the same way."""
    return str(path.relative_to(path.parent.parent.parent.parent))


def _load_mapping(path: Path, what: str) -> tuple[Any, str, list[DataProblem]]:
    """Load a responses file that must hold a mapping; (data or None, shown name, problems)."""
    where = _shown(path)
    data, problems = load_yaml(path, where)
    if not problems and not isinstance(data, dict):
        problems = [DataProblem(where, 1, f"expected a mapping of {what} at the top of the file")]
    return (None if problems else data), where, problems


def _read_replies(path: Path) -> tuple[dict[str, list[str]], list[DataProblem]]:
    data, where, problems = _load_mapping(path, "key: [variant, ...]")
    if problems:
        return {}, problems
    replies: dict[str, list[str]] = {}
    known = ", ".join(sorted({k.split(".")[0] for k in REPLY_RULES}))
    for key, variants in data.items():
        line = data.key_lines.get(key, 0)
        rule = REPLY_RULES.get(key)
        if rule is None:
            msg = f"unknown key {key!r} (a typo? keys start with {known}; new keys need a rule in"
            problems.append(DataProblem(where, line, msg + " voice_repair/content/rules.py)"))
            continue
        if not isinstance(variants, list) or not variants:
            msg = f'{key}: expected a list of variants, like:  - "..."'
            problems.append(DataProblem(where, line, msg))
            continue
        if len(variants) < rule.min_variants:
            msg = f"{key}: has {len(variants)} variant(s), needs at least {rule.min_variants}"
            problems.append(DataProblem(where, line, msg))
        for v in variants:
            problems += check_text(v, where, line, rule.allowed, rule.required)
        replies[key] = [str(v) for v in variants]
    for key in REPLY_RULES:
        if key not in data:
            msg = f"missing key {key!r}; every reply key must be present (see the file's comments)"
            problems.append(DataProblem(where, 0, msg))
    return replies, problems


def _read_scripts(path: Path) -> tuple[dict[str, list[str]], list[DataProblem]]:
    data, where, problems = _load_mapping(path, "family: [item, ...]")
    if problems:
        return {}, problems
    scripts: dict[str, list[str]] = {}
    for family, items in data.items():
        line = data.key_lines.get(family, 0)
        minimum = FAMILY_MINIMUMS.get(family)
        if minimum is None:
            known = ", ".join(FAMILY_MINIMUMS)
            problems.append(DataProblem(where, line, f"unknown family {family!r}; known: {known}"))
            continue
        if not isinstance(items, list) or not items:
            problems.append(DataProblem(where, line, f"{family}: expected a list of items"))
            continue
        if len(items) < minimum:
            msg = f"{family}: has {len(items)} item(s), needs at least {minimum}"
            problems.append(DataProblem(where, line, msg))
        joined: list[str] = []
        for item in items:
            steps = item if isinstance(item, list) else [item]
            item_line = getattr(item, "line", line)
            if not steps:
                problems.append(DataProblem(where, item_line, "empty list of steps"))
                continue
            for step in steps:
                problems += check_text(step, where, item_line)
                if family == "repair.validate":
                    problems += check_validation(step, where)
            if family == "ground":
                problems += check_grounding(steps, where, item_line)
            joined.append(STEP_JOIN.join(str(s) for s in steps))
        scripts[family] = joined
    for family in FAMILY_MINIMUMS:
        if family not in data:
            problems.append(DataProblem(where, 0, f"missing script family {family!r}"))
    return scripts, problems


def _read_contacts(path: Path) -> tuple[ContactTable | None, dict[str, str], list[DataProblem]]:
    """The country table of routes (``contacts.py``) and the digit words."""
    data, where, problems = _load_mapping(path, "countries: and digits:")
    if problems:
        return None, {}, problems
    table, problems = read_table(data, where)
    digits = data.get("digits")
    if not isinstance(digits, LDict):
        line = data.key_lines.get("digits", 0)
        return table, {}, [*problems, DataProblem(where, line, "expected a mapping under digits:")]
    words = {str(k): str(v) for k, v in digits.items()}
    missing = [d for d in "0123456789" if not words.get(d, "").strip()]
    if missing:
        msg = f"digits: missing words for {', '.join(missing)}"
        problems.append(DataProblem(where, digits.line, msg))
    return table, words, problems


def _read_all(root: Path) -> tuple[Content, dict[str, str], list[DataProblem]]:
    """The content, the digit words, and every problem in the three files."""
    files = _files(root)
    replies, problems = _read_replies(files["replies"])
    scripts, more = _read_scripts(files["scripts"])
    table, digits, even_more = _read_contacts(files["contacts"])
    content = Content(replies, scripts, {})
    content.table = table
    return content, digits, problems + more + even_more


def check_content(root: Path) -> list[DataProblem]:
    """Every problem in the response data under ``root/responses/`` as file:line; never raises."""
    return _read_all(Path(root))[2]


def load_content(
    root: Path,
    contact_overrides: dict[str, str] | None = None,
    wake_phrase: str | None = None,
    country: str | None = None,
    contact_sources: Mapping[str, str] | None = None,
) -> Content:
    """Load and validate the response data under ``root/responses/`` (``root`` = ``intents/en``).

    The safety routes are ``country``'s set from ``contacts.yaml`` (the default country's when
    nothing is configured), each replaced by its ``contact_overrides`` entry; overrides without
    a country are spoken alone (``contacts.py``). Digits in overrides are made speakable;
    ``contact_sources`` says where each configured value came from (``contacts.country`` ->
    "config.toml:12"), for messages and ``voice-repair config``. ``wake_phrase`` (the configured
    one) goes before every request a reply tells people to say, so the hints work as spoken.
    Raises ``IntentDataError`` listing every data problem, ``ConfigError`` for an unknown country
    or contact, or an empty one.
    """
    content, digits, problems = _read_all(Path(root))
    if problems or content.table is None:
        raise IntentDataError(problems)
    content.wake_phrase = wake_phrase or None
    chosen = choose(
        content.table,
        country,
        contact_overrides or {},
        contact_sources or {},
        lambda value: speakable(value, digits),
    )
    content.contacts = chosen.spoken
    content.chosen = chosen
    return content
