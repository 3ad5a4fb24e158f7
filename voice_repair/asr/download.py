"""``voice-repair models download [NAME]``: fetch a model once, check it, put it in place safely.

NAME is a vosk model (an archive from alphacephei.com, unpacked into ``models/<name>/``) or a
Whisper model, ``tiny.en`` or ``base.en`` (the files of Systran's ``faster-whisper-<name>`` on
Hugging Face at a pinned commit, into ``models/whisper-<name>/``; ``whispermodel.py`` has the
manifest and where each checksum comes from). This is the only place the product touches the
network, and only when asked. Why each step:

* the SHA-256 is checked against a table of known models, because a 40 MB download over a home
  connection does get truncated or swapped, and a broken model fails later in confusing ways;
* the archive is checked before unpacking (no absolute paths, no ``..``, no links), because a zip
  may otherwise write anywhere on the device;
* it is unpacked into a temporary folder inside ``models/`` and renamed into place, so an
  interrupted download never leaves a half model that auto-selection would pick up;
* a Whisper model is a few loose files, each checked against the manifest as soon as it has
  arrived (a mismatch names the file), all in a temporary folder renamed into place only when
  every file is right: a bad file leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from ..errors import ModelError
from .vosk import is_vosk_model
from .whispermodel import KNOWN_MODELS, SOURCES, digest_like

__all__ = [
    "DEFAULT_MODEL",
    "DEFAULT_URL_BASE",
    "HF_URL_BASE",
    "KNOWN_SHA256",
    "download_model",
    "download_whisper",
    "stderr_bar",
]

log = logging.getLogger(__name__)

DEFAULT_MODEL = "vosk-model-small-en-us-0.15"
DEFAULT_URL_BASE = "https://alphacephei.com/vosk/models"
KNOWN_SHA256 = {
    # 41,205,931 bytes, Apache-2.0; the checksum many projects pin for this archive.
    "vosk-model-small-en-us-0.15": (
        "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498"
    ),
}
HF_URL_BASE = "https://huggingface.co"
"""Where Systran's Whisper conversions live: ``<base>/<repo>/resolve/<commit>/<file>``."""
_VOSK_HINT = "Check the model name (the list is at https://alphacephei.com/vosk/models)."
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

Progress = Callable[[int, int | None], None]
"""Called with (bytes so far, total bytes or None)."""


def stderr_bar(done: int, total: int | None) -> None:
    """A one-line progress bar on stderr (the terminal is the only place it is shown)."""
    mb = done / 1e6
    if total:
        frac = done / total
        bar = "#" * int(frac * 30)
        sys.stderr.write(f"\r  [{bar:<30}] {mb:6.1f} / {total / 1e6:.1f} MB {frac:4.0%}")
    else:
        sys.stderr.write(f"\r  {mb:6.1f} MB")
    if total and done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def download_model(
    name: str = DEFAULT_MODEL,
    models_root: Path = Path("models"),
    url_base: str = DEFAULT_URL_BASE,
    sha256: str | None = None,
    progress: Progress | None = stderr_bar,
    timeout: float = 30.0,
) -> Path:
    """Download ``<url_base>/<name>.zip`` and unpack it as ``<models_root>/<name>/``.

    Returns the model directory (at once if it is already there). ``sha256`` overrides the known
    checksum table. Raises ModelError explaining what to do when the network, the server, the
    checksum or the archive is at fault.
    """
    if not _NAME.match(name):
        raise ModelError(f"{name!r} is not a model name (letters, digits, '.', '-', '_' only).")
    models_root = Path(models_root)
    target = models_root / name
    if target.exists():
        if is_vosk_model(target):
            return target
        raise ModelError(f"{target} exists but is not a complete vosk model; delete it and retry.")
    models_root.mkdir(parents=True, exist_ok=True)
    url = f"{url_base.rstrip('/')}/{name}.zip"
    expected = (sha256 or KNOWN_SHA256.get(name) or "").lower() or None
    fd, part = tempfile.mkstemp(prefix=f".{name}-", suffix=".zip.part", dir=models_root)
    try:
        with os.fdopen(fd, "wb") as out:
            digest = _fetch(url, out, progress, timeout, _VOSK_HINT)
        if expected is None:
            log.warning("no known checksum for %s; its SHA-256 is %s", name, digest)
        elif digest != expected:
            raise ModelError(
                f"the download of {url} is damaged or not the expected file: its SHA-256 is "
                f"{digest}, expected {expected}. Try again; if it keeps happening the file on the "
                "server has changed: check the checksum on the vosk model page and pass it with "
                "--sha256."
            )
        return _unpack(Path(part), models_root, target)
    finally:
        Path(part).unlink(missing_ok=True)


def download_whisper(
    name: str,
    models_root: Path = Path("models"),
    url_base: str = HF_URL_BASE,
    progress: Progress | None = stderr_bar,
    timeout: float = 30.0,
    sources: dict[str, tuple[str, str]] | None = None,
    manifest: dict[str, dict[str, str]] | None = None,
) -> Path:
    """Fetch Whisper ``name``'s files into ``<models_root>/whisper-<name>/``, each one checked.

    Returns the folder (at once if it is already there and checks out). ``sources`` and
    ``manifest`` default to ``whispermodel.SOURCES`` and ``KNOWN_MODELS`` (tests hand in their
    own). Raises ModelError naming the file when one does not match, and leaves nothing behind.
    """
    sources = SOURCES if sources is None else sources
    manifest = KNOWN_MODELS if manifest is None else manifest
    if name not in sources or name not in manifest:
        raise ModelError(
            f"{name!r} is not a Whisper model voice-repair knows; choose one of "
            f"{', '.join(sorted(sources))}."
        )
    repo, revision = sources[name]
    files = manifest[name]
    models_root = Path(models_root)
    target = models_root / f"whisper-{name}"
    if target.exists():
        whole = all((target / f).is_file() for f in files)
        if whole and all(digest_like(target / f, w) == w for f, w in files.items()):
            return target
        raise ModelError(f"{target} exists but is not a complete {name}; delete it and retry.")
    models_root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".whisper-{name}-", dir=models_root))
    hint = f"Check that {repo} still has commit {revision} on {url_base}."
    try:
        for file, want in files.items():
            url = f"{url_base.rstrip('/')}/{repo}/resolve/{revision}/{file}"
            with (tmp / file).open("wb") as out:
                _fetch(url, out, progress, timeout, hint)
            got = digest_like(tmp / file, want)
            if got != want:
                raise ModelError(
                    f"the download of {file} ({url}) is damaged or not the expected file: its "
                    f"digest is {got}, expected {want}. Nothing was installed. Try again; if it "
                    "keeps happening the file on the server is not the one voice-repair was "
                    "tested with."
                )
        os.rename(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _fetch(url: str, out, progress: Progress | None, timeout: float, hint: str) -> str:
    """Stream ``url`` into ``out``; return the hex SHA-256 of what was written."""
    host = urllib.parse.urlsplit(url).netloc or url
    h = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            length = resp.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            done = 0
            while block := resp.read(1 << 16):
                out.write(block)
                h.update(block)
                done += len(block)
                if progress:
                    progress(done, total)
            if total is not None and done < total:
                raise ModelError(
                    f"the download of {url} stopped after {done} of {total} bytes; try again."
                )
    except urllib.error.HTTPError as e:
        raise ModelError(f"{url}: the server answered {e.code} {e.reason}. {hint}") from e
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise ModelError(
            f"could not reach {host} ({reason}): no network? Connect this device once and retry, "
            f"or fetch {url} on another computer and put it into the models folder."
        ) from e
    return h.hexdigest()


def _unpack(archive: Path, models_root: Path, target: Path) -> Path:
    """Check the archive's paths, extract into a temp folder in models_root, rename into place."""
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile as e:
        raise ModelError(f"the downloaded file is not a zip archive ({e}); try again.") from e
    with zf:
        for info in zf.infolist():
            path = PurePosixPath(info.filename.replace("\\", "/"))
            mode = info.external_attr >> 16
            if path.is_absolute() or ".." in path.parts or (mode & 0o170000) == 0o120000:
                raise ModelError(
                    f"refusing to unpack the archive: entry {info.filename!r} would be written "
                    "outside the model folder (or is a link). The file is not a genuine model."
                )
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=models_root))
        try:
            zf.extractall(tmp)
            tops = [p for p in tmp.iterdir()]
            root = tops[0] if len(tops) == 1 and tops[0].is_dir() else tmp
            if not is_vosk_model(root):
                raise ModelError(
                    "the archive does not contain a vosk model (am/, conf/ and graph/ folders)."
                )
            if root == tmp:
                os.rename(tmp, target)
            else:
                os.rename(root, target)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return target
