"""Whisper's word probabilities only when needed (``asr/wordprobs.py``): the same words and
probabilities as faster-whisper's own alignment where the understanding may snap, none for a
product phrase, and a request heard for less compute.

Accuracy per voice and false activations with and without are ``python -m bench decoding --
--configs base,words=always``'s; these tests hold what a user would notice: near misses are
still snapped on the same evidence, and a request is heard without the alignment's work.
"""

from __future__ import annotations

import numpy as np
import pytest
from grammarshare import shipped_phrases
from testspeech import quiet_room, recording

from voice_repair.asr.whisper import WhisperRecognizer
from voice_repair.asr.whispermodel import bundled_model_dir
from voice_repair.audio.wavfile import chunks

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(bundled_model_dir() is None, reason="Whisper model not installed"),
]


def _heard(rec: WhisperRecognizer, audio: np.ndarray, always: bool):
    rec.aligned_always = always
    rec.reset()
    return [u for c in chunks(audio) for u in rec.accept(c)] + rec.flush()


@pytest.fixture(scope="module")
def rec() -> WhisperRecognizer:
    return WhisperRecognizer(shipped_phrases())


def test_the_switch_brings_back_the_alignment_of_every_decode(monkeypatch):
    assert not WhisperRecognizer(["stop"]).aligned_always
    monkeypatch.setenv("VOICE_REPAIR_LAZY_WORDS", "0")
    assert WhisperRecognizer(["stop"]).aligned_always


@pytest.mark.parametrize(
    "voice, text",
    [
        ("piper", "read me a validation example"),  # heard "remi a validation example"
        ("awb", "remind us to talk in an hour"),  # "... in another"
        ("espeak", "i don't feel safe, he scares me"),  # an apostrophe and a comma
        ("slt", "stop by the bakery"),  # everyday talk
    ],
)
def test_a_transcript_that_may_be_snapped_carries_the_same_words_as_before(rec, voice, text):
    """The same audio for both: the early decode is off (whether it runs depends on the
    worker's timing, and it may read a frame more or less of the same speech, which moves the
    probabilities), and the first stream a new recognizer hears is cut one 30 ms frame longer
    than the ones after it (seen here, before this change too), so it is heard once first."""
    audio = quiet_room(recording(text, voice))
    rec.speculate = False
    try:
        _heard(rec, audio, always=True)
        before = _heard(rec, audio, always=True)
        now = _heard(rec, audio, always=False)
    finally:
        rec.speculate = True
    assert [u.text for u in now] == [u.text for u in before]
    for u_now, u_before in zip(now, before, strict=True):
        if u_now.text in rec.phrases:
            continue
        assert [w for w, _ in u_now.words] == [w for w, _ in u_before.words]
        assert np.allclose([p for _, p in u_now.words], [p for _, p in u_before.words], atol=0.002)
        assert u_now.words, "words for the understanding to snap on"


def test_a_phrase_is_heard_without_aligning_its_words(rec):
    """The alignment is the work saved (about a tenth of a decode: ``bench decoding``'s
    ``words=always``); it is counted on the real model, in both modes."""
    audio = quiet_room(recording("i need a pause", "piper"))
    model = rec._model
    align = model.find_alignment
    calls: list[int] = []

    def counted(*args, **kwargs):
        calls.append(1)
        return align(*args, **kwargs)

    model.find_alignment = counted
    try:
        for always in (True, False):
            calls.clear()
            heard = _heard(rec, audio, always)
            assert [u.text for u in heard] == ["i need a pause"]
            assert bool(heard[0].words) == always  # a phrase is matched as it stands
            assert bool(calls) == always
    finally:
        del model.find_alignment
