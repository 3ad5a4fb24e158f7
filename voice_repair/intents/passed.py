"""A record that one state of the intent data passed its own tests with this code.

Start-up runs every data test (``datatests.py``), so that a broken file stops the assistant with
``file:line`` messages instead of a half-working one. That takes seconds here (more on a Pi), and
every ``run`` and ``chat`` paid it again for data that had not changed. The outcome depends only
on the data files, the matcher's code and hassil, so a clean run is recorded in the user's cache
folder under a digest of all three; a start with the same data and code then skips the tests.
``voice-repair check`` always runs them. The record holds nothing but its name: nothing anyone
said is written. A cache folder that cannot be written costs only the time.

The service runs with a read-only home; its unit asks systemd for a cache folder of its own
(``CacheDirectory=voice-repair``), which systemd creates, leaves writable and names in
``$CACHE_DIRECTORY``. For a user service that is ``~/.cache/voice-repair``: the same record
``run`` in a terminal writes and reads.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from contextlib import suppress
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

__all__ = ["cache_folder", "has_passed", "keep_whole", "mark_passed", "record_path"]

_LOG = logging.getLogger(__name__)
_CODE = Path(__file__).resolve().parent
"""The matcher's own package: its code decides what the data's tests find."""


def record_path(root: Path) -> Path:
    """Where a clean check of ``root`` with this code is recorded (``cache_folder``)."""
    digest = hashlib.sha256()
    for folder in (root, _CODE):
        pattern = "*" if folder == root else "*.py"
        for path in sorted(p for p in folder.rglob(pattern) if p.is_file()):
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            digest.update(path.read_bytes())
    with suppress(PackageNotFoundError):  # a checkout without metadata: the code digest stays
        digest.update(version("hassil").encode())
    return cache_folder() / "checked" / digest.hexdigest()


def cache_folder() -> Path:
    """The service's own cache folder from systemd (``$CACHE_DIRECTORY``, the first when it
    names several), else ``$XDG_CACHE_HOME/voice-repair`` (``~/.cache/voice-repair``)."""
    given = os.environ.get("CACHE_DIRECTORY", "").split(":")[0]
    if given and Path(given).is_absolute():
        return Path(given)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "voice-repair"


def keep_whole(path: Path, data: bytes) -> OSError | None:
    """Write ``data`` at ``path`` in the cache folder whole or not at all (a temporary file
    beside it, then renamed), for the stores kept there (``regexstore``, ``templatestore``).
    A folder that cannot be written is left alone: the error is returned for the caller's
    log line, and the next start does the work again."""
    temp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(temp, path)
    except OSError as exc:
        if temp is not None:
            with suppress(OSError):
                os.unlink(temp)
        return exc
    return None


def has_passed(root: Path) -> bool:
    """Whether this exact data passed its tests with this exact code before."""
    try:
        return record_path(root).is_file()
    except OSError:
        return False


def mark_passed(root: Path) -> None:
    """Record a clean check of ``root``; a folder that cannot be written is left alone."""
    try:
        path = record_path(root)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    except OSError as exc:
        _LOG.debug("no record of the clean data check kept (%s)", exc)
