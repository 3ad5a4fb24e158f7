"""Reading and checking the TOML config file, with file:line in every complaint.

``tomllib`` gives values but no line numbers, so a small scanner maps each ``table.key`` to the
line it was written on. Every value from outside (file or command line) is checked against the
field's metadata in ``settings.py``; all problems are gathered and raised together as one
``ConfigError``, so a person fixes the file once rather than once per mistake.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import Field, fields, replace
from pathlib import Path

from ..errors import ConfigError
from .remote import remote_problems
from .settings import SECTIONS, Config, Sources, default_config_path

__all__ = ["load_config", "load_config_with_sources", "key_lines", "toml_value", "DEFAULT"]

COMMAND_LINE = "command line"
DEFAULT = "default"

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-.\"' ]+?)\s*=")
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def _dotted(raw: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in raw.split("."))


def key_lines(text: str) -> dict[str, int]:
    """Map ``table.key`` (and ``table``) to its 1-based line; first occurrence wins.

    Good enough for hand-written files; a key it cannot place falls back to its table's line.
    """
    lines: dict[str, int] = {}
    table = ""
    in_multiline = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.count('"""') % 2 or line.count("'''") % 2:
            in_multiline = not in_multiline
            if not in_multiline:
                continue
        elif in_multiline:
            continue
        if header := _HEADER.match(line):
            table = _dotted(header.group(1))
            lines.setdefault(table, number)
        elif key := _KEY.match(line):
            name = _dotted(key.group(1))
            lines.setdefault(f"{table}.{name}" if table else name, number)
    return lines


def _where(shown: str, lines: Mapping[str, int], dotted: str) -> str:
    """``file:line`` for a setting, using the nearest enclosing table when the key is unplaced."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        if (line := lines.get(".".join(parts[:end]))) is not None:
            return f"{shown}:{line}"
    return shown


def _allowed(f: Field) -> str:
    """The allowed values of a field, in words."""
    meta = f.metadata
    kind = meta["kind"]
    if "choices" in meta:
        text = "one of " + ", ".join(f'"{c}"' for c in meta["choices"])
    elif "shape" in meta:
        text = meta["shape"]
    elif kind in ("int", "float"):
        noun = "a whole number" if kind == "int" else "a number"
        text = f"{noun} from {meta['lo']} to {meta['hi']}"
    elif kind == "fractions":
        text = "a list of fractions between 0 and 1, e.g. [0.5] or [0.25, 0.75]"
    elif kind == "bool":
        text = "true or false"
    elif kind == "path":
        text = "a folder path (~ is allowed)"
    else:
        text = "a text in quotes"
    if meta.get("optional"):
        text += ' (or "" for not set)'
    return text


def _check(f: Field, value: object, base: Path) -> object:
    """The checked value for field ``f``; raises ValueError with what is wrong."""
    meta = f.metadata
    kind = meta["kind"]
    quoted = ""
    if isinstance(value, str) and kind in ("int", "float", "bool", "fractions"):
        quoted = " (numbers and true/false go without quotes)"
    shown = toml_value(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    wrong = ValueError(f"{shown} is not allowed; use {_allowed(f)}{quoted}")
    if kind == "bool":
        if not isinstance(value, bool):
            raise wrong
        return value
    if kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise wrong
        if kind == "int" and not (isinstance(value, int) or float(value).is_integer()):
            raise wrong
        number = int(value) if kind == "int" else float(value)
        if not meta["lo"] <= number <= meta["hi"]:
            raise wrong
        return number
    if kind == "names":
        if not isinstance(value, list | tuple) or len(value) not in (0, 2):
            raise wrong
        names = tuple(" ".join(v.split()) if isinstance(v, str) else "" for v in value)
        if not all(re.fullmatch(r"[^\W\d_][\w' .-]{0,39}", n) for n in names):
            raise wrong
        if names and names[0].casefold() == names[1].casefold():
            raise wrong
        return names
    if kind == "fractions":
        if not isinstance(value, list | tuple) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and 0 < v < 1 for v in value
        ):
            raise wrong
        return tuple(sorted({float(v) for v in value}))
    if not isinstance(value, str):
        raise wrong
    if kind == "path":
        if not value.strip():
            raise wrong
        path = Path(value).expanduser()
        return path if path.is_absolute() else (base / path).resolve()
    text = " ".join(value.lower().split()) if meta.get("lower") else value.strip()
    text = text.upper() if meta.get("upper") else text
    if not text and meta.get("optional"):
        return None
    if "choices" in meta and text not in meta["choices"]:
        raise wrong
    if "pattern" in meta and not re.fullmatch(meta["pattern"], text):
        raise wrong
    return text


def _known() -> dict[str, Field]:
    """Every setting by dotted name: ``pause.default_minutes``, ``language``..."""
    known: dict[str, Field] = {}
    for f in fields(Config):
        if f.name in SECTIONS:
            known.update({f"{f.name}.{sub.name}": sub for sub in fields(SECTIONS[f.name])})
        else:
            known[f.name] = f
    return known


def _unknown(dotted: str) -> str:
    """Message for an unknown setting, with the closest known name."""
    names = [*_known(), *SECTIONS]
    leaf = dotted.rsplit(".", 1)[-1]
    moved = [n for n in names if n.rsplit(".", 1)[-1] == leaf and n != dotted]
    close = moved or difflib.get_close_matches(dotted, names, n=1, cutoff=0.6)
    if not close:
        close = [n for n in names if difflib.get_close_matches(leaf, [n.rsplit(".", 1)[-1]], 1)]
    hint = ""
    if close:
        table, _, key = close[0].rpartition(".")
        hint = f"; did you mean {key!r} in [{table}]?" if table else f"; did you mean {key!r}?"
        if close[0] in SECTIONS:
            hint = f"; did you mean the table [{close[0]}]?"
    return f"unknown setting {dotted!r}{hint}"


def _flatten(data: Mapping[str, object], where: str, problems: list[str]) -> dict[str, object]:
    """TOML tables -> {dotted name: value}; a table written as a plain value is a problem."""
    flat: dict[str, object] = {}
    for key, value in data.items():
        if key in SECTIONS:
            if not isinstance(value, dict):
                problems.append(f"{where}{key!r} must be a table: write [{key}] on its own line")
                continue
            flat.update({f"{key}.{sub}": v for sub, v in value.items()})
        else:
            flat[key] = value
    return flat


def _read(path: Path, shown: str) -> tuple[dict[str, object], dict[str, int]]:
    """Parse the file; raises ConfigError for unreadable or invalid TOML."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{shown}: cannot read the config file: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        line = int(found.group(1)) if found else max(1, len(text.splitlines()))
        what = _TOML_LINE.sub("", str(exc)).replace("(at end of document)", "").strip()
        raise ConfigError(
            f"{shown}:{line}: not valid TOML: {what}. Check that line (and the one before it): "
            'text needs quotes (voice = "espeak"), tables are written [pause].'
        ) from exc
    return data, key_lines(text)


def load_config(path: Path | None = None, overrides: Mapping[str, object] | None = None) -> Config:
    """Read the settings: defaults, then the file, then ``overrides`` (dotted names) on top.

    ``overrides`` come from the command line, e.g. ``{"pause.default_minutes": 5,
    "data_dir": "/tmp/x", "debug_transcripts": True}``; a None value means "not given".

    ``path`` None reads the default file if it exists. Raises ``ConfigError`` naming every bad
    setting with its file:line and allowed values.
    """
    return load_config_with_sources(path, overrides)[0]


def load_config_with_sources(
    path: Path | None = None, overrides: Mapping[str, object] | None = None
) -> tuple[Config, Sources]:
    """Like ``load_config``, plus where each setting came from (for ``voice-repair config``).

    Defaults, then the file, then overrides; every problem is reported in one ConfigError.
    """
    known = _known()
    sources: Sources = dict.fromkeys(known, DEFAULT)
    values: dict[str, object] = {}
    problems: list[str] = []
    if path is not None and not path.is_file():
        raise ConfigError(
            f"config file {path} does not exist; check the --config path, or leave --config "
            f"out to use {default_config_path()} (optional)"
        )
    path = path or default_config_path()
    if path.is_file():
        shown = str(path)
        data, lines = _read(path, shown)
        for dotted, value in _flatten(data, f"{shown}: ", problems).items():
            where = _where(shown, lines, dotted)
            if dotted not in known:
                problems.append(f"{where}: {_unknown(dotted)}")
                continue
            try:
                values[dotted] = _check(known[dotted], value, path.parent)
                sources[dotted] = where
            except ValueError as exc:
                problems.append(f"{where}: {dotted}: {exc}")
    for dotted, value in (overrides or {}).items():
        if value is None:  # an option that was not given on the command line
            continue
        if dotted not in known:
            problems.append(f"{COMMAND_LINE}: {_unknown(dotted)}")
            continue
        try:
            values[dotted] = _check(known[dotted], value, Path.cwd())
            sources[dotted] = COMMAND_LINE
        except ValueError as exc:
            problems.append(f"{COMMAND_LINE}: {dotted}: {exc}")
    problems += remote_problems(values, sources)  # a home server's address: the fields together
    if problems:
        raise ConfigError(
            f"{len(problems)} problem(s) in the settings:\n"
            + "\n".join(f"  {p}" for p in problems)
            + "\nFix these settings (see voice-repair.example.toml) and start again."
        )
    return _assemble(values), sources


def _assemble(values: Mapping[str, object]) -> Config:
    """Apply checked dotted values to the default ``Config``."""
    config = Config()
    top = {k: v for k, v in values.items() if "." not in k}
    for section in SECTIONS:
        changes = {k.split(".", 1)[1]: v for k, v in values.items() if k.startswith(f"{section}.")}
        if changes:
            top[section] = replace(getattr(config, section), **changes)
    return replace(config, **top)


def toml_value(value: object) -> str:
    """A value as TOML writes it (shown in complaints and by ``voice-repair config``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)
