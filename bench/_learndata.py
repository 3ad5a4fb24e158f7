"""The sentences a learned classifier trains on, each with its label and its embedding.

Two sources: the product's own sentences (``intents/en/tests`` and ``examples``, the semantic
net's examples, whose vectors ``semantic.npz`` stores) and the development sets written by
people who never read ``intents/en/`` (``bench/data/dev``, ``dev2`` ... ``dev6_even``,
``dev9``, ``dev11``, ``dev12``: one writer each, so leaving one out is leaving one writer out).
A label is an intent of the catalogue, ``safety:<route>`` for danger, or ``none`` for everyday
talk and hard negatives. A request for an intent the product lacks is left out of training (it
has no class to learn). Training also sees noisy copies of the requests and everyday talk
(``_augment.py``, ``NOISE``); they are never scored and never a threshold's evidence.

A sentence is embedded as the semantic net embeds it at run time (``normalize``, then
``mend``), so training sees the vectors the product computes. Embedding some 4,300 set
sentences takes minutes on a busy core, so the vectors are cached in ``bench/.cache/``
(git-ignored), keyed by the model's checksums: deleting it only costs the time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench._augment import variants
from voice_repair.datafiles import load_yaml
from voice_repair.intents.embedder import MODEL_FILES, Embedder
from voice_repair.intents.examples import build
from voice_repair.intents.tolerant import mend
from voice_repair.intents.wording import normalize

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "intents" / "en"
WRITERS = (
    "dev",
    "dev2",
    "dev3",
    "dev4",
    "dev5",
    "dev6_even",
    "dev9",
    "dev11",
    "dev12",
    "dev15",
    "dev16",
)
"""The development sets, one writer each (never the frozen set, nor a held-out half). ``dev11``
joined at the tenth session (both ``danger10`` and ``requests10`` added it), after it was scored
whole and used as that session's held-out writer (``bench/data/dev11/README.md``); ``dev12`` at
the eleventh, the same way (``bench/data/dev12/README.md``); ``dev15`` at the twelfth (both
``danger12`` and ``requests12`` added it), after its held-out numbers were recorded
(``bench/data/dev15/README.md``); ``dev16`` at the fifteenth (``retrain15``), released by the
lead after two sessions blind (``bench/data/dev16/README.md``). Appended, so ``_dangerhead.WRITERS``
(the first eight) stays the danger head's writers."""
CACHE = ROOT / "bench" / ".cache" / "set-embeddings.npz"
NONE = "none"
PRODUCT = "product"
NOISE = 0
"""Noisy copies of each request and everyday sentence that training sees (``_augment.py``)."""
NOISY = "noisy"
"""The ``kind`` of a noisy copy: trained on, never scored, never a threshold's evidence."""


@dataclass(frozen=True)
class Sample:
    """One training sentence."""

    text: str
    """As written (the pipeline reads this)."""
    label: str
    """An intent, ``safety:<route>`` or ``none``."""
    source: str
    """``product`` or the writer's set name."""
    kind: str
    """``request``, ``danger``, ``hard`` (hard negative), ``everyday`` or ``example``."""


def said(text: str) -> str:
    """What the semantic net embeds for a sentence."""
    return mend(normalize(text))


def set_samples(writer: str, intents: set[str]) -> list[Sample]:
    """Every sentence of one writer's set, labelled (requests for unknown intents: ``?``)."""
    folder = ROOT / "bench" / "data" / writer
    out: list[Sample] = []
    requests, _ = load_yaml(folder / "requests.yaml")
    for item in requests:
        intent = str(item["intent"])
        if intent == "safety":
            label = f"safety:{(item.get('slots') or {}).get('route', 'general')}"
        else:
            label = intent if intent in intents else "?"
        out.append(Sample(str(item["text"]), label, writer, "request"))
    danger, _ = load_yaml(folder / "danger.yaml")
    out += [Sample(str(i["text"]), f"safety:{i['route']}", writer, "danger") for i in danger]
    for name, kind in (("hard_negatives", "hard"), ("everyday", "everyday")):
        doc, _ = load_yaml(folder / f"{name}.yaml")
        out += [Sample(str(s), NONE, writer, kind) for s in doc["sentences"]]
    return out


def product_samples(embed: Embedder) -> tuple[list[Sample], np.ndarray]:
    """The semantic net's examples with their stored vectors (``semantic.npz``)."""
    examples = build(DATA, normalize, embed.embed, write=False)
    samples = []
    for e in examples.items:
        label = f"safety:{e.route}" if e.intent == "safety" else (e.intent or NONE)
        samples.append(Sample(e.text, label, PRODUCT, "example"))
    return samples, examples.vectors


def catalogue_intents() -> set[str]:
    doc, _ = load_yaml(DATA / "intents.yaml")
    return {name for name in doc["intents"] if name != "safety"}


def vectors(texts: list[str], embed: Embedder) -> np.ndarray:
    """The embedding of each set sentence (as ``said``), from the cache or computed now."""
    stamp = hashlib.sha256(json.dumps(MODEL_FILES, sort_keys=True).encode()).hexdigest()
    cached: dict[str, np.ndarray] = {}
    if CACHE.is_file():
        with np.load(CACHE, allow_pickle=False) as z:
            if str(z["stamp"]) == stamp:
                cached = dict(zip((str(t) for t in z["texts"]), z["vectors"], strict=True))
    keys = [said(t) for t in texts]
    missing = sorted({k for k in keys if k not in cached})
    if missing:
        cached.update(zip(missing, embed.embed(missing), strict=True))
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        names = sorted(cached)
        np.savez_compressed(
            CACHE,
            stamp=np.array(stamp),
            texts=np.array(names),
            vectors=np.stack([cached[n] for n in names]).astype(np.float32),
        )
    return np.stack([cached[k] for k in keys]).astype(np.float32)


@dataclass
class Corpus:
    """Every sample with its vector (row ``i`` of ``x`` is ``samples[i]``)."""

    samples: list[Sample]
    x: np.ndarray

    def rows(self, keep: Callable[[Sample], bool]) -> np.ndarray:
        return np.array([i for i, s in enumerate(self.samples) if keep(s)], dtype=np.intp)


def corpus(writers: tuple[str, ...] = WRITERS, noise: int = NOISE) -> Corpus:
    """The product's examples and every writer's set, embedded, with ``noise`` noisy copies
    of each request and everyday sentence (``noisy_samples``)."""
    embed = Embedder()
    product, product_x = product_samples(embed)
    intents = catalogue_intents()
    sets = [s for w in writers for s in set_samples(w, intents)]
    set_x = vectors([s.text for s in sets], embed)
    extra = noisy_samples(product + sets, noise)
    extra_x = vectors([s.text for s in extra], embed) if extra else np.zeros((0, set_x.shape[1]))
    return Corpus(product + sets + extra, np.concatenate([product_x, set_x, extra_x]))


def noisy_samples(samples: list[Sample], copies: int) -> list[Sample]:
    """Noisy copies (``_augment.variants``) of the requests and everyday talk of ``samples``,
    each with its sentence's label and source (so leaving a writer out leaves its copies out);
    danger sentences and requests of unknown intents are not copied."""
    keep = [s for s in samples if s.label != "?" and not s.label.startswith("safety:")]
    return [
        Sample(text, keep[i].label, keep[i].source, NOISY)
        for i, text in variants([s.text for s in keep], copies)
    ]
