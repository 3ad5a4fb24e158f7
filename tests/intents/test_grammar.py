"""The speech grammar: the sentences people actually say are in it, and each means its intent."""

from pathlib import Path

import pytest
from grammarshare import shipped_grammar

from voice_repair.intents.matcher import IntentMatcher

ROOT = Path(__file__).resolve().parents[2] / "intents" / "en"

pytestmark = pytest.mark.model
"""Building the grammar (``grammarshare``, as ``run`` does) matches every candidate sentence,
and some reach the semantic net: the sentence-embedding model loads, about 6 s of CPU."""


@pytest.fixture(scope="module")
def grammar():
    matcher = IntentMatcher.load(ROOT)
    return matcher, shipped_grammar()


@pytest.mark.parametrize(
    "sentence",
    [
        "i need a pause",
        "i need ten minutes",
        "pause for fifteen minutes",
        "how much time is left",
        "i need five more minutes",
        "we're ready to talk",
        "end the pause",
        "help me calm down",
        "read me a validation example",
        "give me a repair idea",
        "what can we learn from this",
        "i don't feel safe",
        "remind us to talk in an hour",
        "stop",
        "next one",
        "say that again",
        "what can you do",
    ],
)
def test_the_issue_table_sentences_can_be_heard(grammar, sentence):
    _, pairs = grammar
    assert sentence in {text for _, text in pairs}


def test_every_grammar_sentence_means_its_own_intent_in_spoken_words(grammar):
    matcher, pairs = grammar
    assert len(pairs) == len({text for _, text in pairs})
    assert {intent for intent, _ in pairs} == set(matcher.catalogue)
    vocabulary = matcher.vocabulary()
    for intent, text in pairs:
        assert not any(ch.isdigit() for ch in text), text
        assert set(text.split()) <= vocabulary, text
        match = matcher.match(text)
        assert match is not None and match.intent == intent, text
