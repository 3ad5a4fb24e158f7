"""The learned net read part by part: a request said inside talk that no template knows.

The learned net (``learned.py``) reads a whole sentence. Spoken requests come wrapped in talk
("honestly i can't keep doing this can we just stop for tonight and sleep on it"), and the
talk pulls the whole sentence's vector towards everyday speech, so the net is unsure and the
speaker says nothing: on writers it never saw, most misses are silence (README, issue 19).
Whisper writes no commas, so the parts cannot come from punctuation; they come from where a new
clause opens, the cues the clause search (``clauses.py``) uses: a subject ("i", "we", "he's"),
a word that opens a reason or a comment ("because", "so", "honestly"), or a break word of
``tolerant.clauses``. Each prefix ending at such a cut and each suffix starting at one is read
(at least ``SHORTEST`` words, never one that hangs on what was cut off, "i feel like ...", at
most ``MOST`` parts, the longest first), as one batch.

Tried only last, when every other net (the learned net's whole reading included) found
nothing, and only when:

- one part reads a request at least as sure as ``ASKED`` (a part that asks, ``asking.asks``) or
  ``STATED`` (one that does not), the surest such part deciding;
- no other part reads a *different* request at ``AGREE`` or more ("start a pause ... and
  remind us at nine" is two requests: silence rather than half of it);
- neither the whole nor any part reads danger at ``learned.NEAR_DANGER`` or more: a request is
  never the answer to danger told beside it;
- the request passes every rule a guess passes: nearer to an example of it than to everyday
  talk (read on the part), not a command said to someone else (on the part), the word rules
  and the timer words (``anchors``, ``timerwords``, on the whole sentence), its slots read from
  the whole sentence.

``parse --json`` names this net ``learned-part``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from .asking import asks
from .learned import NEAR_DANGER, Reading, Weights, readings
from .nearness import Guess
from .semantic import MAX_WORDS, Decision
from .tolerant import mend, tidy

if TYPE_CHECKING:
    import numpy as np

    from .learned import LearnedNet
    from .semantic import SemanticNet


class IntentMatcher(Protocol):
    """What the part reading uses of its matcher (``matcher.IntentMatcher``; named here, not
    imported: the matcher imports this module)."""

    semantic: SemanticNet | None
    learned: LearnedNet | None

    def _decided(self, text: str, said: str, guess: Guess) -> Decision: ...


__all__ = [
    "AGREE",
    "ASKED",
    "STATED",
    "Parts",
    "allowed",
    "cuts",
    "learned_part",
    "parts",
    "pick",
    "read_parts",
]

ASKED = 1.01
"""Least probability of a part's request, for a part that asks. Above 1: off, as it ships. At
0.99 (the pair ``bench lowoparts`` chose on four training writers: +3 requests, no everyday
sentence) the nine-writer ``bench lowo`` gave +2 requests for +2 everyday sentences answered at
home over six folds (README, eleventh session): not shown to help, so off until a writer shows
it does."""
STATED = 1.01
"""The same for a part that does not ask (everyday talk is mostly statements); off likewise."""
AGREE = 0.5
"""Another part reading another request this surely makes the sentence two requests: nothing."""
SHORTEST = 3
MOST = 8


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_OPENS = _words(
    """i i'm i've i'll i'd im we we're we've we'll he he's she she's they they're it's that's
    there's you you're because cause cos coz since so but honestly seriously anyway otherwise
    then actually please let's lets can could"""
)
"""Words that open a new clause when said after other words (``clauses.py``'s subjects and
openers, ``tolerant.clauses``' breaks, and the polite ask that starts a request)."""
_HANGING = _words(
    """when whenever if and or but so because cause like that to than as about of for with
    what where which who the a an my your our his her their i we you he she they it is are was
    were be been am do does did can could would will should have has had"""
)
"""A part that ends on one of these hangs on the words cut off after it ("i feel *like*", "ten
minutes *and*", "i'm ready *when*"): a fragment, never read alone."""
_ASKING = _words("can could would will shall should do did let let's lets please")
"""Words after which a subject goes on the same clause ("can *we* take ten")."""
_BREAK = re.compile(r"\b(?:i mean|and then|so that)\b")


def cuts(words: list[str]) -> list[int]:
    """Indices (never 0) where a new clause may open."""
    text = " ".join(words)
    found = {
        i for i, w in enumerate(words) if i > 0 and w in _OPENS and words[i - 1] not in _ASKING
    }
    for m in _BREAK.finditer(text):  # a two-word break: cut after it too
        at = len(text[: m.end()].split())
        if 0 < at < len(words):
            found.add(at)
    return sorted(found)


def parts(said: str) -> list[str]:
    """The prefixes and suffixes of a normalised sentence at its clause cuts, each at least
    ``SHORTEST`` words and shorter than the whole, longest first, at most ``MOST``."""
    words = tidy(mend(said)).split()
    if len(words) <= SHORTEST or len(words) > MAX_WORDS:
        return []
    spans = {tuple(words[:c]) for c in cuts(words)} | {tuple(words[c:]) for c in cuts(words)}
    whole = [s for s in spans if len(s) >= SHORTEST and s[-1] not in _HANGING]
    kept = sorted(whole, key=lambda s: (-len(s), s))
    return [" ".join(s) for s in kept[:MOST]]


@dataclass(frozen=True)
class Parts:
    """The learned net's reading of a sentence's parts (what ``pick`` chooses among)."""

    pieces: list[str]
    """The parts (``parts``), longest first."""
    readings: list[Reading]
    """One per part."""
    asking: list[bool]
    """Whether each part asks (``asking.asks``)."""
    near_danger: bool
    """The whole or a part reads danger at ``learned.NEAR_DANGER`` or more."""
    vectors: np.ndarray
    """One embedding per part."""


def read_parts(matcher: IntentMatcher, said: str) -> Parts | None:
    """The learned net's reading of each part of ``said``; None without parts, or when the
    learned net or the semantic net is off."""
    semantic = matcher.semantic
    weights: Weights | None = matcher.learned.weights() if matcher.learned else None
    if weights is None or semantic is None:
        return None
    pieces = parts(said)
    whole = semantic.vector(said) if pieces else None
    vectors = semantic.vectors(pieces) if whole is not None else None
    if whole is None or vectors is None:
        return None
    import numpy as np

    read = readings(weights, np.vstack([whole[None, :], vectors]))
    near = any(r.danger >= NEAR_DANGER for r in read)
    return Parts(pieces, read[1:], [asks(piece) for piece in pieces], near, vectors)


def pick(found: Parts, asked: float, stated: float, agree: float = AGREE) -> int | None:
    """The part whose request decides (the surest of those at their threshold), or None: none
    is sure enough, another part reads another request at ``agree``, or danger is near."""
    if found.near_danger:
        return None
    sure = [
        (r.score, i)
        for i, (r, asking) in enumerate(zip(found.readings, found.asking, strict=True))
        if r.intent and r.score >= (asked if asking else stated)
    ]
    if not sure:
        return None
    at = max(sure)[1]
    intent = found.readings[at].intent
    if any(r.intent and r.intent != intent and r.score >= agree for r in found.readings):
        return None
    return at


def allowed(matcher: IntentMatcher, text: str, said: str, found: Parts, at: int) -> Decision:
    """Part ``at``'s request through the rules every guess passes (nearer to an example of it
    than to everyday talk and not said to someone else, read on the part; the word rules, the
    timer words and the slots on the whole sentence); ``Decision(None)`` when it fails."""
    semantic, intent = matcher.semantic, found.readings[at].intent
    if semantic is None or semantic.nearer_to_talk(intent, found.vectors[at]):
        return Decision(None)
    if semantic.said_to_someone(intent, found.pieces[at]):
        return Decision(None)
    guess = Guess(intent, "", "learned-part", found.readings[at].score, 0.0)
    return matcher._decided(text, said, guess)  # the rules every guess passes


def learned_part(matcher: IntentMatcher, text: str, said: str) -> Decision | None:
    """The request one part of ``said`` asks for, by the rule of this module's docstring; None
    when there is none, or the learned net or the semantic net is off."""
    if min(ASKED, STATED) > 1:  # off: no part is embedded at all
        return None
    found = read_parts(matcher, said)
    at = pick(found, ASKED, STATED) if found is not None else None
    if found is None or at is None:
        return None
    got = allowed(matcher, text, said, found, at)
    return got if got.match is not None else None
