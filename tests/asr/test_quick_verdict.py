"""When a quick look's transcript that is not a product phrase is final (``asr/quicklook.py``):
everyday talk is decided on the short window alone, a near miss of a request and a request said
twice over are decoded again on the usual window, and the prompt guard keeps its say.

The recordings behind the rule are ``python -m bench decoding``'s (the README's recognition
section); ``test_quick_look.py`` holds the same with the real model.
"""

from __future__ import annotations

import pytest
from grammarshare import shipped_phrases

from voice_repair.asr.base import normalize_phrases
from voice_repair.asr.promptguard import Decode
from voice_repair.asr.quicklook import NEAR_MISS_RATIO, QuickVerdict, repeats

# The verdict is built on the product's phrase list (``shipped_phrases``): building it matches
# every candidate sentence, some reach the semantic net, and the sentence-embedding model loads
# in this worker (6.4 s of CPU in one process, 7.4 s in a ``make check`` at load 8-12: the
# most of any test there). ``model`` as ``intents/test_grammar.py`` is for the same build;
# ``make test`` runs it.
pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def verdict() -> QuickVerdict:
    return QuickVerdict(normalize_phrases(shipped_phrases()))


@pytest.mark.parametrize(
    "talk",
    ["is it going to rain tomorrow", "stop by the bakery", "i put the pasta on for ten minutes",
     "can you pause the movie", "get rest", "the kids are asleep"],
)  # fmt: skip
def test_everyday_talk_is_final_on_the_short_window(verdict, talk):
    assert verdict.final(Decode(talk), prompted=True)


@pytest.mark.parametrize(
    "near_miss",
    # the issue's and the benches' near misses: the usual window may hear the request
    ["help me come down", "in the pause", "the pause", "i leave the pause", "dad my breathing",
     "save that again", "at ten minutes", "remind us to come back to the set eight",
     "we need more milk"],  # talk one word off "we need more help": decoded again, as before
)  # fmt: skip
def test_a_near_miss_of_a_request_is_decoded_again(verdict, near_miss):
    assert verdict.nearest_ratio(near_miss) >= NEAR_MISS_RATIO
    assert not verdict.final(Decode(near_miss), prompted=True)


def test_a_request_said_twice_over_is_decoded_again(verdict):
    assert repeats("help me breathe help me breathe help me breathe")
    assert repeats("we need more milk we need more milk")
    assert not repeats("i need a pause for ten minutes")
    assert not verdict.final(Decode("we need more milk we need more milk"), prompted=False)


def test_an_unsure_prompted_transcript_still_goes_to_the_prompt_guard(verdict):
    unsure = Decode("stop by the bakery", no_speech_prob=0.5, avg_logprob=-0.9)
    assert not verdict.final(unsure, prompted=True)
    assert verdict.final(unsure, prompted=False)  # no prompt: nothing of ours to write back


def test_nothing_heard_is_final(verdict):
    assert verdict.final(Decode(""), prompted=True)
    assert verdict.nearest_ratio("") == 0.0
