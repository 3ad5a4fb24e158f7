"""Parsed sentence templates kept between starts, instead of parsed by hassil at each one.

Every ``chat``, ``run``, ``parse`` and ``check`` loads the intent data, and loading parsed each
of its ~480 templates with hassil's ``parse_sentence``: 0.14-0.19 s of CPU of every start here
(more than half of loading the matcher; ``README``, issue 22), for text that had not changed.
What hassil makes of a template depends only on the template's text and on hassil, so the
parsed trees of the last data that loaded without a problem are kept in the user's cache
folder (``passed.cache_folder()``, as the danger scan's compiled expressions,
``regexstore.py``), in a file named after hassil's version, this format and the Python that
wrote it, and looked up by each template's own text: a changed template has another text and
is parsed (its syntax error reported as always, never kept), an unchanged one is rebuilt from
the file (0.02 s for all of them).

Nothing unchecked is used. A tree is kept only after it was written out, read back and written
out again to the same thing, and only when every node is of a kind and with the fields this
module knows (a hassil that adds a field or a node kind keeps nothing: a mistake would parse
differently, not fail). The file carries its own SHA-256; a damaged, truncated or unreadable
file is ignored with a warning, and the next load without a problem writes a good one. A cache
folder that cannot be written (a read-only home) costs only the time. The file holds template
text from the data folder only, never anything said.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import sys
import zlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from hassil.expression import (
    INLINE_RANGE_PATTERN,
    Alternative,
    Expression,
    Group,
    ListReference,
    Permutation,
    RuleReference,
    Sequence,
    TextChunk,
)

from .passed import cache_folder, keep_whole

__all__ = ["FOLDER", "TemplateStore", "store"]

_LOG = logging.getLogger(__name__)

FOLDER = "templates"
"""The sub-folder of the cache folder that holds the kept trees."""
FORMAT = 1
"""Raised whenever the encoding below changes."""
MAX_KEPT = 3
"""What is kept is cut back to one load's templates past this many times their number."""

# One code per node kind, and the fields each kind must have: exactly these (``vars``), so a
# node with anything more or less is not kept.
_TEXT, _SEQUENCE, _ALTERNATIVE, _PERMUTATION, _LIST, _RULE = range(6)
_GROUPS = {Sequence: _SEQUENCE, Alternative: _ALTERNATIVE, Permutation: _PERMUTATION}
_KINDS = {code: kind for kind, code in _GROUPS.items()}
_LIST_FIELDS = {"list_name", "prefix", "suffix", "is_end_of_word", "is_capture"}
_FIELDS = {
    TextChunk: {"text", "original_text", "parent"},
    Sequence: {"items"},
    Alternative: {"items", "is_optional"},
    Permutation: {"items"},
    ListReference: _LIST_FIELDS | {"_slot_name", "_inline_range_match"},
    RuleReference: {"rule_name"},
}


class _Unfit(Exception):
    """A tree this module cannot write out faithfully: it is not kept."""


def _stamp() -> str:
    try:
        hassil = version("hassil")
    except PackageNotFoundError:
        hassil = "unknown"
    return f"{FORMAT} hassil {hassil} {sys.implementation.cache_tag} marshal {marshal.version}"


def encode(expr: Expression) -> Any:
    """A template's parsed tree as nested tuples of plain values (``marshal`` can write them).

    A text chunk's ``parent`` (a group hassil links it to; not always the one holding it) is
    kept as that group's place in the tree's groups, in pre-order. Raises ``_Unfit``."""
    groups: dict[int, int] = {}

    def number(node: Expression) -> None:
        if isinstance(node, Group):
            groups[id(node)] = len(groups)
            for item in node.items:
                number(item)

    def code(node: Expression) -> Any:
        kind = type(node)
        if _FIELDS.get(kind) != set(vars(node)):
            raise _Unfit(f"{kind.__name__} with fields {sorted(vars(node))}")
        if kind is TextChunk:
            parent = -1 if node.parent is None else groups.get(id(node.parent), -2)
            if parent == -2:
                raise _Unfit("a text chunk whose parent is not in its tree")
            return (_TEXT, node.text, node.original_text, parent)
        if kind in _GROUPS:
            items = tuple(code(item) for item in node.items)
            return (_GROUPS[kind], items, node.is_optional if kind is Alternative else False)
        if kind is ListReference:
            ranged = node._inline_range_match is not None
            if ranged != (INLINE_RANGE_PATTERN.match(node.list_name) is not None):
                raise _Unfit(f"list {node.list_name!r}: its range cannot be found again")
            return (_LIST, node.list_name, node.prefix, node.suffix, node.is_end_of_word,
                    node.is_capture, node._slot_name, ranged)  # fmt: skip
        return (_RULE, node.rule_name)

    number(expr)
    return code(expr)


def decode(coded: Any) -> Expression:
    """The tree ``encode`` wrote out, built as hassil's parser builds it (no ``__init__`` run:
    ``ListReference``'s would split its name again)."""
    groups: list[Group] = []
    parents: list[tuple[TextChunk, int]] = []
    new = object.__new__

    def build(c: Any) -> Expression:
        kind = c[0]
        if kind == _TEXT:
            chunk = new(TextChunk)
            chunk.__dict__.update(text=c[1], original_text=c[2], parent=None)
            if c[3] >= 0:
                parents.append((chunk, c[3]))
            return chunk
        if kind in _KINDS:
            group = new(_KINDS[kind])
            groups.append(group)  # pre-order, as ``encode`` numbered them
            group.items = [build(item) for item in c[1]]
            if kind == _ALTERNATIVE:
                group.is_optional = c[2]
            return group
        if kind == _LIST:
            ref = new(ListReference)
            ref.__dict__.update(
                list_name=c[1], prefix=c[2], suffix=c[3], is_end_of_word=c[4], is_capture=c[5],
                _slot_name=c[6], _inline_range_match=INLINE_RANGE_PATTERN.match(c[1]) if c[7]
                else None,
            )  # fmt: skip
            return ref
        if kind == _RULE:
            rule = new(RuleReference)
            rule.rule_name = c[1]
            return rule
        raise ValueError(f"unknown node kind {kind!r}")

    tree = build(coded)
    for chunk, index in parents:
        chunk.parent = groups[index]
    return tree


class TemplateStore:
    """The kept trees of one cache folder: ``get`` on a lookup, ``keep`` after a clean load.

    Kept by text, added to rather than replaced: the test suite loads copies of the data with
    a template more or less, and a store replaced by each was written again by the next start
    on the shipped data (0.2 s each), which cost more than it saved."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / hashlib.sha256(_stamp().encode()).hexdigest()[:32]
        self._codes: dict[str, Any] | None = None  # read at the first ``get``

    def _read(self) -> dict[str, Any]:
        try:
            data = self.path.read_bytes()
        except OSError:
            return {}  # none kept yet (or unreadable: the next ``keep`` replaces it)
        digest, body = data[:32], data[32:]
        try:
            if hashlib.sha256(body).digest() != digest:
                raise ValueError("its SHA-256 does not match its content")
            stamp, codes = marshal.loads(zlib.decompress(body))
            if stamp != _stamp() or not isinstance(codes, dict):
                raise ValueError("written by another version")
        except Exception as exc:  # damaged in any way: parsed as if it were not there
            _LOG.warning("kept templates %s are unusable (%s): parsing them again", self.path, exc)
            return {}
        return codes

    def get(self, text: str) -> Expression | None:
        """The kept tree of a template text, or None (not kept, or not usable)."""
        if self._codes is None:
            self._codes = self._read()
        coded = self._codes.get(text)
        if coded is None:
            return None
        try:
            return decode(coded)
        except Exception as exc:  # a sound file from a sound writer should never get here
            _LOG.warning("kept template %r is unusable (%s): parsing it again", text, exc)
            self._codes.pop(text, None)
            return None

    def keep(self, parsed: dict[str, Expression]) -> None:
        """Add to what is kept the trees of ``parsed`` (template text -> tree, the templates of
        a load without a problem) that are not kept yet; nothing is written when all are (a
        start on unchanged data writes nothing). What is kept grows by each new template and
        is cut back to this load's when it holds more than ``MAX_KEPT`` times as many, so that
        data edited for a year does not fill the folder. Trees that do not come back the same
        are left out; a folder that cannot be written is left alone."""
        if self._codes is None:
            self._codes = self._read()
        new = [text for text in parsed if text not in self._codes]
        if not new:
            return
        codes = dict(self._codes) if len(self._codes) < MAX_KEPT * len(parsed) else {}
        for text in new if codes else parsed:
            try:
                coded = encode(parsed[text])
                if encode(decode(coded)) != coded:
                    raise _Unfit("it does not come back the same")
            except (_Unfit, RecursionError) as exc:
                _LOG.debug("template %r not kept (%s)", text, exc)
                continue
            codes[text] = coded
        self._codes = codes
        body = zlib.compress(marshal.dumps((_stamp(), codes)))
        _write(self.path, hashlib.sha256(body).digest() + body)


def _write(path: Path, data: bytes) -> None:
    """``data`` at ``path`` whole or not at all (``passed.keep_whole``)."""
    error = keep_whole(path, data)
    if error is not None:
        _LOG.debug("parsed templates not kept (%s)", error)


_stores: dict[tuple[str | None, ...], TemplateStore] = {}


def store() -> TemplateStore:
    """This process's store for the cache folder in use now (``$CACHE_DIRECTORY``,
    ``$XDG_CACHE_HOME``, ``$HOME``: looked up at each call, so a test can point it elsewhere;
    the folder is worked out again only when one of them changed)."""
    key = tuple(os.environ.get(name) for name in ("CACHE_DIRECTORY", "XDG_CACHE_HOME", "HOME"))
    if key not in _stores:
        _stores[key] = TemplateStore(cache_folder() / FOLDER)
    return _stores[key]
