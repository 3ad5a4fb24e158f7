"""A danger pattern's hit in a doubting sentence stands only when the learned net agrees.

Every false alarm the patterns raised on writers they were not written from came in a handful
of kinds: long ago and over, a joke, the news, a film, a dream or a game, a sport or work, a
threat over something trivial ("she's going to kill you when she sees the car"), "i'm not going
to hurt myself". Writing a rule per sentence removed those of the writers read and few of the
next writer's (README: "the kinds recur, the forms do not"), and a learned veto over every
pattern alarm lost real danger (the net reads some disclosures near zero). This module joins
the two weak signals: only where a word of those kinds is present (``danger.yaml``'s
``doubt:``, broad) is the learned net asked, and the hit stands when it reads the whole sentence
as danger at ``AGREE`` or more. Real danger said with those words ("he punched me during the
football game", "he's threatening to kill himself if i leave") reads high; the false alarms of
the new writers mostly read low (README, fourteenth session, for the measure).

Missing someone in danger is the worst failure, so every doubt falls to the alarm's side: no
doubt word, no learned net, a sentence too long for the embedding: the hit stands.
"""

from __future__ import annotations

from collections.abc import Callable

from .danger import DangerScan

__all__ = ["AGREE", "stands"]

AGREE = 0.8
"""Least summed danger probability of the learned net (the whole sentence) for a pattern's hit
in a doubting sentence to stand; chosen leave-one-writer-out (README, fourteenth session)."""


def stands(scan: DangerScan, said: str, danger_of: Callable[[str], float | None]) -> bool:
    """Whether a pattern's hit in the normalised ``said`` raises the alarm: no ``doubt`` word,
    or the learned net's reading (``danger_of``; None when it cannot read) is not below
    ``AGREE``."""
    if not scan.doubted(said):
        return True
    danger = danger_of(said)
    return danger is None or danger >= AGREE
