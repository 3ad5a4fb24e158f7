"""A request said as one clause of a longer utterance, and the length of a request the net decided.

Issue 19, seventh session. People wrap a request in talk: a reason after it, a complaint before
it, a ramble around it. The clause is now found (``intents/clauses.py``) while everyday talk with
a request-shaped clause in it stays silent. And a request the semantic net decided keeps the
length that was said, corrected at once or said as a bare number ("take five").

Every sentence here was written for these tests (none comes from a development set). Tests marked
``model`` run the real sentence-embedding model, since a clause is only tried when the net found
nothing in the whole utterance.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ears import sessions

from voice_repair.datafiles import load_yaml
from voice_repair.intents.matcher import IntentMatcher, normalize
from voice_repair.intents.slots import SlotReader, corrected

ROOT = Path(__file__).resolve().parents[2] / "intents" / "en"


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher.load(ROOT)


# ------------------------------------------------------------------ no model needed


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("a break of 15 minutes no 20", "a break of 20 minutes"),
        ("ten no fifteen minutes apart", "fifteen minutes apart"),
        ("for a couple of minutes no actually make it twelve", "for twelve minutes"),
        ("an hour no forty five", "forty five minutes"),
        ("an hour no two", "two hour"),
        ("ten or twenty minutes", "ten or twenty minutes"),  # a choice, not a correction
    ],
)
def test_a_length_corrected_at_once_is_the_correction_with_its_unit(said, meant):
    assert corrected(said) == meant


@pytest.mark.parametrize(
    ("said", "minutes"),
    [
        ("ok take five", 5),
        ("give us ten please", 10),
        ("a breather of fifteen minutes no twenty", 20),
        ("could we have a breather um like ten no fifteen minutes", 15),
        ("take two kids to school", None),  # a number, but no length
        ("we need a break", None),
    ],
)
def test_the_length_of_a_guessed_request_is_read_as_spoken(matcher, said, minutes):
    got = SlotReader(matcher._intents).read_spoken(said, {"minutes"})
    assert got.get("minutes") == minutes


def test_no_must_match_nothing_sentence_of_the_data_is_found_as_a_clause(matcher):
    """``tests/_none.yaml`` and ``_idioms.yaml``: everyday talk and idioms, one word from a
    request. The clause search (templates only; the model only once a clause is found) must
    find nothing in any of them."""
    found = []
    for name in ("_none.yaml", "_idioms.yaml"):
        doc, _ = load_yaml(ROOT / "tests" / name)
        for text in map(str, doc["sentences"]):
            if matcher._clause(normalize(text), text) is not None:
                found.append(text)
    assert found == []


# ------------------------------------------------------------------ the real model


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        # a reason after the request
        ("ugh start the time out i literally cannot deal with him tonight", "pause.start", {}),
        (
            "start a time out for twenty five minutes i literally cannot deal with him tonight",
            "pause.start",
            {"minutes": 25},
        ),
        ("start the time out for an hour and a half he won't stop", "pause.start", {"minutes": 90}),
        (
            "pause us for ten minutes the baby's crying and we're both exhausted",
            "pause.start",
            {"minutes": 10},
        ),
        ("start a break now love we're going round in circles", "pause.start", {}),  # an aside
        # a complaint before it, swearing inside it, an exclamation after it
        ("ugh you're useless start the bloody break for heaven's sake", "pause.start", {}),
        # what someone is about to do said first, its length with it
        ("i'm heading out for half an hour start the time out", "pause.start", {"minutes": 30}),
    ],
)
def test_a_request_wrapped_in_talk_is_found_as_its_clause(matcher, text, intent, slots):
    decided = matcher.explain(text)
    assert decided.net == "clauses"
    assert (decided.match.intent, decided.match.slots) == (intent, slots)


@pytest.mark.model
@pytest.mark.parametrize(
    "text",
    [
        "the soup needs another twenty minutes",  # a length bound to something else
        "my boss told me to take a break from the screen",  # reported, and about work
        "give me five minutes i'm finishing the washing up",  # waiting on a chore
        "oh give me a break that was a joke",  # an idiom, then a story
        "give me a break the bus is always late",  # the same idiom, and something else
        "one more hour until we get there",  # how long something else lasts
        "do it again grandpa do it again",  # a child at play
    ],
)
def test_everyday_talk_with_a_request_shaped_clause_stays_silent(matcher, text):
    assert matcher.match(text) is None


@pytest.mark.model
def test_a_clause_request_never_hides_danger(matcher):
    found = matcher.match("let's take a break honestly i don't see the point of living anymore")
    assert found is not None and found.intent == "safety"


@pytest.mark.model
def test_a_request_beside_danger_the_patterns_miss_is_not_answered(matcher):
    # The danger patterns and the semantic net miss the knife here; the clause alone would start
    # a pause and set a timer inviting them back. The learned net reads the whole as near danger
    # (learned.NEAR_DANGER), so no request is answered: never a script or a timer for danger.
    decided = matcher.explain(
        "start a time out because he is standing in the hall with the bread knife"
    )
    assert decided.match is None or decided.match.intent == "safety"


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("ok take five", 5),
        ("could we have a breather um like fifteen minutes no twenty", 20),
        ("give us a cooling off period of ten minutes no fifteen", 15),
    ],
)
def test_a_guessed_pause_keeps_the_length_said(matcher, text, minutes):
    decided = matcher.explain(text)
    assert decided.net == "semantic"
    assert (decided.match.intent, decided.match.slots) == ("pause.start", {"minutes": minutes})


@pytest.mark.model
def test_a_request_with_its_reason_after_it_starts_the_pause_of_the_length_said(tmp_path):
    """The whole way through: the session hears the utterance and reads back the length."""
    with sessions(tmp_path) as start:
        send, _, _ = start(60.0)
        said = " ".join(
            s.text for s in send("start the time out for forty minutes she keeps walking off")
        )
    assert "forty minutes" in said


@pytest.mark.model
def test_a_guessed_length_out_of_range_gets_the_clear_message_with_the_length_meant(tmp_path):
    """A self-correction the net decided: the corrected length is the one refused, by name."""
    with sessions(tmp_path) as start:
        send, _, _ = start(60.0)
        said = " ".join(s.text for s in send("could we have a breather um like 200 minutes no 300"))
    assert "pause of 300 minutes" in said
