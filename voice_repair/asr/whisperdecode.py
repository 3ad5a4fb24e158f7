"""Whisper's decode of one segment: the segment's audio in, (text, words, confidence) out.

``whisper.py``'s ``WhisperRecognizer`` decides where a segment ends and when to decode it (the
endpointer, the early decode, the prompt wanted now); this module holds what one decode does
with the audio, and the settings and guards only that uses, so the streaming and the decoding
can each be read (and changed) without the other. ``WhisperDecoding`` is mixed into the
recognizer rather than held by it, because benches read and set its settings on the recognizer
(``rec.beam_size``, ``rec.window_margin``, ``rec.quick_margin``, ``rec.hotwords``,
``rec.aligned_always``) and read its counts there (``rec.second_decodes``, ``rec.echoes_dropped``,
``rec.quick_kept``). How a segment's audio becomes text, and why:

* **Transcript**: English, no timestamps, beam 5, not conditioned on earlier text (each request
  stands alone, and a previous sentence must not leak into the next), with numerals suppressed so
  "15" comes out as "fifteen", the spoken form the templates and the grammar use. Only the first
  segment of Whisper's output is kept: a command fits in one, and the later ones are where it
  invents "Thanks for watching!" on the trailing silence, with word timestamps on (keeping every
  segment, 65 of 100 commands came out right; the first only, 80).
* **Encoder window**: the encoder sees the segment plus ``WINDOW_MARGIN`` seconds, not 30 s
  (``window.py``): most of the compute of a two-second request was the encoder working through
  silence. Decoding stops at ``MAX_TOKENS``.
* **A quick look first** (``QUICK_MARGIN``): the segment is decoded on a shorter window,
  greedily (``QUICK_BEAM``), before the usual one, and that transcript is kept only when it
  is one of the product's phrases word for word and Whisper is sure of it; anything else (a
  near miss, everyday talk, the short window's known faults: a request repeated, a word cut)
  is decoded again with ``window_margin`` and ``BEAM_SIZE`` beams, as before. A sentence that
  is not a phrase waits for the long hang-over anyway (``Segmenter.long_end``), so the second
  decode is mostly inside a wait that was already there; a phrase, the case the early end
  exists for, costs the short window only.
* **The prompt's echoes**: over noise the initial prompt (``whisper.py``) makes Whisper write
  the product's sentences back ("we're done" over pink noise), so a prompted transcript Whisper
  is unsure of is decoded again without the prompt and kept only if Whisper still hears a word
  of it there (``promptguard.py``). The README's recognition section has the bench per voice
  and room.
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
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..switches import switch_on
from .base import normalize_phrases
from .promptguard import Decode, confirmed
from .quicklook import QuickVerdict
from .window import encoder_frames
from .wordprobs import aligned_words

__all__ = [
    "BEAM_SIZE",
    "COMPUTE_TYPE",
    "HALLUCINATIONS",
    "QUICK_BEAM",
    "QUICK_MARGIN",
    "WINDOW_MARGIN",
    "WhisperDecoding",
    "normalize_transcript",
]

log = logging.getLogger(f"{__package__}.whisper")
"""The recognizer's logger: the decode's lines keep the name they had before the split."""

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
settled by the quick look, compute 0.78x and the decision 0.82x at the median. But every
segment it did not settle paid both decodes (talk 1.75x the CPU of one); since ``quicklook.py``
talk far from every phrase ends on the quick look too (0.50x the CPU per sentence, 2026-12-07,
load 20). The README's recognition section has the tables."""
QUICK_BEAM = 1
"""Beams of the quick look's first decode: greedy. With the initial prompt (the catalogue's
examples, about 130 tokens) and 5 beams, the prompt and the beams were a third of a quick
look's wall time (a scratch run at load 3-9, 2026-12-08, 10 recordings in
the Piper and espeak-ng voices, the 10 s window: 1.09 s median with the prompt and 5 beams,
0.77 s without the prompt, 0.78 s with it and 1 beam, the same 10 transcripts). The greedy
decode settles only a product phrase heard word for word and sure; anything else is decoded
again on the same window with ``BEAM_SIZE`` beams (the encoder's output reused: ``window.py``)
and judged as before (``quicklook.py``). Letting greedy talk "far from every phrase" be final
too lost awb's "give me a repair idea" ("give me a bit of a direct idea") and made awb's "i feel
like going for a walk" a request in the reverberant room (``bench/decoding.py``, 2026-12-08)."""
GREEDY_VARIABLE = "VOICE_REPAIR_QUICK_GREEDY"
"""A measurement switch like ``QUICK_VARIABLE``: ``0`` gives the quick look ``BEAM_SIZE`` beams
as before (``bench/acoustic.py --quickgreedy on,off``), ``1`` (or unset) ``QUICK_BEAM``."""
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
WORDS_VARIABLE = "VOICE_REPAIR_LAZY_WORDS"
"""A measurement switch like ``whisper.SPECULATE_VARIABLE``: ``0`` aligns every decode's words
with faster-whisper's ``word_timestamps`` as before (``bench/acoustic.py --lazywords on,off``),
``1`` (or unset) works them out only when needed (``wordprobs.py``)."""
QUICK_VARIABLE = "VOICE_REPAIR_QUICK_LOOK"
"""A measurement switch like ``whisper.SPECULATE_VARIABLE``: ``0`` turns the quick look off in a
live run (``bench/acoustic.py --quicklook on,off``), ``1`` (or unset) leaves ``quick_margin`` as
given."""
_PUNCT = re.compile(r"[^\w' ]+|_")


def normalize_transcript(text: str) -> str:
    """Whisper's text as plain lower-case words: no punctuation, apostrophes kept ("don't")."""
    t = text.lower().replace("’", "'").replace("-", " ")
    t = _PUNCT.sub(" ", t)
    words = [w.strip("'") for w in t.split()]
    return " ".join(w for w in words if w)


class WhisperDecoding:
    """The decode of one segment, mixed into ``WhisperRecognizer`` (the module docstring says
    why a mixin): its settings and counts are the recognizer's attributes, set up once the
    model is loaded (``_init_decoding``), and ``_transcribe`` is what the recognizer's worker
    thread runs for each segment."""

    sample_rate = 16000  # Whisper's rate; the recognizer's audio comes in at it

    def _init_decoding(
        self,
        model: Any,
        phrases: Sequence[str],
        window_margin: float | None,
        quick_margin: float | None,
    ) -> None:
        """Settings and counts of the decode, on ``model`` (``window.load_windowed_model``):
        ``phrases`` are the product's sentences: a quick look may settle them, and their word
        probabilities are never worked out; ``window_margin``, ``quick_margin``: as
        ``WhisperRecognizer``'s."""
        self._model = model
        tok = model.hf_tokenizer
        self._suppress = [-1] + [
            i for i in range(tok.get_vocab_size()) if any(c.isdigit() for c in tok.decode([i]))
        ]
        self.phrases = frozenset(normalize_phrases(phrases))
        self.missing_words: list[str] = []  # an open vocabulary: it can write every word
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
        """Decodes the quick look settled alone (for benches): phrases, and far transcripts."""
        self.quick_far = 0
        """Of those, transcripts kept as far from every phrase (``quicklook.py``; benches)."""
        self.quick_verdict: QuickVerdict | None = QuickVerdict(self.phrases)
        """Whether a quick look's transcript that is not a phrase is final (``quicklook.py``);
        None: only a phrase is (as before; benches compare the two)."""
        self.beam_size = BEAM_SIZE
        """Beams of the decode (a setting benches compare; ``BEAM_SIZE``)."""
        greedy = switch_on(GREEDY_VARIABLE, "a greedy quick look", "the quick look with 5 beams")
        self.quick_beam = QUICK_BEAM if greedy else BEAM_SIZE
        """Beams of the quick look (``QUICK_BEAM``; benches compare)."""
        self.aligned_always = not switch_on(
            WORDS_VARIABLE, "word probabilities only when needed", "faster-whisper's alignment"
        )
        """faster-whisper's own word alignment on every decode, as before ``wordprobs.py``
        (``WORDS_VARIABLE``; benches compare the two)."""
        self.hotwords: str | None = None
        """faster-whisper's ``hotwords`` for every decode (benches compare it; None: none)."""

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
        greedy = self.quick_beam
        if greedy != self.beam_size:  # greedy first: it settles a sure phrase, nothing else
            decode, words, conf = self._decode(audio, prompt, with_words=False, beam=greedy)
            if decode.text in self.phrases and not decode.unsure:
                self.quick_kept += 1
                return decode.text, words, conf
        decode, words, conf = self._decode(audio, prompt, with_words=False)
        if decode.text in self.phrases and not decode.unsure:
            self.quick_kept += 1
            return decode.text, words, conf
        verdict = self.quick_verdict
        if verdict is None or not verdict.final(decode, bool(prompt)):
            return None
        self.quick_kept += 1
        self.quick_far += 1
        if decode.text and not self.aligned_always:  # on this decode's own encoder output
            words = aligned_words(self._model, decode.tokens, audio.size, normalize_transcript)
        return decode.text, words, conf

    def _decode(
        self, audio: np.ndarray, prompt: str | None, with_words: bool, beam: int | None = None
    ) -> tuple[Decode, tuple[tuple[str, float], ...], float]:
        """One decode: (what and how sure, words with probabilities, confidence). The words
        only ``with_words`` and when the text is not a product phrase (``wordprobs.py``);
        ``beam``: beams (default ``beam_size``)."""
        segments, _info = self._model.transcribe(
            audio, language="en", beam_size=beam or self.beam_size, temperature=TEMPERATURE,
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
            float(seg.compression_ratio or 0.0), tuple(seg.tokens),
        )  # fmt: skip
        return decode, words, math.exp(seg.avg_logprob)
