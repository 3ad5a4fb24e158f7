"""Which sentences the speech recognizer listens for.

A recognizer restricted to phrases is only as good as its phrase list. Sampling the templates
alone misses the most natural sentences ("i need a pause") among thousands of odd combinations,
and every extra sentence makes acceptance harder. So the grammar is built from what people were
written down as saying: the catalogue's examples and every sentence of the intent tests, spoken
form (numbers as words, fillers dropped), plus a small spread sample of the templates so every
template shape and number is in. Only sentences the matcher understands as their own intent,
with words the templates use, are kept: the grammar can never produce a sentence that then means
nothing, or something else.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from unicode_rbnf import RbnfEngine

from ..datafiles import load_yaml
from .matcher import IntentMatcher, normalize

__all__ = ["SAMPLE_PER_INTENT", "grammar_sentences"]

SAMPLE_PER_INTENT = 12
"""Template samples per intent added to the written examples (covers shapes and numbers)."""


@lru_cache(maxsize=1)
def _number_words() -> RbnfEngine:
    """hassil's own number engine, which also spells the numbers of the templates' range lists."""
    return RbnfEngine.for_language("en")


def _spoken(text: str) -> str:
    """Typed sentence -> spoken words: normalised, digits as words ("15" -> "fifteen")."""
    words = []
    for word in normalize(text).split():
        words.append(_number_words().format_number(int(word)).text if word.isdigit() else word)
    return " ".join(words).replace("-", " ")


def _written(intents_dir: Path) -> list[tuple[str, str]]:
    """(intent, sentence) from every tests file, in file order."""
    pairs: list[tuple[str, str]] = []
    for path in sorted((intents_dir / "tests").glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        data, _problems = load_yaml(path)
        for block in (data or {}).get("tests", []) or []:
            intent = (block.get("intent") or {}).get("name")
            pairs += [(intent, str(s)) for s in block.get("sentences", []) if intent]
    return pairs


def grammar_sentences(
    matcher: IntentMatcher, intents_dir: Path, sample_per_intent: int = SAMPLE_PER_INTENT
) -> list[tuple[str, str]]:
    """(intent, spoken sentence) pairs for the grammar, deduplicated, examples first."""
    vocabulary = matcher.vocabulary()
    candidates = [(name, spec.example) for name, spec in matcher.catalogue.items()]
    candidates += _written(intents_dir)
    candidates += matcher.phrases(max_per_intent=sample_per_intent)
    seen: set[str] = set()
    kept: list[tuple[str, str]] = []
    for intent, text in candidates:
        spoken = _spoken(text)
        if not spoken or spoken in seen or not set(spoken.split()) <= vocabulary:
            continue
        match = matcher.match(spoken)
        if match is None or match.intent != intent:
            continue
        seen.add(spoken)
        kept.append((intent, spoken))
    return kept
