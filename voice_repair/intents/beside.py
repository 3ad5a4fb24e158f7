"""Danger said beside a request the nets guessed: where to cut the sentence to read its parts.

"remind us in an hour to talk she has been cutting her arms again" is one run of words with no
"but" or "so" in it. Its embedding is the reminder's (the learned net read 0.02 of danger in
it), so neither the semantic net's clause split (``tolerant.clauses``, which cuts at
connectives) nor the whole-sentence guard (``learned.NEAR_DANGER``) sees the danger, and the
learned net set a reminder (issue 19, eighth session). Said alone, its second half is danger to
the semantic net (0.99 to the learned one).

``halves`` gives the two sides of every place such a sentence could turn from one clause to
the next: before a subject or a clause-opening word (the clause search's own rule,
``clauses._opens_clause``: "she has", "because", "the baby's crying") or before a possessive
that starts a person ("my wife took a whole bottle", "his brother has a knife"). The matcher
reads a part only after a request was guessed or found as a clause, and only when the learned
net alone reads it as danger (``SURE``); then the semantic net's danger question decides
(``SemanticNet.danger_among``: its thresholds and margins; a part that itself asks tells
nothing). A part alone never raises the alarm over talk that asks for nothing: a clause sits
near a danger example too often for that (README, sixth round).
"""

from __future__ import annotations

from .clauses import _opens_clause

__all__ = ["SURE", "halves"]

SURE = 0.9
"""Summed danger probability of the learned net at which a part is read by the semantic net's
danger question at all. Both must agree: on the training writers, three requests' parts were
danger to the semantic net alone ("she's crying i'm shaking" beside a request for a break, 0.88
to the learned net; "he's gone for a walk round", 0.09; "he talks how do i just listen", 0.00)
and would have raised the alarm; the danger told beside the tests' requests reads 0.98-0.99.
Chosen after seeing those three, on training data: a held-out writer says what it is worth."""
SHORTEST = 3
"""A part of fewer words says too little to be read alone (the semantic net's clause rule)."""
_PERSONS = frozenset(["my", "his", "her", "our", "their", "someone", "somebody"])
"""A person said right after a request opens what happens to them: "..., my wife took ..."."""


def halves(said: str) -> list[str]:
    """The parts before and after each place a tidied, normalised sentence may turn to a new
    clause, those of at least ``SHORTEST`` words, without repeats; empty when there is none.
    ("fifteen minutes i have been saving up my tablets": the part after "minutes" alone.)"""
    words = said.split()
    parts: list[str] = []
    for at in range(1, len(words) - SHORTEST + 1):
        after = words[at:]
        if after[0] in _PERSONS or _opens_clause(after):
            parts += [" ".join(p) for p in (words[:at], after) if len(p) >= SHORTEST]
    return list(dict.fromkeys(parts))
