"""The shared part of the sentences files: lists, expansion rules and skip words.

Each list and rule is checked on its own, so one bad entry is reported at its line and the rest
still load. When a shared entry is broken, ``shared_incomplete`` is set: templates that use it
are left out quietly instead of each one reporting an "unknown" echo of the same problem.
"""

from __future__ import annotations

from typing import Any

from hassil import Intents
from hassil.expression import Expression

from ..datafiles import LDict, line_of
from ..errors import DataProblem
from .spec import LoadedData
from .templates import explain, parse_template

__all__ = ["bad_shapes", "merge_shared"]


def bad_shapes(name: str, doc: LDict, data: LoadedData) -> set[str]:
    """Top-level keys of a sentences file that have the wrong kind of value (reported).

    A shared key gone wrong (lists, rules) makes every "unknown list" later an echo of it.
    """
    bad: set[str] = set()
    problems = data.problems
    for key, kind in (("intents", dict), ("lists", dict), ("expansion_rules", dict)):
        if doc.get(key) is not None and not isinstance(doc[key], kind):
            problems.append(DataProblem(name, doc.key_lines[key], f"`{key}` must be a mapping"))
            bad.add(key)
    if doc.get("skip_words") is not None and not isinstance(doc["skip_words"], list):
        problems.append(
            DataProblem(name, doc.key_lines["skip_words"], "`skip_words` must be a list")
        )
        bad.add("skip_words")
    if bad & {"lists", "expansion_rules"}:
        data.broken.add("*")
        data.shared_incomplete = True
    return bad


def merge_shared(
    name: str,
    doc: LDict,
    bad: set[str],
    merged: dict[str, Any],
    rule_exprs: dict[str, tuple[Expression, str, int]],
    data: LoadedData,
) -> None:
    """Take a file's lists, expansion rules and skip words, checking each one on its own."""
    lists = {} if "lists" in bad else doc.get("lists") or {}
    rules = {} if "expansion_rules" in bad else doc.get("expansion_rules") or {}
    for list_name, body in lists.items():
        line = doc["lists"].key_lines.get(list_name, 0)
        if list_name in merged["lists"]:
            data.problems.append(DataProblem(name, line, f"list '{list_name}' defined twice"))
            continue
        if not isinstance(body, dict) or not (
            isinstance(body.get("values"), list) or isinstance(body.get("range"), dict)
        ):
            data.problems.append(
                DataProblem(
                    name,
                    line,
                    f"list '{list_name}' needs `values:` (a list) or `range:` (from, to)",
                )
            )
            data.broken.add("*")
            data.shared_incomplete = True
            continue
        try:
            Intents.from_dict(
                {"language": data.language, "intents": {}, "lists": {list_name: body}}
            )
        except Exception as exc:  # hassil raises many types for a bad list
            data.problems.append(
                DataProblem(name, line, f"list '{list_name}' is not valid: {explain(exc)}")
            )
            data.broken.add("*")
            data.shared_incomplete = True
            continue
        merged["lists"][list_name] = body
    for rule, body in rules.items():
        line = line_of(body, doc["expansion_rules"].key_lines.get(rule, 0))
        if rule in merged["expansion_rules"]:
            data.problems.append(DataProblem(name, line, f"rule '<{rule}>' defined twice"))
            continue
        expr = parse_template(name, line, body, data.problems)
        if expr is None:
            data.broken.add("*")
            data.shared_incomplete = True
            continue
        merged["expansion_rules"][rule] = body
        rule_exprs[rule] = (expr, name, line)
    for word in [] if "skip_words" in bad else doc.get("skip_words") or []:
        if isinstance(word, str) and word.strip():
            merged["skip_words"].append(str(word))
        else:
            data.problems.append(
                DataProblem(
                    name,
                    line_of(word, doc.key_lines["skip_words"]),
                    f"a skip word must be text, got {word!r}",
                )
            )
