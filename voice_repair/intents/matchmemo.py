"""The data tests' matching, remembered per state of the files the matching reads.

``check_intents`` runs every sentence of ``intents/<lang>/tests/`` (and each intent's catalogue
example) through the matcher: seconds of hassil matching. What a sentence matches depends only on
the code and on the templates, the catalogue and the danger patterns, never on ``tests/`` or
``examples/``. One process that checks several copies of the same data (the test suite: each
test that breaks one piece of a copy checks all of it, 1.6-2.5 s each, most of ``make check``'s
CPU) matched the same sentences against the same templates again and again. Here the answers
are kept by a digest of the files that matching reads (every file under the data folder but
``tests/`` and ``examples/``: responses and the nets' files are in it too, which costs nothing
but a miss when they change) and by the sentence, so a copy whose templates are unchanged is
matched once per process. A copy whose templates changed has another digest and is matched
afresh: its problems are its own. Kept in memory only, per process, so never stale across code
versions; a start-up checks its data once and gains nothing, loses nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from ..models import IntentMatch

__all__ = ["remembered", "matching_digest", "NOT_READ_BY_MATCHING"]

NOT_READ_BY_MATCHING = ("tests", "examples")
"""Folders under the data folder whose files no match reads (the data's tests, the semantic
net's extra sentences)."""

MAX_REMEMBERED = 50_000
"""Sentences kept at most (the oldest go first): the shipped data's tests are about 3,000."""

MatchAll = Callable[[str], list[IntentMatch]]

_answers: OrderedDict[tuple[str, str], tuple[IntentMatch, ...]] = OrderedDict()


def matching_digest(root: Path) -> str:
    """A digest of every file under ``root`` that matching may read, by path and content."""
    digest = hashlib.blake2b(digest_size=20)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = path.relative_to(root).as_posix()
        if name.split("/", 1)[0] in NOT_READ_BY_MATCHING:
            continue
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def remembered(root: Path, match_all: MatchAll) -> MatchAll:
    """``match_all`` over the data in ``root``, answering a sentence already matched in this
    process against the same files from memory. ``IntentMatch`` is frozen; its ``slots``
    dict is copied for each caller, so none can change another's answer."""
    try:
        key = matching_digest(root)
    except OSError:  # a file vanished or cannot be read: match as usual, remember nothing
        return match_all

    def match(text: str) -> list[IntentMatch]:
        found = _answers.get((key, text))
        if found is None:
            found = tuple(match_all(text))
            _answers[(key, text)] = found
            if len(_answers) > MAX_REMEMBERED:
                _answers.popitem(last=False)
        return [dataclasses.replace(m, slots=dict(m.slots)) for m in found]

    return match
