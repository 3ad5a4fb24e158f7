"""Danger said beside a request the nets guessed: where to cut the sentence to read its parts.

"remind us in an hour to talk she has been cutting her arms again" is one run of words with no
"but" or "so" in it. Its embedding is the reminder's (the learned net read 0.02 of danger in
it), so neither the semantic net's clause split (``tolerant.clauses``, which cuts at
connectives) nor the whole-sentence guard (``learned.NEAR_DANGER``) sees the danger, and the
learned net set a reminder (issue 19, eighth session). Said alone, its second half is danger to
the semantic net (0.99 to the learned one).

``tails`` gives what follows every place such a sentence could turn from one clause to the
next: before a subject or a clause-opening word (the clause search's own rule,
``clauses._opens_clause``: "she has", "because", "the baby's crying") or before a possessive
that starts a person ("my wife took a whole bottle", "his brother has a knife"). The matcher
reads a part after a request was guessed or found as a clause, and (since the twelfth
session, ``READ_SILENCE``) when nothing was guessed; only a part the learned net alone reads as
danger (``SURE``) goes on, and then the semantic net's danger question decides
(``SemanticNet.danger_among``: its thresholds and margins; a part that itself asks tells
nothing). Until then a part never raised the alarm over talk that asks for nothing, because a
clause sits near a danger example too often (README, sixth round, with one net reading); with
both nets having to agree, the false alarms it adds over silence were measured first (README,
``requests12``).
"""

from __future__ import annotations

from .clauses import _opens_clause

__all__ = ["NEAR_REQUEST", "READ_SILENCE", "SURE", "tails"]

READ_SILENCE = True
"""Whether the parts are read when no net guessed a request (``DangerGuard.beside``). Until
the twelfth session they were read only over a guess, so a retrain that moved the request
thresholds could silence danger the guard had caught: the nine-writer weights (thresholds 0.83
/ 0.80) guessed no reminder in "remind us in an hour to talk she has been cutting her arms
again" and never read its second half. False alarms were measured before it was turned on (README,
twelfth session, ``requests12``)."""
NEAR_REQUEST = 0.05
"""Over silence the parts are read only when the learned net's most probable request class in
the whole sentence is at least this probable: a request was nearly guessed, under the
thresholds that decide one (0.72 / 0.89 shipped, 0.83 / 0.80 in the nine-writer retrain). The
tests' requests beside danger read 0.20-0.98 (eight- and nine-writer weights). Without it, over
ten writers with the nine-writer weights (README, ``requests12``), the reading over silence
raised 3 false alarms (two hard negatives, one everyday sentence; each under 0.001) and caught 5
danger sentences the rest missed (0.0000-0.033: one of ``dev15``, two each of ``dev9`` and
``dev11``), which this gate gives up: the danger beside a *request* is read, independent of
the thresholds a retrain picks, not every part of every sentence."""

SURE = 0.9
"""Summed danger probability of the learned net at which a part is read by the semantic net's
danger question at all. Both must agree: with the six-writer weights it was chosen for, three
requests' parts of the training writers were danger to the semantic net alone ("she's crying
i'm shaking" beside a request for a break, then 0.88 to the learned net; "he's gone for a walk
round", 0.09; "he talks how do i just listen", 0.00) and would have raised the alarm. With the
shipped seven-writer weights (trained on those writers, so these readings are in-sample and
say little) the same parts read 0.00, 0.69 and 0.00; the danger told beside the tests'
requests (``tests/intents/test_beside.py``) reads 0.95-1.00, except "i have been saving up my
tablets for weeks" at 0.87, which is under ``SURE`` (a known miss there). Chosen after seeing
those three, on training data: only a held-out writer says what it is worth."""
SHORTEST = 3
"""A part of fewer words says too little to be read alone (the semantic net's clause rule)."""
_PERSONS = frozenset(["my", "his", "her", "our", "their", "someone", "somebody"])
"""A person said right after a request opens what happens to them: "..., my wife took ..."."""


def tails(said: str) -> list[str]:
    """The part after each place a tidied, normalised sentence may turn to a new clause, of at
    least ``SHORTEST`` words, longest first; empty when there is none.

    Only what comes after: a request comes first and its reason after it ("remind us at nine
    she has been cutting her arms again"), while a complaint said before a request cuts into
    parts that both nets read as danger ("he never lets me finish can we do" of "he never lets
    me finish can we do it in turns", a request of the data, which a first version took for
    danger)."""
    words = said.split()
    parts = [
        " ".join(words[at:])
        for at in range(1, len(words) - SHORTEST + 1)
        if words[at] in _PERSONS or _opens_clause(words[at:])
    ]
    return list(dict.fromkeys(parts))
