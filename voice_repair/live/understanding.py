"""Understanding: what a transcript asks for, shared by text mode, ``run`` and ``recognize``.

The matcher on the raw transcript first (safety included), and only when that finds nothing and
the recognizer gave word probabilities (Whisper), the nearest known sentence
(``intents.nearest``). Split from ``listen.py``, which wires the live loop around it.
"""

from __future__ import annotations

import logging

from ..intents.nearest import NearestSentence
from ..models import BARE_INTENTS, Heard, IntentMatch, Utterance
from .wake import STOP_INTENT, WakeGate

log = logging.getLogger(__name__)

MAX_REQUEST_CHARS = 500
"""A typed line longer than this is not a request (the longest sentence we know is ~60): the
templates are not searched through a megabyte pasted by mistake. The danger scan still reads it
(up to ``MAX_SCANNED_CHARS``): a long message that tells of danger is answered."""

MAX_SCANNED_CHARS = 50_000
"""How much of a line too long to be a request the danger scan reads: about 8,000 words, an
hour of speech, where a recognizer hands over at most half a minute at a time. The scan is
linear but not cheap (10-20 s of CPU a megabyte here, with every family of the danger data),
and text mode answers nothing else meanwhile: a two-megabyte line pasted by mistake held the
chat for 20 s. What lies past it is not read, and the note for the line says so."""


class Understanding:
    """The front door's first half, shared by text mode, ``run`` and ``recognize``: a sentence
    matched once (``Heard``); ``Session.hear`` then applies the wake phrase, danger and mode."""

    def __init__(
        self, matcher, wake_phrase: str | None, sentences: list[str] | None = None
    ) -> None:
        """``sentences``: what transcripts may be snapped onto (``listening_phrases``); None
        turns snapping off."""
        self._matcher = matcher
        self._gate = WakeGate(wake_phrase)
        self._nearest = NearestSentence(sentences) if sentences else None

    def hear(self, text: str) -> Heard:
        """``text`` without its wake phrase, matched once (a line too long to be a request:
        the danger scan only)."""
        woken, rest = self._gate.split(text)
        if rest is None:
            return Heard(None, woken)
        if len(rest) > MAX_REQUEST_CHARS:
            log.info("a line of %d characters: too long to be a request", len(rest))
            return Heard(self._matcher.danger(rest[:MAX_SCANNED_CHARS]), woken)
        return Heard(self._matcher.match(rest), woken)

    def is_stop(self, text: str) -> bool:
        """A "stop" (with or without the wake phrase): may cut the assistant short."""
        m = self.hear(text).match
        return m is not None and m.intent == STOP_INTENT

    def request(self, text: str) -> IntentMatch | None:
        """The intent of a sentence, or None (no intent, or no wake phrase before it)."""
        return _admitted(self.hear(text))

    interrupts = is_stop

    def heard(self, utterance: Utterance) -> Heard:
        """An accepted utterance matched once; rejected speech is ``Heard(None)``.

        The raw transcript is matched first, so snapping never overrides what the matcher (and
        its safety scan) made of the words actually heard; only when that finds nothing and the
        recognizer gave word probabilities is the nearest known sentence matched.
        """
        if not utterance.accepted or not utterance.text:
            return Heard(None)
        heard = self.hear(utterance.text)
        if heard.match is not None or self._nearest is None or not utterance.words:
            return heard
        snap = self._nearest.snap(utterance.words)
        return heard if snap is None else self.hear(snap.sentence)

    def __call__(self, utterance: Utterance) -> IntentMatch | None:
        """The request an utterance makes, the wake phrase applied (``recognize``, the bench)."""
        return _admitted(self.heard(utterance))


def _admitted(heard: Heard) -> IntentMatch | None:
    match = heard.match
    if match is None or (not heard.woken and match.intent not in BARE_INTENTS):
        return None
    return match
