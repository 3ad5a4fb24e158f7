"""The learned net: a small classifier over the sentence embedding, after the other nets.

Patterns and nearest neighbours were written or chosen one writer's misses at a time, and each
new writer brought misses the last did not (README, issue 19). This net learns instead: a
multinomial logistic regression (one weight vector per class over the 384 numbers of the
all-MiniLM-L6-v2 embedding the semantic net already computes) trained on the product's own
sentences and on every development set's, by ``python -m bench learned -- --write``, a
deterministic script over files in the repository. Its classes: each request intent, danger per
route (``safety:<route>``) and ``none`` (everyday talk and hard negatives).

It sits where it can only help (``IntentMatcher.explain``):

- **requests**: only when every other net found nothing, and only when the most likely class
  is a request at least ``request`` probable (``stated`` for a sentence that does not ask,
  which must be surer: most everyday talk is statements); the intent then passes the same
  rules and slot readers as a semantic guess (numbers and times are read from the words,
  never learned), and must be nearer to an example of its intent than to every everyday
  example (``SemanticNet.nearer_to_talk``), as the semantic net's own guesses must;
- **danger**: it may add danger (never remove it) when no other net raised the alarm and no
  template decided a request: when all danger classes together are at least ``danger``
  probable, with the most likely danger class's route. A story or a film (``danger.yaml``'s
  frames) still cancels it, as it cancels a semantic danger guess.

The thresholds are stored with the weights; they were chosen on the training writers alone
(each left out in turn), never on a set that scores them (``bench/lowo.py``). A threshold above
1 is "off". The danger threshold was off until the eighth session: chosen by what it added to
the patterns, which were tuned on those same writers and catch all but one of their danger
sentences, it never gained a catch. It is now chosen on the net alone
(``bench/_dangeralone.py``: at most 1% of the training writers' hard negatives, and of their
other talk, alarmed out of fold; 0.99 on every fold), which a held-out writer (dev9) showed
worth keeping: 5 more danger sentences caught of 200, 1 more false alarm of 200 (README).

**Two heads** (thirteenth session, ``split13``): the file may hold a second weight set, the
danger head (``DangerHead``), trained on its own writers. One softmax over requests and danger
shares its probability mass, so the requests of a new writer moved the danger readings: twice a
net retrained on more writers gained requests and lost a danger alarm on each blind writer
(README). With a danger head, a sentence's danger probability and route come from that head and
its request from the first; without one (the older files), both come from the one softmax.

The weights (``intents/<lang>/learned.npz``) are checked against their SHA-256 (the line in
``learned.sha256`` beside them) before loading. A missing, changed or unreadable file is a
``ModelError`` naming the file and the fix; the matcher then goes on without this net.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ModelError

if TYPE_CHECKING:  # numpy is loaded with the model, not by every start
    import numpy as np

__all__ = [
    "CHECKSUM_FILE",
    "NONE",
    "DangerHead",
    "WEIGHTS_FILE",
    "LearnedNet",
    "Reading",
    "Weights",
    "decide",
    "load_weights",
    "read",
    "readings",
    "save_weights",
]

_LOG = logging.getLogger(__name__)

WEIGHTS_FILE = "learned.npz"
CHECKSUM_FILE = "learned.sha256"
NONE = "none"
DANGER_PREFIX = "safety:"
NEAR_DANGER = 0.5
"""Summed danger probability, of the whole sentence, at which a request found by the clause
search, the semantic net or this net is not answered (silence, not the request): a sentence
the danger patterns and the semantic net missed must never be routed to a script, a round or a
reminder because a part of it asks for one. Chosen between what requests read (on the six training
writers none so found read above 0.11; the clause tests' own talk up to 0.24, 2026-12-07) and
danger told beside a request (0.89 and above in the tests). Parts are not read alone: a bare
complaint ("you're useless") reads as danger when cut from its request (``beside.py`` reads
parts only where both nets agree). The alarm itself has
a separate, higher threshold (``Weights.danger``, chosen on the net alone)."""
_FIX = (
    "restore both from git (git checkout -- intents/en/learned.*) or retrain them with "
    "`python -m bench learned -- --write`"
)


@dataclass(frozen=True)
class DangerHead:
    """A weight set that only reads danger: its ``safety:<route>`` classes' summed probability
    and the likeliest route (its other classes, e.g. ``none``, only take the rest)."""

    classes: tuple[str, ...]
    w: np.ndarray
    """float32, one row per class, 384 columns."""
    b: np.ndarray
    """float32, one bias per class."""


@dataclass(frozen=True)
class Weights:
    """A trained classifier and the thresholds chosen for it."""

    classes: tuple[str, ...]
    """Class names: request intents, ``safety:<route>``, ``none``."""
    w: np.ndarray
    """float32, one row per class, 384 columns."""
    b: np.ndarray
    """float32, one bias per class."""
    request: float
    """Least probability of the top class for a request to be decided, in a sentence that asks
    (``asking.asks``: a question, an imperative, a polite ask)."""
    stated: float
    """The same for a sentence that does not ask: everyday talk is mostly statements ("the ref
    called a time out"), so a statement must be surer to be a request."""
    danger: float
    """Least summed probability of the danger classes for the alarm."""
    fingerprint: str
    """SHA-256 of the training sentences and labels (what ``--write`` saw)."""
    danger_head: DangerHead | None = None
    """Where the danger readings come from, when not from the classes above (module
    docstring); ``danger`` is then that head's threshold."""


@dataclass(frozen=True)
class Reading:
    """What the learned net makes of one sentence."""

    intent: str
    """The most probable class that is a request; empty when ``none`` or danger is on top."""
    score: float
    """Its probability."""
    danger: float
    """All danger classes' probability together."""
    route: str
    """The most probable danger class's route."""


def probabilities(weights: Weights, x: np.ndarray) -> np.ndarray:
    """Softmax class probabilities of the (request) classes, one row per row of ``x``."""
    return _softmax(weights.w, weights.b, x)


def _softmax(w: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    import numpy as np

    logits = np.einsum("nd,kd->nk", np.atleast_2d(x), w) + b
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True)


def readings(weights: Weights, x: np.ndarray) -> list[Reading]:
    """One ``Reading`` per row of ``x``: the request from the classes of ``weights``, danger
    from the danger head when there is one (else from the same classes)."""
    found = [reading_of(weights.classes, row) for row in probabilities(weights, x)]
    head = weights.danger_head
    if head is None:
        return found
    danger = [reading_of(head.classes, row) for row in _softmax(head.w, head.b, x)]
    return [
        Reading(r.intent, r.score, d.danger, d.route) for r, d in zip(found, danger, strict=True)
    ]


def danger_side(weights: Weights, x: np.ndarray) -> tuple[tuple[str, ...], np.ndarray]:
    """The classes and probabilities (one row per row of ``x``) of the net the danger readings
    come from: the danger head when it has request classes too (a ``full`` head, or a kept
    one-head file: ``bench learned -- --keep-danger-head``), else the request net. A decision
    of the danger side that asks how near a request is (``dangerguard.near_request``: whether
    to look for danger beside silence) reads this, so that retraining the requests alone does
    not move it: with the request net's own classes, the eleven-writer retrain stopped reading
    "she drop down, she nah breathing, help" part by part and lost that alarm (README,
    ``learn16``)."""
    head = weights.danger_head
    asks = head is not None and any(
        c != NONE and not c.startswith(DANGER_PREFIX) for c in head.classes
    )
    if head is not None and asks:
        return head.classes, _softmax(head.w, head.b, x)
    return weights.classes, probabilities(weights, x)


def reading_of(classes: tuple[str, ...], p: np.ndarray) -> Reading:
    """One row of probabilities as a ``Reading``."""
    top = int(p.argmax())
    danger = [i for i, c in enumerate(classes) if c.startswith(DANGER_PREFIX)]
    route_at = max(danger, key=lambda i: p[i]) if danger else top
    name = classes[top]
    request = name if name != NONE and not name.startswith(DANGER_PREFIX) else ""
    return Reading(
        request,
        float(p[top]),
        float(sum(p[i] for i in danger)),
        classes[route_at].removeprefix(DANGER_PREFIX),
    )


def read(weights: Weights, vector: np.ndarray) -> Reading:
    """The learned net's reading of one sentence's embedding."""
    return readings(weights, vector)[0]


def decide(
    reading: Reading, weights: Weights, others_found: bool, asking: bool
) -> tuple[str, str] | None:
    """``("danger", route)``, ``("request", intent)`` or None: the rule of this module's
    docstring. ``others_found``: another net decided a request (the learned net may then only
    add danger, and only over a semantic guess: the caller does not ask over a template).
    ``asking``: the sentence asks (``asking.asks``), so ``request`` applies, else ``stated``."""
    if reading.danger >= weights.danger:
        return "danger", reading.route
    least = weights.request if asking else weights.stated
    if not others_found and reading.intent and reading.score >= least:
        return "request", reading.intent
    return None


def checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_weights(root: Path) -> Weights:
    """The weights under ``root`` (e.g. ``intents/en``), checked; ``ModelError`` if unusable."""
    import numpy as np

    path, sums = root / WEIGHTS_FILE, root / CHECKSUM_FILE
    if not path.is_file() or not sums.is_file():
        missing = path if not path.is_file() else sums
        raise ModelError(f"The learned net's file {missing} is missing: {_FIX}.")
    want = sums.read_text(encoding="utf-8").split()[:1]
    if want != [checksum(path)]:
        raise ModelError(
            f"{path} does not match its checksum in {sums} (changed or damaged): {_FIX}."
        )
    try:
        with np.load(path, allow_pickle=False) as z:
            classes = tuple(str(c) for c in z["classes"])
            w, b = z["w"].astype(np.float32), z["b"].astype(np.float32)
            thresholds = z["thresholds"].astype(float)
            if thresholds.shape != (3,):
                raise ValueError(f"{thresholds.shape[0]} thresholds, not 3")
            stamp = str(z["fingerprint"])
            head = _load_head(z)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"{path} cannot be read ({exc}): {_FIX}.") from exc
    heads = [(classes, w, b)] + ([(head.classes, head.w, head.b)] if head else [])
    for names, hw, hb in heads:
        if hw.shape != (len(names), 384) or hb.shape != (len(names),):
            raise ModelError(f"{path} holds weights of the wrong shape {hw.shape}: {_FIX}.")
    if head is not None and not any(c.startswith(DANGER_PREFIX) for c in head.classes):
        raise ModelError(f"{path}'s danger head has no danger class: {_FIX}.")
    request, stated, danger = (float(t) for t in thresholds)
    return Weights(classes, w, b, request, stated, danger, stamp, head)


def _load_head(z: np.lib.npyio.NpzFile) -> DangerHead | None:
    """The danger head stored beside the weights (``danger_*``), or None in a one-head file."""
    import numpy as np

    if "danger_w" not in z.files:
        return None
    classes = tuple(str(c) for c in z["danger_classes"])
    return DangerHead(classes, z["danger_w"].astype(np.float32), z["danger_b"].astype(np.float32))


def save_weights(root: Path, weights: Weights) -> str:
    """Write the weights and their checksum under ``root``; returns the checksum."""
    import numpy as np

    path = root / WEIGHTS_FILE
    head = weights.danger_head
    extra = {}
    if head is not None:
        extra = {
            "danger_classes": np.array(head.classes),
            "danger_w": head.w.astype(np.float32),
            "danger_b": head.b.astype(np.float32),
        }
    with path.open("wb") as out:  # a file object: savez adds no ".npz" and stores no mtime
        np.savez(
            out,
            classes=np.array(weights.classes),
            w=weights.w.astype(np.float32),
            b=weights.b.astype(np.float32),
            thresholds=np.array([weights.request, weights.stated, weights.danger]),
            fingerprint=np.array(weights.fingerprint),
            **extra,
        )
    digest = checksum(path)
    (root / CHECKSUM_FILE).write_text(f"{digest}  {WEIGHTS_FILE}\n", encoding="utf-8")
    return digest


class LearnedNet:
    """The weights of one language's data, loaded on first use; off (``problem`` says why)
    when they cannot be, and the matcher goes on without it."""

    def __init__(self, root: Path, weights: Weights | None = None) -> None:
        self._root = root
        self._weights = weights
        self._problem: str | None = None
        self._lock = threading.Lock()

    @property
    def problem(self) -> str | None:
        """Why the net is off, once loading was tried; else None."""
        return self._problem

    def weights(self) -> Weights | None:
        """The checked weights (loading them if need be); None, logged once, if unusable."""
        with self._lock:
            if self._weights is None and self._problem is None:
                try:
                    self._weights = load_weights(self._root)
                except ModelError as exc:
                    self._problem = str(exc)
                    _LOG.warning("%s The assistant goes on without the learned net.", exc)
            return self._weights


def status(root: Path) -> tuple[bool, str]:
    """(fine, a line saying so) for ``voice-repair check``: weights that are there match their
    checksum. Data without them (a language not trained yet, a test's small copy) is fine: the
    matcher goes on without the learned net."""
    if not (root / WEIGHTS_FILE).exists() and not (root / CHECKSUM_FILE).exists():
        return True, f"No learned net weights in {root}: the matcher goes on without that net."
    try:
        weights = load_weights(root)
    except ModelError as exc:
        return False, str(exc)
    return True, (
        f"The learned net's weights ({root / WEIGHTS_FILE}, {len(weights.classes)} classes) "
        "match their checksum."
    )
