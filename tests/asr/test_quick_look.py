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

import numpy as np
import pytest
from grammarshare import shipped_phrases
from testspeech import quiet_room, recording

from voice_repair.asr.whisper import BEAM_SIZE, QUICK_MARGIN, WhisperRecognizer
from voice_repair.asr.whisperdecode import QUICK_BEAM
from voice_repair.asr.whispermodel import bundled_model_dir
from voice_repair.asr.window import encoder_frames
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
    windows = []
    real = rec._decode
    rec._decode = lambda *a, **k: windows.append(rec._model.frames) or real(*a, **k)  # the real
    try:
        with_look = _heard(rec, audio, QUICK_MARGIN)
    finally:
        del rec._decode
    without = _heard(rec, audio, None)
    # one window only, the short one (greedily, then with the beams on the same encoder
    # output: QUICK_BEAM), never the usual one, 5 s longer
    assert len(set(windows)) == 1 and len(windows) <= 2
    assert windows[0] < encoder_frames(audio.size + 16000, rec.window_margin)
    assert with_look == without  # and the same words the usual window hears


def test_the_switch_gives_the_quick_look_five_beams_for_a_side_by_side_bench(monkeypatch):
    assert WhisperRecognizer(["stop"]).quick_beam == QUICK_BEAM == 1
    monkeypatch.setenv("VOICE_REPAIR_QUICK_GREEDY", "0")
    assert WhisperRecognizer(["stop"]).quick_beam == BEAM_SIZE


def _beams_and_windows(rec: WhisperRecognizer, audio: np.ndarray) -> tuple[list, list[str]]:
    """(beams, encoder frames) of every real decode of ``audio``, and what was heard."""
    calls = []
    real = rec._decode

    def counted(*a, **k):
        calls.append((k.get("beam") or rec.beam_size, rec._model.frames))
        return real(*a, **k)

    rec._decode = counted
    try:
        return calls, _heard(rec, audio, QUICK_MARGIN)
    finally:
        del rec._decode


def test_a_phrase_is_settled_by_one_greedy_decode(rec):
    """The quick look decodes greedily first (``QUICK_BEAM``): a sure phrase costs that one
    decode, the prompt read once instead of once per beam (the CPU it saves is ``bench
    decoding``'s ``qbeam=5`` against it: the README)."""
    audio = quiet_room(recording("how much time is left", "espeak"), seed=0)
    calls, heard = _beams_and_windows(rec, audio)
    assert heard == ["how much time is left"]
    assert [beams for beams, _ in calls] == [1]


def test_what_greedy_does_not_settle_gets_the_beams_on_the_same_window(rec):
    """Talk (and a near miss) is judged on the 5-beam decode, as before ``QUICK_BEAM``: greedy
    talk taken as final lost a command and made a false activation in the reverberant room."""
    audio = quiet_room(recording("is it going to rain tomorrow", "piper"), seed=0)
    calls, heard = _beams_and_windows(rec, audio)
    assert [beams for beams, _ in calls][:2] == [1, BEAM_SIZE]
    assert calls[0][1] == calls[1][1]  # the same window: the encoder's output is reused
    rec.quick_beam = BEAM_SIZE
    try:
        assert heard == _heard(rec, audio, QUICK_MARGIN)  # heard as with the beams alone
    finally:
        rec.quick_beam = QUICK_BEAM
