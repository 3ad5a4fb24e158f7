"""The small markup for timed silences inside spoken text: ``breathe in [4s] and out [6s]``.

Kept in one place so text mode, the speech engine and the content checks read it the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Speech", "Silence", "Segment", "SILENCE_RE", "parse", "plain", "spoken_words"]

SILENCE_RE = re.compile(r"\[\s*(\d+(?:\.\d+)?)\s*s\s*\]")
"""A silence marker: ``[4s]``, ``[4 s]`` or ``[1.5s]``; the number is seconds."""


@dataclass(frozen=True)
class Speech:
    """Words to speak."""

    text: str


@dataclass(frozen=True)
class Silence:
    """A timed silence."""

    seconds: float


Segment = Speech | Silence


def parse(text: str) -> list[Segment]:
    """Split ``text`` into speech and silence segments, dropping empty speech."""
    segments: list[Segment] = []
    pos = 0
    for m in SILENCE_RE.finditer(text):
        words = text[pos : m.start()].strip()
        if words:
            segments.append(Speech(words))
        segments.append(Silence(float(m.group(1))))
        pos = m.end()
    tail = text[pos:].strip()
    if tail:
        segments.append(Speech(tail))
    return segments


def plain(text: str) -> str:
    """The words only, silences removed (for word counts and self-trigger checks)."""
    return " ".join(s.text for s in parse(text) if isinstance(s, Speech))


def spoken_words(text: str) -> list[str]:
    """Lower-case words of the spoken part, punctuation stripped."""
    return re.findall(r"[a-z0-9']+", plain(text).lower())
