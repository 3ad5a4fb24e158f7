"""The data's own word against a sure learned net: a sentence (nearly) identical to one of the
everyday examples is everyday talk, however sure the net is that it is a request.

``matcher.SURE_OVER_TALK`` lets a learned request read at 0.95 or more stand although an
everyday example is as near as its intent's nearest example, because out of fold such requests
were right more often than the everyday neighbour (README, ``requests12``). But "as near" also
covers "identical": the ten-writer net of the thirteenth merge read the data's own everyday
"I need a few minutes to get ready" and "take a twenty minute walk" at 0.956 as ``pause.start``
and started a pause, over examples the sentences *are*. An example is evidence written on
purpose for exactly that wording; a net's probability is a generalisation over other people's
sentences. So near enough to be the same sentence, the example wins and the sureness is void
(the ordinary veto, ``semantic.nearer_to_talk``, then decides).
"""

from __future__ import annotations

__all__ = ["ECHOES_TALK", "echoes_talk"]

ECHOES_TALK = 0.95
"""Least cosine similarity to an everyday or idiom example at which a sentence counts as that
example said again (the same words, another spelling, a filler more or less). Far above any
request the rule lets stand: of the ten writers' 1,967 sentences the ten-writer net read at 0.95
or more, the nearest everyday example of none was nearer than 0.86 (2026-12-07, ``heads14``)."""


def echoes_talk(near: tuple[float, float] | None) -> bool:
    """Whether an everyday or idiom example of the data is (nearly) the sentence itself, so
    that no sureness of the learned net overrides it; ``near`` is the sentence's
    ``SemanticNet.talk_and_intent`` pair (the caller's veto reads the same pair)."""
    return near is not None and near[0] >= ECHOES_TALK
