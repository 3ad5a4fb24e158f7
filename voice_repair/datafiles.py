"""YAML loading that remembers line numbers, so every data problem can be reported as file:line.

Strings, mappings and lists come back as ``str``/``dict``/``list`` subclasses carrying ``.line``
(1-based). Mappings also carry ``.key_lines`` (key -> line). Anything that is not valid YAML
becomes a ``DataProblem`` rather than an exception, so ``voice-repair check`` lists every problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import DataProblem

__all__ = ["LStr", "LDict", "LList", "load_yaml", "line_of"]


class LStr(str):
    """A string that knows the line it came from."""

    line: int = 0


class LDict(dict):
    """A mapping that knows its own line and the line of each key."""

    line: int = 0
    key_lines: dict[Any, int]


class LList(list):
    """A list that knows its own line."""

    line: int = 0


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that attaches line numbers to what it builds."""


class _FastLineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same on libyaml's parser when PyYAML has it: about ten times faster, and the data
    is read at every start-up and by every data check. Its error messages are terser ("found
    character that cannot start any token", without the tab), so a file it refuses is read
    again by ``_LineLoader`` for the message."""


def _construct_str(loader: _LineLoader, node: yaml.ScalarNode) -> LStr:
    value = LStr(loader.construct_scalar(node))
    value.line = node.start_mark.line + 1
    return value


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> LDict:
    result = LDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result.key_lines:
            # PyYAML keeps the last of two equal keys silently; that hides half of the data.
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first on line {result.key_lines[key]})",
                key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> LList:
    result = LList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


for _loader in (_LineLoader, _FastLineLoader):
    _loader.add_constructor("tag:yaml.org,2002:str", _construct_str)
    _loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
    _loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def load_yaml(path: Path, shown_as: str | None = None) -> tuple[Any, list[DataProblem]]:
    """Load one YAML file; returns (data or None, problems). Never raises for bad content."""
    name = shown_as or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [DataProblem(name, 0, f"cannot read file: {exc}")]
    try:
        try:
            data = yaml.load(text, Loader=_FastLineLoader)
        except yaml.YAMLError:
            data = yaml.load(text, Loader=_LineLoader)  # the same refusal, better worded
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        what = exc.problem or str(exc)
        return None, [DataProblem(name, line, f"not valid YAML: {what}")]
    except yaml.YAMLError as exc:
        return None, [DataProblem(name, 0, f"not valid YAML: {exc}")]
    return data, []


def line_of(value: Any, default: int = 0) -> int:
    """The line a loaded value came from, or ``default`` when it has none (numbers, booleans)."""
    return getattr(value, "line", default)
