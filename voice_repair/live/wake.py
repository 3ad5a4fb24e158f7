"""The optional wake phrase: "hey compass, I need a pause" is acted on, "I need a pause" is not.

Off by default, because the requests are specific enough to be spoken directly. When a wake
phrase is set, a home speaker in a room where people argue must not act on a sentence that only
*sounds* like a request, so every request has to follow the wake phrase, with two exceptions
(``BARE_INTENTS``): "stop" always works, because someone who wants the talking or an alarm to
stop should never have to remember a name first; and ``safety`` always works, because someone
telling of danger must never be ignored for a missing name.

The same rule serves the speech grammar (``grammar``: what the recognizer may hear) and every
sentence heard or typed (``WakeGate.admit``: what is acted on), so voice and text mode agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..models import BARE_INTENTS

__all__ = ["STOP_INTENT", "SAFETY_INTENT", "BARE_INTENTS", "WakeGate", "grammar"]

STOP_INTENT = "control.stop"
"""Stops the speaker; works without the wake phrase."""
SAFETY_INTENT = "safety"
"""Someone tells of danger; works without the wake phrase."""


def _words(text: str) -> list[str]:
    """Lower-case words without punctuation, so "Hey, Compass!" is "hey compass"."""
    cleaned = "".join(c if c.isalnum() or c in "' " else " " for c in text.lower())
    return cleaned.replace("’", "'").split()


def grammar(phrases: Iterable[tuple[str, str]], wake_phrase: str | None) -> list[str]:
    """The sentences the recognizer listens for, from the matcher's (intent, sentence) pairs.

    Without a wake phrase: the sentences themselves. With one: "<wake> <sentence>" for every
    sentence, plus the bare "stop" and safety sentences (the exceptions above). The other bare
    requests are left out on purpose: a grammar that contains them would turn "i need a pause"
    into that request and the gate would then have to drop it, whereas without them the
    recognizer's out-of-grammar rejection says "nothing I know" at once.
    """
    pairs = list(phrases)
    if not wake_phrase:
        return [text for _, text in pairs]
    wake = " ".join(_words(wake_phrase))
    woken = [f"{wake} {text}" for _, text in pairs]
    bare = [text for intent, text in pairs if intent in BARE_INTENTS]
    return woken + bare


@dataclass(frozen=True)
class WakeGate:
    """Decides which heard or typed sentences are requests, given the wake phrase (or None)."""

    wake_phrase: str | None
    """Lower-case words, e.g. ``hey compass``; None or empty: every sentence is a request."""

    def split(self, text: str) -> tuple[bool, str | None]:
        """(woken, the request): whether ``text`` starts with the wake phrase (always True when
        none is set), and the sentence after it (None for the phrase alone), else ``text``.

        No matching here: the front door matches the result once and the session decides
        whether a sentence without the wake phrase counts ("stop" and danger do).
        """
        if not self.wake_phrase:
            return True, text
        wake = _words(self.wake_phrase)
        if not wake:
            return True, text
        # The rest is kept as given (not re-spelled), so "at 8:30" still reads as a time.
        lead = r"^[\W_]*" + r"[\W_]+".join(re.escape(w) for w in wake) + r"(?![\w'])[\W_]*"
        found = re.match(lead, text.replace("’", "'"), flags=re.IGNORECASE)
        if found:
            return True, text[found.end() :].strip() or None
        return False, text

    def admit(self, text: str, is_bare: Callable[[str], bool]) -> str | None:
        """The sentence to act on, or None when it must be ignored.

        With a wake phrase, a sentence that starts with it is admitted without the phrase
        ("hey compass i need a pause" -> "i need a pause"); otherwise only a sentence of a
        ``BARE_INTENTS`` intent (``is_bare``: "stop", or anything telling of danger) is admitted.
        The wake phrase alone admits nothing: there is no request yet. Punctuation and case in
        typed text do not matter.
        """
        woken, rest = self.split(text)
        if woken or rest is None:
            return rest
        return rest if is_bare(rest) else None
