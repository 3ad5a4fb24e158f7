"""The semantic net: what a sentence no template knows most likely asks, by its nearest examples.

Runs after the danger patterns and the templates found nothing (``IntentMatcher.explain`` keeps
the order: danger patterns, templates, semantic danger, semantic intents, nothing). The sentence
becomes a vector (``embedder.py``) and is compared with every sentence of the data's tests
(``examples.py``), each a labelled example; the everyday and idiom sentences (``tests/_*.yaml``)
are negatives. Nearest neighbour, two questions in order:

1. **Danger**: the nearest ``safety`` example is at least ``DANGER.score`` similar (cosine),
   at least ``DANGER.margin`` nearer than the nearest negative, and no request example is more
   than ``-DANGER.lead`` (0.20) nearer than it: a sentence that is all but one of the requests
   ("help me tell him his anger makes sense to me") is that request, however near a danger
   example is. The route is that example's.
2. **A request**: the nearest example of any other intent is at least ``INTENT.score`` similar,
   ``INTENT.margin`` nearer than the nearest negative, ``INTENT.lead`` nearer than the nearest
   example of any other intent, and nearer than every ``safety`` example (a sentence that is
   closer to danger than to any request is never made a request).

A sentence that asks (``asking.asks``: "what gesture would help us reconnect") may be decided
by the looser ``ASKED`` thresholds: everyday talk as near as that is a statement ("my sister is
a therapist"), not a question or an imperative. When the whole sentence is not near enough, its
clauses (``tolerant.clauses``) are tried, each
with the same two questions: a clause may decide a request when it is the intent the whole
sentence is nearest to anyway, and no other clause decides another. Spoken requests come wrapped
in talk ("i think we need a professional, honestly this is beyond you"), and the agreement keeps
a clause from meaning what the whole sentence does not. A clause alone never raises the alarm
(too many everyday clauses sit near a danger example), but a request is never the answer to a
sentence one of whose clauses tells of danger: "can we take turns, honestly i see no reason to
keep living" is danger, not a round (issue 19, session 6: no danger sentence may get a request's
reply). So whenever a request was decided, whole or by its clauses, the clauses are read too; a
clause that itself asks ("so what do i do") tells nothing and is left out.

The thresholds were chosen by five-fold cross-validation on the data's own sentences alone
(``python -m bench semantic`` reprints the table): danger, the most recall whose held-out idioms
raise at most 5% false alarms; requests, the most held-out requests understood with no held-out
idiom matched and at most 10% of the held-out near-miss everyday sentences (``_none.yaml``, most
of which are one word from a request) matched; then the lead that maximises understood minus
twice misunderstood (a wrong answer costs more than a silence). A development set written by
someone who never read the data checks them; its numbers are in the README.

The net decides the intent only: slots are read from the words (``slots.py``) by the matcher.
If the model cannot be loaded, the net says so once (a warning) and answers nothing from then on:
the assistant goes on with the templates alone.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ModelError
from ..models import IntentMatch
from .anchors import told
from .asking import asks
from .embedder import Embedder
from .nearness import (
    ASKED,
    DANGER,
    INTENT,
    SAFETY,
    Groups,
    Guess,
    Thresholds,
    agreed,
    decide,
    groups_of,
)
from .tolerant import clauses, mend, tidy

if TYPE_CHECKING:  # examples.py loads numpy, which comes with the model, not with every start
    import numpy as np

    from .examples import Examples

__all__ = [
    "ASKED",
    "DANGER",
    "INTENT",
    "SAFETY",
    "Decision",
    "Guess",
    "SemanticNet",
    "Thresholds",
    "refresh",
    "talk_is_nearer",
]

_LOG = logging.getLogger(__name__)

EXIT_WAIT = 10.0
"""Seconds an exiting process waits for the model still being loaded in the background."""
MAX_WORDS = 30
"""Longer sentences are left to the templates and the danger patterns: the data's sentences have
at most 15 words, so a long ramble has no near example, and embedding it costs the most."""


@dataclass(frozen=True)
class Decision:
    """A sentence understood (or not), with which net decided: what ``parse --json`` shows."""

    match: IntentMatch | None
    net: str | None = None
    """``danger`` (the patterns), ``templates``, ``clauses`` (a template matched one clause of
    the sentence: ``clauses.py``), ``semantic-danger``, ``semantic``, ``learned``
    (``learned.py``), ``learned-part`` (one part of the sentence: ``learnedparts.py``); None."""
    score: float | None = None
    """The semantic nets' similarity to the nearest example (None for the other nets)."""
    margin: float | None = None
    """Its lead over the nearest must-match-nothing example."""


def talk_is_nearer(near: tuple[float, float] | None) -> bool:
    """Whether the nearest everyday or idiom example is at least as near as the nearest example
    of the intent, from a ``SemanticNet.talk_and_intent`` pair (None: no negatives, no veto)."""
    return near is not None and near[0] >= near[1]


class SemanticNet:
    """Nearest examples of one language's data. Loads the model and vectors on first use."""

    def __init__(
        self,
        root: Path,
        normalize: Callable[[str], str],
        embedder: Embedder | None = None,
        danger: Thresholds = DANGER,
        intent: Thresholds = INTENT,
    ) -> None:
        self._root = root
        self._normalize = normalize
        self._embedder = embedder if embedder is not None else Embedder()
        self._danger, self._intent = danger, intent
        self._examples: Examples | None = None
        self._groups: Groups | None = None
        self._vocabulary: frozenset[str] = frozenset()
        self._problem: str | None = None
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._last: tuple[str, np.ndarray] | None = None

    @property
    def problem(self) -> str | None:
        """Why the net is off (the model is missing or corrupt), once that is known; else None."""
        return self._problem

    def examples(self) -> Examples | None:
        """The examples with their vectors (loading them if need be); None without the model."""
        return self._loaded()

    @property
    def loaded(self) -> bool:
        """Whether loading has been tried (and done, or failed with ``problem``): a sentence
        reaching the net now waits for no model."""
        return self._examples is not None or self._problem is not None

    def warm(self) -> threading.Thread:
        """Load the model and vectors on a background thread (start-up of ``run`` and ``chat``),
        so the first sentence that reaches the net is not the one that waits for the loading
        (0.5-3 s here). A sentence arriving meanwhile waits for it, on the lock, and is answered.

        The process waits for that thread when it exits (``atexit``), at most ``EXIT_WAIT``
        seconds: onnxruntime aborts the whole process ("terminate called without an active
        exception", exit status 134) when the interpreter ends while another thread is creating
        its session, which a ``chat`` whose input ended at once did 4 times in 6 here.
        """
        thread = threading.Thread(target=self._loaded, args=(self._cancel,), daemon=True)
        thread.name = "semantic-warm"
        atexit.register(self._stop_warming, thread)
        thread.start()
        return thread

    def _stop_warming(self, thread: threading.Thread) -> None:
        self._cancel.set()  # what has not begun yet is skipped
        thread.join(EXIT_WAIT)

    def ready(self) -> bool:
        """Load the model and the vectors now; False (with one warning logged) if it cannot."""
        return self._loaded() is not None

    def _loaded(self, cancel: threading.Event | None = None) -> Examples | None:
        """The examples, loading them first if need be; ``cancel`` set: stop between the
        steps (the model, then the vectors) and leave the loading to the next caller."""
        with self._lock:
            if self._examples is None and self._problem is None:
                from .examples import build

                try:
                    if cancel is not None and cancel.is_set():
                        return None
                    self._embedder.load()
                    if cancel is not None and cancel.is_set():
                        return None
                    self._examples = build(
                        self._root, self._normalize, self._embedder.embed, write=False
                    )
                    self._groups = groups_of(self._examples)
                    self._vocabulary = frozenset(
                        w
                        for e in self._examples.items
                        if e.intent not in ("", SAFETY)
                        for w in e.text.split()
                    )
                except ModelError as exc:
                    self._problem = str(exc)
                    _LOG.warning("%s", exc)
            return self._examples

    def guess(self, said: str) -> Guess | None:
        """The net's reading of a normalised sentence, or None when nothing is near enough (or
        a command to the speaker is said with words about something else: ``anchors.told``)."""
        said = mend(said)
        found = self._guess(said)
        if found is None or told(found.intent, tidy(said), self._vocabulary):
            return found
        return None

    def vector(self, said: str) -> np.ndarray | None:
        """The embedding of a normalised sentence as the net reads it (the last one is kept:
        the learned net reads the vector ``guess`` just computed); None when the net is off or
        the sentence is longer than ``MAX_WORDS``."""
        said = mend(said)
        if not said or len(said.split()) > MAX_WORDS or self._loaded() is None:
            return None
        last = self._last
        if last is not None and last[0] == said:
            return last[1]
        vector = self._embedder.embed([said])[0]
        self._last = (said, vector)
        return vector

    def vectors(self, parts: list[str]) -> np.ndarray | None:
        """The embeddings of several normalised parts of a sentence in one batch (each as
        ``vector`` reads it, none longer than ``MAX_WORDS``); None when the net is off."""
        parts = [mend(p) for p in parts]
        if not parts or any(len(p.split()) > MAX_WORDS for p in parts) or self._loaded() is None:
            return None
        return self._embedder.embed(parts)

    def nearer_to_talk(self, intent: str, vector: np.ndarray) -> bool:
        """Whether an everyday or idiom example (a negative) is at least as near to ``vector``
        as the nearest example of ``intent``: the learned net's request must pass what the
        net's own does ("take a twenty minute walk" is everyday talk in the data)."""
        return talk_is_nearer(self.talk_and_intent(intent, vector))

    def talk_and_intent(self, intent: str, vector: np.ndarray) -> tuple[float, float] | None:
        """The cosine similarity of the nearest everyday or idiom example to ``vector``, and
        of the nearest example of ``intent`` (-1 when it has none); None without negatives."""
        examples, groups = self._loaded(), self._groups
        if examples is None or groups is None or "" not in groups.names:
            return None
        import numpy as np

        sims = np.einsum("ij,j->i", examples.vectors, vector)
        nearest = np.maximum.reduceat(sims[groups.order], groups.starts)
        best = dict(zip(groups.names, nearest, strict=True))
        return float(best[""]), float(best.get(intent, -1.0))

    def said_to_someone(self, intent: str, said: str) -> bool:
        """A command to the speaker said with words about something else (``anchors.told``)."""
        return not told(intent, tidy(mend(said)), self._vocabulary)

    def _guess(self, said: str) -> Guess | None:
        vector = self.vector(said)  # None before any loading for a sentence too long
        examples = self._loaded() if vector is not None else None
        if examples is None or vector is None:
            return None
        import numpy as np

        # einsum, not ``@``: numpy hands a matrix-vector product of this size to OpenBLAS's
        # threads, which spin for a core on a busy machine (timerwords measured 25 ms against
        # 0.12 ms, 2026-12-06).
        sims = np.einsum("ij,j->i", examples.vectors, vector)
        whole = decide(examples, sims, self._danger, self._intent, self._groups)
        if whole is None and asks(tidy(said)):
            whole = decide(examples, sims, self._danger, ASKED, self._groups)
        if whole is not None and whole.intent == SAFETY:
            return whole
        parts = clauses(tidy(said))
        if not parts:
            return whole
        guesses = self._decide_each(examples, self._embedder.embed(parts))
        request = whole if whole is not None else agreed(guesses, sims, examples, self._groups)
        danger = [
            g
            for g, part in zip(guesses, parts, strict=True)
            if g is not None and g.intent == SAFETY and not asks(part)
        ]
        if request is not None and danger:  # "can we take turns but i want to die"
            return max(danger, key=lambda g: g.score)
        return request

    def danger_among(self, parts: list[str]) -> Guess | None:
        """The nearest danger among ``parts`` of a sentence (its clauses, normalised), or None: a
        request found in one clause (``clauses.py``) is never the answer when another tells of
        danger. A part that itself asks ("so what do i do") tells nothing and is left out."""
        parts = [p for p in parts if p and len(p.split()) <= MAX_WORDS and not asks(tidy(p))]
        examples = self._loaded() if parts else None
        if examples is None:
            return None
        found = self._decide_each(examples, self._embedder.embed([mend(p) for p in parts]))
        danger = [g for g in found if g is not None and g.intent == SAFETY]
        return max(danger, key=lambda g: g.score) if danger else None

    def _decide_each(self, examples: Examples, vectors: Iterable[np.ndarray]) -> list[Guess | None]:
        """The net's decision for each of ``vectors`` (a sentence's parts), one per part."""
        import numpy as np

        return [
            decide(
                examples,
                np.einsum("ij,j->i", examples.vectors, vector),
                self._danger,
                self._intent,
                self._groups,
            )
            for vector in vectors
        ]


def refresh(root: Path, normalize: Callable[[str], str], embedder: Embedder | None = None) -> str:
    """Re-derive ``root``'s stored vectors if the data or the model changed (``voice-repair
    check``); returns a line saying what was done. Raises ``ModelError`` if the model is unusable.
    """
    from .examples import STORE_FILE, build, is_stale

    if not is_stale(root, normalize):
        return f"The stored sentence embeddings ({root / STORE_FILE}) fit the data."
    embedder = embedder if embedder is not None else Embedder()
    examples = build(root, normalize, embedder.embed, write=True)
    return f"Stored the embeddings of {len(examples.items)} sentences in {root / STORE_FILE}."
