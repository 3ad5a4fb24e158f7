"""Danger said first when a request was guessed in a sentence one part of which reads as danger.

Issue 19's last danger gap: a request guessed from a sentence that also tells of danger ("list
the reminders. i won't need them. i've taken the lot") was answered with the request, because
the whole sentence read under ``learned.NEAR_DANGER`` and no part passed both nets
(``dangerguard.py``). The twelfth session found that such sentences hold a part the learned net
reads as danger (0.95 and more), but so do some plain requests ("i'm all over the place" beside
a request for a break), so making that part the alarm *instead of* the request lost requests one
for one (README, ``danger12``).

The issue allows a third answer, which loses neither: **the emergency line first, then the
request offered** ("if no one is in danger and you still want what you asked for, ask me
again"). That is what this module decides: a ``safety`` match with the part's route and
``offer: request``; the session says the emergency routes, and the couple who only wanted a
break ask again (``skill/safety.py``; after danger nothing is started on its own). A request
sentence that lands here costs one repeated sentence and an emergency line nobody needed; a
danger sentence that lands here is no longer answered with a pause, a script or a reminder.

Only a *guessed* request is read here (the semantic or the learned net, a clause found in talk,
a template found inside a longer sentence): a whole template said as written holds no other
clause. A frame that cancels the part's route (a story, long ago: ``danger.yaml``) keeps the
request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..models import IntentMatch
from .beside import SHORTEST, tails
from .nearness import SAFETY
from .semantic import MAX_WORDS, Decision
from .tolerant import clauses, mend, tidy
from .wording import normalize

if TYPE_CHECKING:
    from .dangerguard import DangerGuard

__all__ = ["PART_DANGER", "GUESSING", "danger_first", "parts_of", "template_first"]

PART_DANGER = 0.97
"""The learned net's summed danger probability, of the whole sentence or one of its parts, at
which a guessed request is answered danger first. Chosen on the three writers the shipped net
never saw (dev12, dev15, dev17; README, ``precision13``): of their 4 danger sentences answered
with a request, the best part read 0.81, 0.91, 0.95 and 0.975; their requests' best parts read
up to 0.964. At 0.9, 3 of the 4 were said danger first for 6 of 750 requests, but so were the
team's own pauses asked for with a reason ("i literally cannot deal with him tonight" 0.90, "she
keeps walking off" 0.95, ``tests/intents/test_clauses.py``), the sentences this product exists
for. At 0.97: 1 of the 4, and no request, hard negative or everyday sentence of the three
writers. A thin margin, set on one sentence: a retrain moves it (``test_danger_first.py``)."""

GUESSING = frozenset({"semantic", "learned", "clauses", "learned-part", "templates-inside"})
"""The deciding nets whose request is a guess from a longer sentence (``Decision.net``)."""


def parts_of(said: str) -> list[str]:
    """The parts of a normalised sentence read here: its clauses (``tolerant.clauses``) and what
    follows each place it may turn to a new clause (``beside.tails``), never the whole."""
    mended = mend(said)
    found = clauses(mended) + tails(tidy(mended))
    return [p for p in dict.fromkeys(found) if len(p.split()) <= MAX_WORDS and p != mended]


def danger_first(guard: DangerGuard, text: str, said: str, decided: Decision) -> Decision:
    """``decided`` unchanged, or, for a guessed request in a sentence whose whole or one part
    the learned net reads as danger at ``PART_DANGER`` or more (and no frame cancels that
    route), ``safety`` with that route and ``offer: request``, decided by ``danger-first``."""
    match = decided.match
    if match is None or match.intent == SAFETY or decided.net not in GUESSING:
        return decided
    whole = guard.whole_reading(said)  # the embedding the nets just computed, kept
    readings = guard.readings(parts_of(said)) + ([whole] if whole is not None else [])
    if not readings:
        return decided
    danger, route = max(readings)
    if danger < PART_DANGER or guard.cancelled(said, route):
        return decided
    slots: dict[str, int | str] = {"route": route, "offer": "request"}
    return Decision(IntentMatch(SAFETY, slots, text), "danger-first", round(danger, 3))


def template_first(
    guard: DangerGuard, text: str, decided: Decision, readings: Callable[[str], list]
) -> Decision:
    """A template's request found inside a longer sentence (``readings``, the templates'
    readings of the sentence as said, found none: the tolerant search found it), danger first
    as ``danger_first`` decides; any other template decision unchanged. The semantic model is
    loaded only for such a sentence, never for a template said as written."""
    match, said = decided.match, normalize(text)
    if match is None or match.intent == SAFETY or len(said.split()) <= SHORTEST or readings(said):
        return decided
    first = danger_first(guard, text, said, Decision(match, "templates-inside"))
    return first if first.match is not None and first.match.intent == SAFETY else decided
