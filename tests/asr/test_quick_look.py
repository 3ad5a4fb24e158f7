"""Whisper's quick look (``asr/whisperdecode.py``, ``quick_margin``): a product phrase heard on a
shorter window is decided on it, and so is everyday talk far from every phrase
(``asr/quicklook.py``); a near miss of a request and a request said twice over are heard
exactly as without the quick look.

Accuracy per voice, false activations and compute are ``python -m bench decoding -- --configs
base,quick=10``'s (the README's recognition section: whether it is on by default is
``QUICK_MARGIN``); these tests hold what a user would notice: near misses and the short
window's own faults (a request repeated, a word cut) come out as the usual window hears them,
and everyday talk costs one decode, not two, and comes out as the usual window hears it too.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import pytest
from grammarshare import shipped_phrases
from testspeech import quiet_room, recording

from voice_repair.asr.whisper import BEAM_SIZE, QUICK_MARGIN, WhisperRecognizer
from voice_repair.asr.whisperdecode import QUICK_BEAM
from voice_repair.asr.whispermodel import bundled_model_dir
from voice_repair.audio.wavfile import chunks

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(bundled_model_dir() is None, reason="Whisper model not installed"),
]

QUICK = 6.0
"""A margin short enough that the quick look's own faults show (``bench decoding``: at 6 s
"help me breathe" came back three times over, and espeak-ng's "calm" as "come")."""


def _heard(rec: WhisperRecognizer, audio: np.ndarray, quick: float | None) -> list[str]:
    rec.quick_margin = quick
    rec.reset()
    heard = [u for c in chunks(audio) for u in rec.accept(c)] + rec.flush()
    return [u.text for u in heard]


@pytest.fixture(scope="module")
def rec() -> WhisperRecognizer:
    """Early decoding off: whether it runs depends on the worker's timing, and a frame more
    or less of the same speech can change a word on the edge."""
    rec = WhisperRecognizer(shipped_phrases())
    rec.speculate = False
    _heard(rec, quiet_room(recording("stop", "piper"), 0), None)  # a new recognizer's first stream
    return rec


def test_the_switch_turns_the_quick_look_off_for_a_side_by_side_bench(monkeypatch):
    assert WhisperRecognizer(["stop"], quick_margin=QUICK).quick_margin == QUICK
    monkeypatch.setenv("VOICE_REPAIR_QUICK_LOOK", "0")
    assert WhisperRecognizer(["stop"], quick_margin=QUICK).quick_margin is None


def test_a_phrase_is_settled_by_the_quick_look(rec):
    audio = quiet_room(recording("i need a pause", "piper"), seed=0)
    kept = rec.quick_kept
    assert _heard(rec, audio, QUICK) == ["i need a pause"]
    assert rec.quick_kept == kept + 1


@pytest.mark.slow
@pytest.mark.parametrize(
    "voice, text, seed",
    [
        ("espeak", "help me calm down", 1),  # "help me come down" on the short window
        ("espeak", "help me calm down", 3),
        ("piper", "help me breathe", 0),  # said three times over on the short window
    ],
)
def test_a_near_miss_or_a_repeat_on_the_quick_look_is_heard_as_without_it(rec, voice, text, seed):
    audio = quiet_room(recording(text, voice), seed)
    kept, far = rec.quick_kept, rec.quick_far
    with_look = _heard(rec, audio, QUICK)
    without = _heard(rec, audio, None)
    assert rec.quick_far == far  # never taken for talk far from every request
    if rec.quick_kept == kept:  # not a sure phrase on the short window: the usual one decided
        assert with_look == without


@pytest.mark.slow
@pytest.mark.parametrize(
    "voice, text",
    [("piper", "stop by the bakery"), ("slt", "i put the pasta on for ten minutes"),
     ("awb", "is it going to rain tomorrow")],
)  # fmt: skip
def test_everyday_talk_is_decided_on_the_quick_look_alone(rec, voice, text):
    audio = quiet_room(recording(text, voice), 0)
    decodes = []
    real = rec._decode
    rec._decode = lambda *a, **k: decodes.append(1) or real(*a, **k)  # counts the real calls
    try:
        with_look = _heard(rec, audio, QUICK_MARGIN)
        once = len(decodes)
    finally:
        del rec._decode
    without = _heard(rec, audio, None)
    assert once == 1  # one decode of the sentence, not the short window's and then the usual
    assert with_look == without  # and the same words the usual window hears


def test_the_switch_gives_the_quick_look_five_beams_for_a_side_by_side_bench(monkeypatch):
    assert WhisperRecognizer(["stop"]).quick_beam == QUICK_BEAM == 1
    monkeypatch.setenv("VOICE_REPAIR_QUICK_GREEDY", "0")
    assert WhisperRecognizer(["stop"]).quick_beam == BEAM_SIZE


def test_a_phrase_is_settled_by_a_greedy_quick_look_for_less_compute_than_five_beams(rec):
    """The quick look decodes greedily (``QUICK_BEAM``): the same phrase, settled by it alone,
    for less CPU than the same look with five beams. Both take turns on the same recording and
    the medians of their process CPU (every thread) are compared, so a busy machine slows both
    alike; the scratch run behind ``QUICK_BEAM`` measured about 0.7x."""
    audio = quiet_room(recording("how much time is left", "espeak"), seed=0)
    cpu: dict[int, list[float]] = {1: [], BEAM_SIZE: []}
    try:
        for turn in range(6):
            beams = (1, BEAM_SIZE)[turn % 2]
            rec.quick_beam = beams
            kept = rec.quick_kept
            t0 = time.process_time()
            assert _heard(rec, audio, QUICK_MARGIN) == ["how much time is left"]
            cpu[beams].append(time.process_time() - t0)
            assert rec.quick_kept == kept + 1  # the quick look alone decided it
    finally:
        rec.quick_beam = QUICK_BEAM
    greedy, beamed = statistics.median(cpu[1]), statistics.median(cpu[BEAM_SIZE])
    assert greedy < 0.9 * beamed, f"greedy {greedy:.2f} s of CPU against {beamed:.2f} s"
