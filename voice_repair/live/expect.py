"""What the conversation expects next, as the sentences Whisper's prompt leads with.

Whisper's initial prompt biases it toward the product's words (the catalogue's example of every
intent: ``asr/prompting.py``, guarded by ``asr/promptguard.py``). What people say next depends
on where the conversation is: during a pause "end the pause", "add ten minutes", "how much time
is left"; while a script is read "next one", "say that again". So the prompt can lead with the
sentences of the requests the current mode expects, then the rest of the catalogue.

Data flows one way: the session publishes its mode (``Session.mode``), this reads it before
every decode and hands the recognizer plain sentences; the recognizer knows neither the session
nor the matcher. Whether this is on in ``run`` is ``FOLLOW_MODE`` (the README's recognition
section has the bench).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from ..intents.grammar import grammar_sentences
from ..models import Mode

__all__ = ["EXPECTED", "FOLLOW_MODE", "ExpectedSentences", "phrasings"]

FOLLOW_MODE = False
"""Whether ``run``'s prompt follows the mode; off: the catalogue's examples in every mode.

Off because it did not earn its place (``python -m bench modeprompt``, five voices, clean, pink
noise and the reverberant room, 2026-12-06): the requests each mode expects came out the same
(262 against 263 of 300), while everyday talk gave 16-20 false activations of 150 under the
modes' prompts against 15 under the catalogue's ("we need more milk" heard as "we need one
more" during a pause). The README's recognition section has the table."""

EXPECTED: dict[Mode, tuple[str, ...]] = {
    Mode.PAUSING: ("pause.end", "pause.extend", "pause.status", "ground", "control.stop"),
    Mode.READING: ("control.next", "control.repeat", "control.stop"),
    Mode.IN_ROUND: ("turns.next", "turns.stop", "pause.status", "pause.extend", "control.stop"),
    Mode.AFTER_ROUND: ("turns.again", "turns.stop", "pause.start", "repair.learn"),
}
"""The requests each mode expects, most expected first (``skill/dispatch.py`` says what each
means there). Idle and after danger expect nothing in particular: the catalogue alone."""

PER_INTENT = 2
"""Phrasings of each expected request besides its catalogue example."""
MAX_WORDS = 5
"""Only short phrasings: requests are short, and the prompt has room for about 220 tokens."""


def phrasings(example: str, sentences: Sequence[str], n: int = PER_INTENT) -> list[str]:
    """``example`` and up to ``n`` of ``sentences`` (one intent's, in the data's order), each
    chosen for the most words the chosen ones lack, so the prompt carries the request's
    vocabulary ("pause", "end", "longer"), not one wording's variants."""
    chosen, have = [example], set(example.lower().split())
    pool = list(dict.fromkeys(s for s in sentences if len(s.split()) <= MAX_WORDS))
    while len(chosen) <= n and pool:
        best = max(pool, key=lambda s: (len(set(s.split()) - have), -pool.index(s)))
        if not set(best.split()) - have:
            break
        chosen.append(best)
        have |= set(best.split())
        pool.remove(best)
    return chosen


class ExpectedSentences:
    """Called before every decode: the sentences for the prompt now, the mode's first."""

    def __init__(
        self, examples: dict[str, str], grammar: Iterable[tuple[str, str]], follow: bool = True
    ) -> None:
        """``examples``: intent -> its catalogue example (in catalogue order); ``grammar``:
        (intent, sentence) pairs in the data's order (``intents.grammar``); ``follow``: False
        gives the catalogue's examples whatever the mode."""
        by_intent: dict[str, list[str]] = {}
        for intent, sentence in grammar:
            by_intent.setdefault(intent, []).append(sentence)
        self.catalogue = list(examples.values())
        self.leading = {
            mode: [s for i in intents for s in phrasings(examples[i], by_intent.get(i, []))]
            for mode, intents in EXPECTED.items()
        }
        self.follow = follow
        self._mode: Callable[[], Mode] = lambda: Mode.IDLE

    @classmethod
    def load(cls, matcher, intents_dir: Path, follow: bool = FOLLOW_MODE) -> ExpectedSentences:
        """From the intent data: ``matcher``'s catalogue and the recognizer's grammar (built
        only to follow the mode: it costs seconds of start-up)."""
        examples = {name: spec.example for name, spec in matcher.catalogue.items()}
        return cls(examples, grammar_sentences(matcher, intents_dir) if follow else (), follow)

    def listen_to(self, mode: Callable[[], Mode]) -> None:
        """Read the conversation's mode from ``mode`` (the session's) from now on."""
        self._mode = mode

    def __call__(self) -> list[str]:
        if not self.follow:
            return self.catalogue
        return self.leading.get(self._mode(), []) + self.catalogue
