"""The danger guard around the guessing nets: danger said beside a request, and the learned alarm.

The danger patterns run first and win alone (``matcher.match_all``). What this module answers
comes later, once a net has *guessed*: the clause search found a request inside talk, the
semantic or the learned net decided one, or the learned net reads danger the patterns missed.
Each of those is a guess made from a sentence's meaning, so each is checked against the danger
that may be said beside it before anyone hears a request (issue 19):

- ``beside``: a part after a cut (``beside.tails``) that the learned net alone reads as danger
  (``beside.SURE``) and the semantic net's danger question confirms is the answer, with its
  route, over a guessed request and over silence alike (``beside.READ_SILENCE``); a semantic
  request the learned net reads as near danger as a whole (``learned.NEAR_DANGER``) is that
  danger (``near_alarm``);
- ``around_clause``: the same for the words around a request clause (``clauses.py``);
- ``learned_alarm``: the learned net's own danger reading, unless an everyday or idiom example is
  as near as the nearest danger example (``semantic.nearer_to_talk``) or a frame cancels it (a
  story, a film, long ago: ``danger.yaml``).

It reads the matcher's nets through ``Nets`` each time, never a copy, because benches and tests
swap ``matcher.learned`` in and out (``bench lowo``) and the guard must see the swap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from ..models import IntentMatch
from .beside import NEAR_REQUEST, READ_SILENCE, SURE, tails
from .danger import DangerScan
from .learned import (
    DANGER_PREFIX,
    NEAR_DANGER,
    NONE,
    LearnedNet,
    Reading,
    Weights,
    danger_side,
    read,
)
from .nearness import SAFETY
from .semantic import Decision, SemanticNet
from .tolerant import mend, tidy

if TYPE_CHECKING:  # numpy is loaded with the model, not by every start
    import numpy as np

__all__ = ["DangerGuard", "Nets"]


class Nets(Protocol):
    """What the guard reads of its matcher: the two guessing nets, either of which may be None."""

    semantic: SemanticNet | None
    learned: LearnedNet | None


class DangerGuard:
    """Danger checks over the nets' guesses, for one matcher (see the module's docstring)."""

    def __init__(self, scan: DangerScan | None, nets: Nets) -> None:
        self._scan = scan
        self._nets = nets

    def cancelled(self, said: str, route: str) -> bool:
        """Whether a frame in ``said`` cancels a guessed danger of ``route`` (``danger.yaml``)."""
        return self._scan is not None and self._scan.cancels(said, route)

    def danger_match(self, text: str, said: str, route: str) -> IntentMatch:
        """``safety`` with ``route``, and the offer of grounding where the words ask for it."""
        slots: dict[str, int | str] = {"route": route}
        if self._scan is not None and self._scan.offers_grounding(said):
            slots["offer"] = "ground"
        return IntentMatch(SAFETY, slots, text)

    def beside(self, text: str, said: str, decided: Decision) -> Decision:
        """A request the semantic or the learned net guessed, unless danger is said beside it
        (``beside.py``): a part both nets read as danger is that danger; a guess the
        learned net reads as near danger as a whole (``learned.NEAR_DANGER``) is that danger
        (``near_alarm``). Over silence, the parts are read when a request was nearly guessed
        (``beside.READ_SILENCE``, ``near_request``)."""
        match = decided.match
        if match is None and READ_SILENCE and self.near_request(said):  # nearly guessed
            found = self.danger_after_cut(text, said, "semantic-danger-beside-silence")
            return found if found is not None else decided
        if match is None or match.intent == SAFETY or decided.net not in ("semantic", "learned"):
            return decided
        found = self.danger_after_cut(text, said, "semantic-danger-beside")
        if found is not None:
            return found
        if decided.net == "semantic":
            near = self.near_alarm(text, said, "semantic-near-danger")
            if near is not None:
                return near
        return decided

    def danger_after_cut(self, text: str, said: str, net: str) -> Decision | None:
        """The danger of a part after a cut (``beside.tails``) that the learned net reads as
        danger (``beside.SURE``) and the semantic net's danger question confirms, answered as
        ``net``; None when there is none or a frame of the whole cancels its route.

        Read over silence as well as over a guessed request (``READ_SILENCE``): whether a
        request was guessed depends on the learned net's thresholds, and the nine-writer
        retrain (thresholds 0.83 / 0.80) guessed no reminder in "remind us in an hour to talk
        she has been cutting her arms again", so the danger beside it went unread (README)."""
        semantic = self._nets.semantic
        parts = self.surely_danger(tails(tidy(mend(said))))
        danger = semantic.danger_among(parts) if semantic and parts else None
        if danger is None or self.cancelled(said, danger.route):
            return None
        return Decision(self.danger_match(text, said, danger.route), net, round(danger.score, 3))

    def around_clause(self, text: str, said: str, rest: list[str]) -> Decision | None:
        """What answers instead of a request clause (``clauses.py``) whose ``rest`` is the talk
        around it: danger read there, or silence when the whole is near danger; None when the
        request may stand."""
        semantic = self._nets.semantic
        rest = rest + self.surely_danger([t for part in rest for t in tails(part)])
        danger = semantic.danger_among(rest) if semantic is not None else None
        if danger is not None and not self.cancelled(said, danger.route):
            match = IntentMatch(SAFETY, {"route": danger.route}, text)
            return Decision(match, danger.net, round(danger.score, 3), round(danger.margin, 3))
        return self.near_alarm(text, said, "clauses-near-danger")

    def learned_alarm(
        self, text: str, said: str, vector: np.ndarray, route: str, score: float
    ) -> Decision | None:
        """The learned net's danger of ``route`` read at ``score`` over ``vector`` (the
        sentence's embedding), or None when it is vetoed: an everyday or idiom example is as
        near as the nearest danger example (the data's own "I'm afraid he's going to leave me"
        read 0.997 with seven writers' weights), or a frame cancels it."""
        semantic = self._nets.semantic
        if semantic is not None and semantic.nearer_to_talk(SAFETY, vector):
            return None
        if self.cancelled(said, route):
            return None
        return Decision(self.danger_match(text, said, route), "learned-danger", round(score, 3))

    def near_alarm(self, text: str, said: str, net: str) -> Decision | None:
        """What answers a guessed request whose whole sentence the learned net reads as near
        danger (``learned.NEAR_DANGER``): that danger, with the net's route, or silence when a
        frame cancels the route (a story, long ago); None when the whole is not near danger.

        Until the twelfth session this was always silence. But a sentence that holds a request
        and reads near danger is nearly always danger said beside the request ("set a reminder
        for nine, i won't be alive at nine"): over the nine training writers and the held-out
        ``dev15`` (the shipped eight-writer net), no hard negative, request or everyday sentence
        came here, while 9 danger sentences did (8 of them now caught; one inside a frame stays
        silent; README, ``danger12``). Missing someone in danger is the worst failure, so the
        danger reading wins where it is this close. One harmless sentence written to probe it
        does raise the alarm ("could we have a bit longer, i'm lying in the tub with a book":
        the net reads 0.93 of danger in it).
        """
        reading = self._reading(said)
        if reading is None or reading.danger < NEAR_DANGER:
            return None
        if self.cancelled(said, reading.route):
            return Decision(None, net)
        found = self.danger_match(text, said, reading.route)
        return Decision(found, net, round(reading.danger, 3))

    def whole_danger(self, said: str) -> float | None:
        """The learned net's summed danger probability of the whole normalised sentence; None
        without both nets or for a sentence too long (``dangerdoubt.stands`` asks this)."""
        reading = self._reading(said)
        return None if reading is None else reading.danger

    def _reading(self, said: str) -> Reading | None:
        """The learned net's reading of the whole normalised sentence; None without both nets
        or for a sentence too long for the embedding."""
        embedded = self._embedded(said)
        return read(*embedded) if embedded is not None else None

    def _embedded(self, said: str) -> tuple[Weights, np.ndarray] | None:
        """The learned net's weights and the whole normalised sentence's embedding; None
        without both nets or for a sentence too long for the embedding."""
        weights = self._weights()
        semantic = self._nets.semantic
        vector = semantic.vector(said) if weights is not None and semantic is not None else None
        return (weights, vector) if weights is not None and vector is not None else None

    def surely_danger(self, parts: list[str]) -> list[str]:
        """The ``parts`` the learned net alone reads as danger (``beside.SURE``); the semantic
        net's danger question then decides among them (``beside``)."""
        weights = self._weights()
        semantic = self._nets.semantic
        if weights is None or semantic is None:
            return []
        vectors = [(part, semantic.vector(part)) for part in parts]
        return [p for p, v in vectors if v is not None and read(weights, v).danger >= SURE]

    def near_request(self, said: str) -> bool:
        """Whether the learned net's most probable request class in the whole normalised
        sentence is at least ``beside.NEAR_REQUEST`` probable (a request nearly guessed), read
        on the danger side's net (``learned.danger_side``): it decides whether danger is
        looked for, so it moves with the danger readings, not with a retrain of the requests."""
        embedded = self._embedded(said)
        if embedded is None:
            return False
        weights, vector = embedded
        classes, p = danger_side(weights, vector)  # the danger head's, when it reads requests
        requests = [
            float(p[0][i])
            for i, name in enumerate(classes)
            if name != NONE and not name.startswith(DANGER_PREFIX)
        ]
        return max(requests, default=0.0) >= NEAR_REQUEST

    def _weights(self) -> Weights | None:
        """The learned net's weights, or None without both nets (it reads the semantic one's
        embedding)."""
        learned, semantic = self._nets.learned, self._nets.semantic
        return learned.weights() if learned and semantic else None
