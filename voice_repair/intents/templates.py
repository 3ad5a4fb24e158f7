"""Checks on single sentence templates: syntax, the lists and rules they use, their slots.

Every problem is reported on the line of the template (or rule) that has it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from hassil import ListReference, RuleReference, parse_sentence
from hassil.expression import Expression, Group
from hassil.parse_expression import ParseExpressionError
from hassil.parser import ParseError

from ..errors import DataProblem
from .spec import MINUTE_PARTS, TIME_PARTS, WHICH_TIMER, IntentSpec, LoadedData
from .templatestore import store

__all__ = ["Template", "parse_template", "explain", "allowed_slots", "slot_problem"]
__all__ += ["check_references", "plain"]

Template = tuple[str, Expression, str, int, str]
"""(intent, parsed template, file, line, template text) of one sentence template."""


def parse_template(
    name: str, line: int, text: Any, problems: list[DataProblem]
) -> Expression | None:
    """Parse one template; a syntax error becomes a problem on the template's own line."""
    if not isinstance(text, str) or not text.strip():
        problems.append(DataProblem(name, line, f"expected a template text, got {text!r}"))
        return None
    try:
        return _parsed(text)
    except (ParseError, AssertionError, ValueError) as exc:
        problems.append(
            DataProblem(name, line, f"template syntax error in {str(text)!r}: {explain(exc)}")
        )
        return None


@lru_cache(maxsize=20_000)
def _parsed(text: str) -> Expression:
    """A template's expression, parsed once per process: the data's files are loaded again for
    every copy a process checks (the test suite's broken copies: an eighth of each check was
    parsing the same templates again). Nothing changes a parsed expression after parsing
    (hassil keeps what it learns while matching on its own ``Sentence`` objects, made anew per
    load), so one object can serve every load. A syntax error is raised each time, not kept.
    Between processes, the trees of the last clean load are kept on disk (``templatestore``)."""
    kept = store().get(text)
    if kept is not None:
        return kept
    return parse_sentence(text, keep_text=True).expression


def explain(exc: Exception) -> str:
    if isinstance(exc, ParseExpressionError):
        return f"unbalanced or misplaced bracket near {exc.chunk.text!r}"
    text = str(exc) or type(exc).__name__
    if isinstance(exc, ParseError):
        text += " (check that every ( [ { < has its closing ) ] } >)"
    return text


def allowed_slots(spec: IntentSpec) -> set[str]:
    names = {slot.name for slot in spec.slots} | {WHICH_TIMER}
    if "minutes" in names:
        names |= set(MINUTE_PARTS)
    return names | set(TIME_PARTS) if "time" in names else names


def slot_problem(name: str, line: int, intent: str, slot: str, data: LoadedData) -> DataProblem:
    known = ", ".join(s.name for s in data.catalogue[intent].slots) or "none"
    return DataProblem(
        name, line, f"intent '{intent}' has no slot '{slot}' (its slots in intents.yaml: {known})"
    )


def _references(
    expr: Expression, rules: dict[str, tuple[Expression, str, int]], seen: set[str]
) -> tuple[list[ListReference], list[str]]:
    """List references (following rules) and the names of rules that do not exist."""
    lists: list[ListReference] = []
    missing: list[str] = []
    if isinstance(expr, ListReference):
        lists.append(expr)
    elif isinstance(expr, RuleReference):
        if expr.rule_name not in rules:
            missing.append(expr.rule_name)
        elif expr.rule_name not in seen:
            seen.add(expr.rule_name)
            sub_lists, sub_missing = _references(rules[expr.rule_name][0], rules, seen)
            lists += sub_lists
            missing += sub_missing
            seen.discard(expr.rule_name)
    elif isinstance(expr, Group):
        for item in expr.items:
            sub_lists, sub_missing = _references(item, rules, seen)
            lists += sub_lists
            missing += sub_missing
    return lists, missing


def check_references(
    templates: list[Template],
    rules: dict[str, tuple[Expression, str, int]],
    merged: dict[str, Any],
    data: LoadedData,
) -> set[tuple[str, str]]:
    """Every {list} and <rule> a template uses exists, and every slot is in the catalogue.

    Returns the (intent, template text) pairs that failed, to be left out of the matcher:
    hassil would raise on them at match time.
    """
    bad: set[tuple[str, str]] = set()
    for rule, (expr, name, line) in rules.items():
        for missing in sorted(set(_references(expr, rules, {rule})[1])):
            if not data.shared_incomplete:
                message = f"rule <{rule}> uses unknown <{missing}>"
                data.problems.append(DataProblem(name, line, message))
            data.broken.add("*")
    for intent, expr, name, line, text in templates:
        lists, missing = _references(expr, rules, set())
        allowed = allowed_slots(data.catalogue[intent])
        found = [f"unknown expansion rule <{rule}>" for rule in sorted(set(missing))]
        for ref in lists:
            if ref.list_name not in merged["lists"]:
                found.append(f"unknown list {{{ref.list_name}}}")
            elif ref.slot_name not in allowed:
                found.append(slot_problem(name, line, intent, ref.slot_name, data).message)
        for message in dict.fromkeys(found):
            if not (data.shared_incomplete and message.startswith("unknown")):
                data.problems.append(DataProblem(name, line, message))
        if found:
            data.broken.add(intent)
            bad.add((intent, text))
    return bad


def plain(value: Any) -> Any:
    """Loaded YAML values as plain Python types (slot values leave the matcher as str/int)."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
