"""Loading and checking the intent data under ``intents/<lang>/``: catalogue and sentence templates.

Every problem becomes a ``DataProblem`` with ``file:line`` instead of an exception, so one run of
``voice-repair check`` lists everything that is wrong. A broken piece is left out rather than
stopping the load; ``broken`` says which intents are affected so their tests are not run (a test
of a broken intent would only repeat the same problem in other words).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

from hassil import Intents
from hassil.expression import Expression, Sentence

from ..datafiles import LDict, line_of, load_yaml
from ..errors import DataProblem
from .shared import bad_shapes, merge_shared
from .spec import SLOT_TYPES, IntentSpec, LoadedData, SlotSpec, rel
from .templates import (
    Template,
    allowed_slots,
    check_references,
    parse_template,
    plain,
    slot_problem,
)
from .templatestore import store

__all__ = ["load_data"]

_SENTENCE_KEYS = {"language", "intents", "lists", "expansion_rules", "skip_words"}


def load_data(root: Path) -> LoadedData:
    """Read ``intents.yaml`` and ``sentences/*.yaml`` under ``root``; never raises for bad data."""
    data = LoadedData(language=root.name)
    _load_catalogue(root, data)
    _load_sentences(root, data)
    return data


def _load_catalogue(root: Path, data: LoadedData) -> None:
    path = root / "intents.yaml"
    name = rel(path, root)
    doc, problems = load_yaml(path, name)
    data.problems += problems
    if problems:
        data.broken.add("*")
        data.catalogue_loaded = False
        return
    if not isinstance(doc, dict) or not isinstance(doc.get("intents"), dict):
        data.problems.append(DataProblem(name, line_of(doc, 1), "expected a mapping `intents:`"))
        data.broken.add("*")
        data.catalogue_loaded = False
        return
    data.language = str(doc.get("language", data.language))
    for intent, body in doc["intents"].items():
        line = doc["intents"].key_lines.get(intent, 0)
        spec = _catalogue_entry(name, str(intent), line, body, data.problems)
        data.declared.add(str(intent))
        if spec is None:
            data.broken.add(str(intent))
        else:
            data.catalogue[spec.name] = spec
            data.catalogue_lines[spec.name] = (name, line_of(body.get("example"), line))


def _catalogue_entry(
    name: str, intent: str, line: int, body: Any, problems: list[DataProblem]
) -> IntentSpec | None:
    """One catalogue entry, or None (with problems added) when it is malformed."""
    if not isinstance(body, dict):
        problems.append(DataProblem(name, line, f"intent '{intent}': expected a mapping"))
        return None
    bad = False
    for key in body:
        if key not in ("description", "slots", "example"):
            problems.append(DataProblem(name, body.key_lines[key], f"unknown key '{key}'"))
    for key in ("description", "example"):
        if not isinstance(body.get(key), str) or not body[key].strip():
            problems.append(DataProblem(name, line, f"intent '{intent}': `{key}` text missing"))
            bad = True
    slots: list[SlotSpec] = []
    raw_slots = body.get("slots", [])
    if not isinstance(raw_slots, list):
        problems.append(DataProblem(name, line, f"intent '{intent}': `slots` must be a list"))
        raw_slots, bad = [], True
    for slot in raw_slots:
        where = line_of(slot, line)
        if not isinstance(slot, dict) or not isinstance(slot.get("name"), str):
            problems.append(DataProblem(name, where, f"intent '{intent}': slot needs a `name`"))
            bad = True
        elif slot.get("type") not in SLOT_TYPES:
            problems.append(
                DataProblem(
                    name,
                    where,
                    f"intent '{intent}': slot '{slot['name']}' has type {slot.get('type')!r}; "
                    f"use one of {', '.join(SLOT_TYPES)}",
                )
            )
            bad = True
        else:
            slots.append(SlotSpec(str(slot["name"]), str(slot["type"]), bool(slot.get("required"))))
    if bad:
        return None
    return IntentSpec(intent, str(body["description"]), tuple(slots), str(body["example"]))


def _load_sentences(root: Path, data: LoadedData) -> None:
    folder = root / "sentences"
    merged: dict[str, Any] = {"language": data.language, "intents": {}, "lists": {}}
    merged["expansion_rules"] = {}
    merged["skip_words"] = []
    templates: list[Template] = []
    rule_exprs: dict[str, tuple[Expression, str, int]] = {}
    defined_in: dict[str, str] = {}
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not files:
        data.problems.append(DataProblem(rel(folder, root), 0, "no sentences/*.yaml files"))
    for path in files:
        name = rel(path, root)
        data.families.setdefault(path.stem, set())
        doc, problems = load_yaml(path, name)
        data.problems += problems
        if problems or not isinstance(doc, dict):
            if not problems:
                data.problems.append(DataProblem(name, 1, "expected a mapping at the top"))
            if path.stem.startswith("_"):
                data.broken.add("*")  # shared lists and rules are missing now
                data.shared_incomplete = True
            # A family file's intents show up below as having no sentences.
            continue
        for key in doc:
            if key not in _SENTENCE_KEYS:
                data.problems.append(DataProblem(name, doc.key_lines[key], f"unknown key '{key}'"))
        if doc.get("language", data.language) != data.language:
            data.problems.append(
                DataProblem(name, doc.key_lines["language"], f"language is not {data.language}")
            )
        bad = bad_shapes(name, doc, data)
        merge_shared(name, doc, bad, merged, rule_exprs, data)
        if "intents" not in bad:
            _take_intents(name, path.stem, doc, merged, templates, defined_in, data)
    for intent in data.catalogue:
        if intent not in defined_in:
            data.broken.add(intent)
            file, line = data.catalogue_lines[intent]
            data.problems.append(
                DataProblem(file, line, f"intent '{intent}' has no sentences in sentences/")
            )
    bad = check_references(templates, rule_exprs, merged, data)
    for intent, body in list(merged["intents"].items()):
        blocks = [
            {**block, "sentences": [t for t in block["sentences"] if (intent, t) not in bad]}
            for block in body["data"]
        ]
        body["data"] = [block for block in blocks if block["sentences"]]
        if not body["data"]:
            del merged["intents"][intent]
    try:
        data.intents = Intents.from_dict(merged)
        _adopt_parsed(data.intents, templates)
    except Exception as exc:  # hassil raises many types; report, never crash
        data.problems.append(DataProblem(rel(folder, root), 0, f"cannot build the intents: {exc}"))
        data.broken.add("*")
    if not data.problems:
        _keep_parsed(templates, merged["expansion_rules"], rule_exprs)


def _keep_parsed(
    templates: list[Template],
    rules: dict[str, Any],
    rule_exprs: dict[str, tuple[Expression, str, int]],
) -> None:
    """Keep the parsed templates and rules of a load without a problem for the next start
    (``templatestore``): a broken copy's are not kept, so its problems are found by parsing."""
    parsed = {text: expr for _, expr, _, _, text in templates}
    parsed |= {str(rules[rule]): expr for rule, (expr, _, _) in rule_exprs.items()}
    store().keep(parsed)


def _adopt_parsed(intents: Intents, templates: list[Template]) -> None:
    """Hand hassil the templates parsed for the checks above, so that it does not parse each
    again: that was half of loading the data, paid by every ``chat`` and ``run``. Its own
    ``IntentData.sentences`` (a cached property: parse each text, then order them) is filled
    as it would fill it; a block with a text not parsed here, or a hassil whose ``sentences``
    is no longer that property, parses as usual. Either way every block is parsed now, so the
    first match is as fast as the rest."""
    parsed = {(intent, text): expr for intent, expr, _, _, text in templates}
    for intent in intents.intents.values():
        for block in intent.data:
            exprs = [parsed.get((intent.name, text)) for text in block.sentence_texts]
            own = isinstance(type(block).__dict__.get("sentences"), cached_property)
            if own and None not in exprs and hasattr(block, "_sentence_order"):
                sentences = [
                    Sentence(expression=expr, text=text)
                    for expr, text in zip(exprs, block.sentence_texts, strict=True)
                    if expr is not None
                ]
                block.__dict__["sentences"] = sorted(sentences, key=block._sentence_order)
            _ = block.sentences


def _take_intents(
    name: str,
    stem: str,
    doc: LDict,
    merged: dict[str, Any],
    templates: list[Template],
    defined_in: dict[str, str],
    data: LoadedData,
) -> None:
    """The intents of one sentences file, each checked against the catalogue."""
    for intent, body in (doc.get("intents") or {}).items():
        line = doc["intents"].key_lines.get(intent, 0)
        if not data.catalogue_loaded or (intent in data.declared and intent not in data.catalogue):
            defined_in[intent] = name  # malformed catalogue entry, reported there
            continue
        if intent not in data.catalogue:
            data.problems.append(
                DataProblem(name, line, f"unknown intent '{intent}': not in intents.yaml")
            )
            continue
        if intent in defined_in:
            data.problems.append(
                DataProblem(name, line, f"intent '{intent}' is already in {defined_in[intent]}")
            )
            continue
        defined_in[intent] = name
        data.families[stem].add(intent)
        blocks = _intent_blocks(name, intent, line, body, templates, data)
        if blocks:
            merged["intents"][intent] = {"data": blocks}


def _intent_blocks(
    name: str,
    intent: str,
    line: int,
    body: Any,
    templates: list[Template],
    data: LoadedData,
) -> list[dict[str, Any]]:
    """The valid data blocks of one intent; problems for the rest."""
    blocks: list[dict[str, Any]] = []
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        data.problems.append(DataProblem(name, line, f"intent '{intent}': expected `data:` list"))
        data.broken.add(intent)
        return blocks
    allowed = allowed_slots(data.catalogue[intent])
    for block in body["data"]:
        where = line_of(block, line)
        if not isinstance(block, dict) or not isinstance(block.get("sentences"), list):
            data.problems.append(DataProblem(name, where, "data block needs a `sentences:` list"))
            data.broken.add(intent)
            continue
        for key in block:
            if key not in ("sentences", "slots"):
                data.problems.append(
                    DataProblem(name, block.key_lines[key], f"unknown key '{key}' in data block")
                )
        fixed = block.get("slots") or {}
        if not isinstance(fixed, dict):
            data.problems.append(DataProblem(name, where, "`slots` must be a mapping"))
            data.broken.add(intent)
            continue
        for slot in fixed:
            if slot not in allowed:
                data.problems.append(
                    slot_problem(name, block.key_lines["slots"], intent, slot, data)
                )
                data.broken.add(intent)
        good = []
        for text in block["sentences"]:
            expr = parse_template(name, line_of(text, where), text, data.problems)
            if expr is None:
                data.broken.add(intent)
                continue
            templates.append((intent, expr, name, line_of(text, where), str(text)))
            good.append(str(text))
        if good:
            blocks.append({"sentences": good, "slots": {k: plain(v) for k, v in fixed.items()}})
    return blocks
