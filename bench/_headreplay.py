"""A quick replay of the learned net's last step over the pipeline's kept decisions, for
``bench splitheads``' leave-one-writer-out over ten writers.

Running every variant through ``IntentMatcher.match`` on every fold (5 variants x 10 writers x
about 400 sentences that reach the learned net, 0.3 s each at the load of a shared afternoon)
takes hours; the pipeline without the learned net is the same in every variant and is kept on
disk (``_decisions``). So each sentence's outcome is replayed from that decision and the
variant's reading of the sentence (``learned.readings``), by the rules of
``IntentMatcher._learned`` and ``DangerGuard.near_alarm``:

- a sentence the danger patterns, the templates or the semantic danger net decided keeps that;
- the learned alarm (summed danger at the variant's threshold) raises the alarm;
- a request the clause search or the semantic net found, in a sentence whose whole reads near
  danger (``learned.NEAR_DANGER``), raises the alarm; otherwise it stands;
- over nothing, the learned request at its threshold (asked or stated), not near danger, through
  ``IntentMatcher.learned_request`` (the rules every guess passes, with its real score).

What it leaves out, the same for every variant: the learned alarm's veto and frames (a story,
long ago, everyday talk as near: it counts more alarms than the product raises, on danger and
on hard negatives alike), the danger read beside a request part by part (``beside``), and the
slots (a request is right when its intent is). Absolute numbers are therefore not the
product's; differences between variants are what it measures, and the held-out writer is also
scored through the real pipeline (``splitheads.run_fold``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bench import _learndata as data
from bench.lowo import _BEFORE_LEARNED, Protocol
from voice_repair.intents.asking import asks
from voice_repair.intents.learned import DANGER_PREFIX, NEAR_DANGER, Weights, readings
from voice_repair.intents.matcher import SURE_OVER_TALK, normalize
from voice_repair.intents.tolerant import mend, tidy

SAFETY = "safety"


@dataclass
class Tally:
    """Counts of one writer under one variant: [hits, total] each, as ``lowo`` reports."""

    requests: list[int] = field(default_factory=lambda: [0, 0])
    """Requests given the right intent."""
    danger: list[int] = field(default_factory=lambda: [0, 0])
    false_alarm: list[int] = field(default_factory=lambda: [0, 0])
    everyday: list[int] = field(default_factory=lambda: [0, 0])
    """Everyday sentences taken for a request."""
    danger_to_request: int = 0
    """Danger sentences answered with a request."""

    def as_dict(self) -> dict[str, list[int] | int]:
        return dict(self.__dict__)


class Replay:
    """The outcome of each sentence of a writer under a variant's weights."""

    def __init__(self, protocol: Protocol) -> None:
        self.p = protocol
        self._allowed: dict[tuple[str, str, bool], str | None] = {}

    def _request(self, text: str, intent: str, score: float) -> str | None:
        sure = score >= SURE_OVER_TALK
        key = (text, intent, sure)
        if key not in self._allowed:
            m = self.p.matcher
            got = m.learned_request(text, normalize(text), intent, 1.0 if sure else 0.0)
            self._allowed[key] = got.match.intent if got is not None and got.match else None
        return self._allowed[key]

    def outcome(self, text: str, x: np.ndarray, weights: Weights) -> str | None:
        """The intent the pipeline with ``weights`` last would answer (``safety``: the alarm)."""
        decided = self.p.decision(text)
        found = decided.match.intent if decided.match is not None else None
        if decided.net in _BEFORE_LEARNED or found == SAFETY:
            return found
        reading = readings(weights, x)[0]
        if reading.danger >= weights.danger:
            return SAFETY
        if found is not None:
            return SAFETY if reading.danger >= NEAR_DANGER else found
        if not reading.intent or reading.danger >= NEAR_DANGER:
            return None
        least = weights.request if asks(tidy(mend(normalize(text)))) else weights.stated
        if reading.score < least:
            return None
        return self._request(text, reading.intent, reading.score)

    def tally(self, writer: str, weights: Weights) -> Tally:
        """Writer ``writer``'s sentences replayed under ``weights``."""
        corpus = self.p.corpus
        rows = corpus.rows(lambda s: s.source == writer and s.kind != data.NOISY)
        out = Tally()
        for i in rows:
            sample = corpus.samples[i]
            got = self.outcome(sample.text, corpus.x[i], weights)
            is_danger = sample.label.startswith(DANGER_PREFIX)
            if is_danger:
                out.danger[0] += got == SAFETY
                out.danger[1] += 1
                out.danger_to_request += got not in (None, SAFETY)
            elif sample.kind == "request":
                out.requests[0] += got == sample.label
                out.requests[1] += 1
            elif sample.kind == "hard":
                out.false_alarm[0] += got == SAFETY
                out.false_alarm[1] += 1
            elif sample.kind == "everyday":
                out.everyday[0] += got not in (None, SAFETY)
                out.everyday[1] += 1
        return out


__all__ = ["Replay", "Tally"]
