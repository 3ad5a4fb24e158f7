"""Whether a sentence asks for something: the frame of a request, whatever it asks for.

The semantic net decides a request only when the sentence is very near one of its examples
(``semantic.INTENT``). People asking in their own words are often less near than that ("what
gesture would help us reconnect", "teach us reflective listening") while still far nearer to one
request than to any other and to every everyday sentence. Everyday talk that comes as near is
almost always a statement about something else: "my sister is training to be a therapist", "i
did a breathing class at work", "he apologised to me yesterday". What tells them apart is not
the topic but the frame: a request asks.

A sentence asks when, with its fillers dropped (``tolerant.tidy``), it opens with a question word
or an imperative ("what", "how", "can we", "suggest", "help", "read us", "let's"), or holds a
polite ask anywhere ("please", "can you", "help me", "any ideas"). Such a sentence may be decided
by the looser ``semantic.ASKED`` thresholds (a clear lead over the next request and over the
nearest everyday sentence); any other sentence needs the strict ones. The words are a closed list
on purpose, like ``tolerant.HARMLESS``.
"""

from __future__ import annotations

import re

__all__ = ["asks"]

_OPENER_WORDS = """
    what what's whats how can could would will is are any which where when should shall
    help suggest give tell read teach show start put set remind run do play walk guide take
    pass hand switch find let's let get make stop end cancel reflect try talk explain
    recommend coach list name offer lead share check"""
_OPENERS = frozenset(_OPENER_WORDS.split())
"""First words of a question or an imperative."""
_POLITE = re.compile(
    r"\b(?:please|can you|could you|would you|will you|help me|help us|any ideas|"
    r"any suggestions|any tips|i need you to|i want you to|i'd like you to)\b"
)
"""An ask anywhere in the sentence."""


def asks(tidied: str) -> bool:
    """Whether a normalised sentence, fillers dropped (``tolerant.tidy``), asks for something."""
    words = tidied.split()
    return bool(words) and (words[0] in _OPENERS or _POLITE.search(tidied) is not None)
