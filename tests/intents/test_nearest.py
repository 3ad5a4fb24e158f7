"""Nearest-sentence snapping: only over words the recognizer was unsure of, never across clear ones.

The probabilities are Whisper's own, copied from transcripts of synthesized speech (the scratch
set named in ``intents/nearest.py``); the rates over whole sets live in ``bench/asr.py``.
"""

from __future__ import annotations

from voice_repair.intents.nearest import NearestSentence

SENTENCES = [
    "pause for half an hour", "end the pause", "i need a pause", "stop", "stop talking",
    "read me a validation example", "remind us to talk at eight", "we're ready to talk",
    "i'm afraid of him", "i'm afraid",
]  # fmt: skip
NEAREST = NearestSentence(SENTENCES)


def _snap(*pairs):
    found = NEAREST.snap(list(pairs))
    return found.sentence if found else None


def test_unsure_look_alike_words_are_corrected():
    assert _snap(("plus", 0.18), ("for", 0.84), ("half", 0.98), ("an", 0.99), ("hour", 1.0)) == (
        "pause for half an hour"
    )
    assert _snap(("and", 0.29), ("the", 0.84), ("pause", 0.52)) == "end the pause"
    merged = [("reme", 0.37), ("a", 0.86), ("validation", 0.98), ("example", 0.98)]
    assert _snap(*merged) == "read me a validation example"


def test_a_clearly_heard_word_is_never_changed():
    assert _snap(("plus", 0.95), ("for", 0.84), ("half", 0.98), ("an", 0.99), ("hour", 1.0)) is None
    # "go" heard fairly clearly, and nothing like "talk" anyway
    assert _snap(("we're", 0.6), ("ready", 0.99), ("to", 0.99), ("go", 0.75)) is None


def test_unsure_words_change_only_into_look_alikes_and_are_not_simply_dropped():
    # seen on espeak-ng: "i'm afraid so" must not become a safety request
    assert _snap(("i'm", 0.69), ("afraid", 0.99), ("so", 0.61)) is None
    # "about it" is not "at eight": a different reminder time would be worse than none
    talk = [("remind", 0.73), ("us", 0.99), ("to", 0.99), ("talk", 0.94)]
    assert _snap(*talk, ("about", 0.18), ("it", 0.49)) is None


def test_one_word_is_never_snapped():
    assert _snap(("top", 0.3)) is None
    assert _snap(("stop", 0.3)) is None  # (an exact "stop" is matched before snapping is tried)


def test_the_snap_reports_its_distance():
    found = NEAREST.snap([("and", 0.29), ("the", 0.84), ("pause", 0.52)])
    assert found is not None and found.edits == 1 and 80 <= found.ratio < 100


def test_dropping_one_word_and_adding_another_is_no_way_round_the_look_alike_test():
    # seen on the bench (flite awb, 10 dB white noise): "i'm going to take a shower"
    nearest = NearestSentence(["i'm going to take a break"])
    heard = [("i'm", 0.9), ("going", 0.9), ("to", 0.9), ("take", 0.9), ("a", 0.9), ("look", 0.1)]
    assert nearest.snap(heard) is None


def test_a_bare_fragment_is_not_made_a_request_by_words_added_in_front():
    # "the pause" alone says neither "end" nor "start": snapping must not pick one
    assert _snap(("the", 0.5), ("pause", 0.6)) is None
    assert _snap(("the", 0.7), ("pause", 0.7)) is None


def test_a_number_is_never_added_or_guessed_from_a_look_alike():
    nearest = NearestSentence(["ten more minutes", "five more minutes", "remind us at eight"])
    assert nearest.snap([("more", 0.6), ("minutes", 0.7)]) is None
    assert nearest.snap([("then", 0.4), ("more", 0.9), ("minutes", 0.9)]) is None
    assert nearest.snap([("remind", 0.9), ("us", 0.9), ("at", 0.5)]) is None


def test_words_after_the_first_heard_one_may_still_be_added():
    nearest = NearestSentence(["read me a validation example"])
    found = nearest.snap([("reme", 0.37), ("a", 0.86), ("validation", 0.98), ("example", 0.98)])
    assert found is not None and found.sentence == "read me a validation example"
