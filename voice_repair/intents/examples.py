"""The sentences the semantic net compares with, and their stored embeddings.

Every sentence of ``intents/<lang>/tests/`` is an example: a family file's sentences carry their
intent (and ``safety``'s its route); the ``_*.yaml`` sentences (everyday talk, idioms) carry no
intent and are the negatives a request must be nearer to than to any of them.

The test sentences all match a template, so they are close to one another and far from the way
a stranger asks. ``intents/<lang>/examples/`` adds sentences for the net alone: a family file maps
intents to paraphrases no template needs to know (``{examples: {repair.act: [...]}}``), and a
``_*.yaml`` file lists more everyday talk (``{sentences: [...]}``) as negatives. They are
written in their own words, never copied from an evaluation set.

Embedding some 1,500 sentences takes ~10 s on one core, too slow for every start, so their
vectors are stored in ``intents/<lang>/semantic.npz`` (float16, ~1 MB) with a fingerprint of the
examples (as normalised) and of the model files. ``voice-repair check`` re-derives the file when
the fingerprint no longer fits; at start-up stale vectors are still used for the sentences they
cover and only new sentences are embedded, with one warning (``tests/intents`` fails on a stale
file, so a data change cannot be committed without it).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..datafiles import load_yaml
from .embedder import MODEL_FILES

__all__ = [
    "EXAMPLES",
    "STORE_FILE",
    "Example",
    "Examples",
    "fingerprint",
    "load_examples",
    "read_store",
]

_LOG = logging.getLogger(__name__)

STORE_FILE = "semantic.npz"
"""The stored vectors, next to ``intents.yaml``."""
EXAMPLES = "examples"
"""The folder of sentences for the net alone, next to ``tests/``."""


@dataclass(frozen=True)
class Example:
    """One sentence of the data as the net sees it."""

    text: str
    """The sentence, normalised as the matcher normalises what it hears."""
    intent: str
    """Its intent; empty for a sentence that must match nothing."""
    route: str = ""
    """For ``safety``: which help the reply leads with (``self_harm``, ``violence``, ...)."""


@dataclass(frozen=True)
class Examples:
    """The examples with one unit vector each (row ``i`` is ``items[i]``)."""

    items: tuple[Example, ...]
    vectors: np.ndarray
    """float32, one row per example, length 1."""


def load_examples(root: Path, normalize: Callable[[str], str]) -> list[Example]:
    """Every test sentence under ``root/tests``, then every sentence under ``root/examples``,
    deduplicated, in file order.

    Malformed files are skipped: ``voice-repair check`` reports them with ``file:line``.
    """
    seen: set[tuple[str, str, str]] = set()
    found: list[Example] = []
    paths = sorted((root / "tests").glob("*.yaml")) + sorted((root / EXAMPLES).glob("*.yaml"))
    for path in paths:
        doc, problems = load_yaml(path)
        if problems or not isinstance(doc, dict):
            continue
        groups: list[tuple[object, str, str]] = []
        if path.stem.startswith("_"):
            groups.append((doc.get("sentences"), "", ""))
        for test in doc.get("tests") or []:
            intent = test.get("intent") if isinstance(test, dict) else None
            if isinstance(intent, dict) and isinstance(intent.get("name"), str):
                route = str((intent.get("slots") or {}).get("route", ""))
                groups.append((test.get("sentences"), intent["name"], route))
        named = doc.get("examples")
        for intent, sentences in named.items() if isinstance(named, dict) else []:
            if isinstance(intent, str) and intent != "safety":  # danger has its own data
                groups.append((sentences, intent, ""))
        for sentences, intent, route in groups:
            for text in sentences if isinstance(sentences, list) else []:
                said = normalize(text) if isinstance(text, str) else ""
                key = (said, intent, route)
                if said and key not in seen:
                    seen.add(key)
                    found.append(Example(said, intent, route))
    return found


def fingerprint(examples: list[Example]) -> str:
    """SHA-256 of the model files' checksums and every example (text, intent, route)."""
    h = hashlib.sha256(json.dumps(MODEL_FILES, sort_keys=True).encode())
    for e in examples:
        h.update(json.dumps([e.text, e.intent, e.route]).encode())
    return h.hexdigest()


def read_store(root: Path) -> tuple[str, dict[str, np.ndarray]]:
    """(fingerprint, sentence -> vector) of the stored file; ("", {}) if absent or unreadable."""
    path = root / STORE_FILE
    if not path.is_file():
        return "", {}
    try:
        with np.load(path, allow_pickle=False) as z:
            texts = [str(t) for t in z["texts"]]
            vectors = z["vectors"].astype(np.float32)
            stamp = str(z["fingerprint"])
    except (OSError, ValueError, KeyError) as exc:
        _LOG.warning("%s is unreadable (%s); run `voice-repair check` to rebuild it", path, exc)
        return "", {}
    return stamp, dict(zip(texts, vectors, strict=False))


def is_stale(root: Path, normalize: Callable[[str], str]) -> bool:
    """The stored vectors do not fit the data and the model (``check`` re-derives them)."""
    return read_store(root)[0] != fingerprint(load_examples(root, normalize))


def build(
    root: Path,
    normalize: Callable[[str], str],
    embed: Callable[[list[str]], np.ndarray],
    write: bool,
) -> Examples:
    """The examples with their vectors: stored ones reused, missing ones embedded.

    ``write``: store the result when the stored file was stale (``voice-repair check``).
    At start-up (``write=False``) a stale store only costs the embedding of what is new.
    """
    examples = load_examples(root, normalize)
    stamp, stored = read_store(root)
    current = fingerprint(examples)
    missing = sorted({e.text for e in examples if e.text not in stored})
    if missing:
        if not write:
            _LOG.warning(
                "the stored sentence embeddings (%s) miss %d sentence(s) of the data: embedding "
                "them now; run `voice-repair check` to store them",
                root / STORE_FILE,
                len(missing),
            )
        stored.update(zip(missing, embed(missing), strict=True))
    vectors = np.stack([stored[e.text] for e in examples]).astype(np.float32)
    if write and stamp != current:
        texts = sorted({e.text for e in examples})
        np.savez_compressed(
            root / STORE_FILE,
            fingerprint=np.array(current),
            texts=np.array(texts),
            vectors=np.stack([stored[t] for t in texts]).astype(np.float16),
        )
        _LOG.info("stored %d sentence embeddings in %s", len(texts), root / STORE_FILE)
    return Examples(tuple(examples), vectors)
