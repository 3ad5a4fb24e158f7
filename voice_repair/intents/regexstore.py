"""The danger scan's compiled expressions, kept between starts instead of compiled at each one.

The danger patterns (``danger.yaml``) become a few expressions of up to 50,000 characters, and
Python parses an expression in Python code: a third of every ``chat`` and ``run`` start-up's CPU
(0.35 s of 1.1 s here) went to parsing the same unchanged text again. What the parser produces
is a list of integers (the matching engine's program), so it is kept in the user's cache folder
(``passed.cache_folder()``, beside the record of a clean data check) under a digest of the
expression and of the Python that made it, and the engine is built from it directly.

Nothing unchecked is matched with: the file's name is the SHA-256 of the expression, the Python
version and the engine's version; its content carries its own SHA-256 (a truncated or altered
file is rejected); the engine validates the program it is given; and a program is only ever
stored after it compared equal (same program, flags and text) with ``re.compile``'s own. Any
doubt, any other Python or a cache folder that cannot be written: the expression is compiled as
usual, which costs only the time. The files hold pattern data only, never anything said, and
are compressed (the largest 44 kB, not 0.5 MB: smaller than seconds of audio, which the privacy
test looks for by size).
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import re
import sys
import zlib
from pathlib import Path

from .passed import keep_whole

__all__ = ["compile_kept"]

_LOG = logging.getLogger(__name__)

try:  # the engine's own parts, the ones ``re.compile`` uses; another Python may lack them
    import _sre
    from re import _compiler, _parser

    _ENGINE = f"{sys.implementation.cache_tag} {sys.version} sre {_sre.MAGIC} {_sre.CODESIZE} z"
except (ImportError, AttributeError):  # pragma: no cover - CPython 3.11+ has them all
    _sre = _compiler = _parser = None
    _ENGINE = ""

FOLDER = "regex"
"""The sub-folder of the cache folder that holds the programs."""


def compile_kept(pattern: str, folder: Path) -> re.Pattern[str]:
    """``re.compile(pattern)``, from the program kept in ``folder`` when there is a sound one,
    else compiled and kept there for the next start. Raises ``re.error`` for a bad pattern."""
    if not _ENGINE:
        return re.compile(pattern)
    path = folder / _name(pattern)
    kept = _read(path, pattern)
    if kept is not None:
        return kept
    compiled, program = _compile(pattern)
    if program is not None:
        _write(path, program)
    return compiled


def _name(pattern: str) -> str:
    return hashlib.sha256(f"{_ENGINE}\0{pattern}".encode()).hexdigest()


def _compile(pattern: str) -> tuple[re.Pattern[str], bytes | None]:
    """The compiled expression and its program as bytes to keep (None: nothing fit to keep).

    The steps of ``re._compiler.compile``, keeping the program they make; the result is kept
    only when it equals ``re.compile``'s (a pattern's equality compares its whole program)."""
    expected = re.compile(pattern)
    try:
        parsed = _parser.parse(pattern, 0)
        code = _compiler._code(parsed, 0)
        groupindex = dict(parsed.state.groupdict)
        indexgroup = [None] * parsed.state.groups
        for key, index in groupindex.items():
            indexgroup[index] = key
        flags = int(parsed.state.flags)
        fields = (flags, [int(c) for c in code], parsed.state.groups - 1, groupindex, indexgroup)
        if _build(pattern, fields) != expected:
            _LOG.debug("this Python compiles expressions differently: none kept")
            return expected, None
        body = zlib.compress(marshal.dumps(fields))
    except Exception as exc:  # any surprise of an internal API: compile as usual
        _LOG.debug("expression not kept (%s)", exc)
        return expected, None
    return expected, hashlib.sha256(body).digest() + body


def _build(pattern: str, fields: tuple) -> re.Pattern[str]:
    flags, code, groups, groupindex, indexgroup = fields
    return _sre.compile(pattern, flags, list(code), groups, groupindex, tuple(indexgroup))


def _read(path: Path, pattern: str) -> re.Pattern[str] | None:
    """The expression built from a sound kept program, or None (absent, damaged, doubtful)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    digest, body = data[:32], data[32:]
    if hashlib.sha256(body).digest() != digest:
        _LOG.debug("kept expression %s is damaged: compiled again", path.name)
        return None
    try:
        return _build(pattern, marshal.loads(zlib.decompress(body)))
    except Exception as exc:  # a program the engine rejects: compile as usual
        _LOG.debug("kept expression %s not usable (%s): compiled again", path.name, exc)
        return None


def _write(path: Path, program: bytes) -> None:
    """Keep ``program`` at ``path`` whole or not at all; a folder that cannot be written is
    left alone (the next start compiles again)."""
    error = keep_whole(path, program)
    if error is not None:
        _LOG.debug("compiled expression not kept (%s)", error)
