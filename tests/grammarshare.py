"""The product's speech grammar, built once per test process.

``grammar_sentences`` of the shipped ``intents/en`` matches every candidate sentence: several
seconds (more on a busy machine), and eight test modules listen with it. The first to ask builds
it, exactly as ``run`` does (``live/listen.py``); the others take the same sentences.
"""

from __future__ import annotations

from functools import lru_cache

from voice_repair import SOURCE_ROOT
from voice_repair.intents.grammar import grammar_sentences
from voice_repair.intents.matcher import IntentMatcher

INTENTS = SOURCE_ROOT / "intents" / "en"


@lru_cache(maxsize=1)
def shipped_grammar() -> tuple[tuple[str, str], ...]:
    """(intent, spoken sentence) pairs of the shipped data's grammar (``grammar_sentences``)."""
    return tuple(grammar_sentences(IntentMatcher.load(INTENTS), INTENTS))


def shipped_phrases() -> list[str]:
    """The grammar's sentences alone, the phrase list a recognizer is given."""
    return [text for _, text in shipped_grammar()]
