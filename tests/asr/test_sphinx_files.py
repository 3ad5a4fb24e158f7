"""pocketsphinx's recognizer leaves no file behind once built.

It writes its dictionaries (the grammar's words, and the English one of about 72k words) to a
temporary folder for its decoders to read. Kept for the recognizer's life, that folder outlived
``voice-repair run``, which ends with ``os._exit`` (no finalizers run): the privacy test found
the English dictionary in a session's folder. Real parts: the recognizer, its decoders, a
spoken request decoded after the files are gone.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from testspeech import GRAMMAR, recording

from voice_repair.asr.sphinx import SphinxRecognizer
from voice_repair.audio.wavfile import chunks

pytestmark = pytest.mark.model  # it builds pocketsphinx's recognizer and decodes with it


def test_the_dictionaries_are_gone_once_built_and_it_still_hears(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    rec = SphinxRecognizer(GRAMMAR)
    assert list(tmp_path.rglob("*")) == []
    pad = np.zeros(8000, dtype=np.int16)
    audio = np.concatenate([pad, recording("i need a pause"), pad, pad])
    heard = [u for c in chunks(audio) for u in rec.accept(c)] + rec.flush()
    assert [u.text for u in heard if u.accepted] == ["i need a pause"], heard
