"""The learned net's noisy training copies (``bench/_augment.py``, ``_learndata.noisy_samples``).

What matters for the measure: a copy keeps its sentence's label and writer, so leaving a writer
out of training (``bench lowo``) leaves its copies out too and nothing of the held-out writer
leaks in; danger is never copied (that side is judged apart); the same files give the same
copies, so ``bench learned -- --write`` stays deterministic. The sentences here were written for
this test. No model is needed.
"""

from __future__ import annotations

from bench import _augment
from bench._learndata import NOISY, PRODUCT, Sample, noisy_samples

SAMPLES = [
    Sample("could we have a little break now", "pause.start", PRODUCT, "example"),
    Sample("remind us after dinner to finish this", "reminder.set", "dev2", "request"),
    Sample("the dishwasher is beeping again", "none", "dev2", "everyday"),
    Sample("he grabbed my wrist and won't let go", "safety:violence", "dev2", "danger"),
    Sample("play the jazz station", "?", "dev3", "request"),
]


def test_each_request_and_everyday_sentence_gets_a_copy_with_its_label_and_writer():
    copies = noisy_samples(SAMPLES, 1)
    assert [(c.label, c.source, c.kind) for c in copies] == [
        ("pause.start", PRODUCT, NOISY),
        ("reminder.set", "dev2", NOISY),
        ("none", "dev2", NOISY),
    ]
    originals = {s.text for s in SAMPLES}
    assert all(c.text not in originals and c.text for c in copies)


def test_danger_and_unknown_intents_are_never_copied():
    labels = {c.label for c in noisy_samples(SAMPLES, 3)}
    assert not any(label.startswith("safety:") for label in labels)
    assert "?" not in labels


def test_the_same_sentences_give_the_same_copies():
    assert noisy_samples(SAMPLES, 2) == noisy_samples(list(SAMPLES), 2)
    assert _augment.noisy("can we stop for ten minutes", 1) == _augment.noisy(
        "can we stop for ten minutes", 1
    )


def test_a_copy_keeps_every_word_of_the_sentence_or_mishears_one():
    """Noise is added around the words; only a misheard word replaces one of them."""
    said = "please end the pause we are ready"
    for salt in range(40):
        copy = _augment.noisy(said, salt).split()
        kept = sum(1 for word in set(said.split()) if word in copy)
        assert kept >= len(set(said.split())) - 1, copy


def test_no_copies_asked_gives_none():
    assert noisy_samples(SAMPLES, 0) == []
