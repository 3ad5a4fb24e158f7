"""Whisper's word probabilities, worked out only for a transcript the understanding may snap.

The probabilities come from faster-whisper's word alignment (``word_timestamps=True``): after
the decode, the decoder runs once more over the chosen tokens with its cross-attention kept,
and each word's probability is the mean of its tokens'. Measured here (2026-12-07, 40 commands
in the Piper and espeak-ng voices, the audio plus 15 s, the calls taking turns, load average
11-16), a decode took 1.02 s median with the alignment and 0.93 s without (the encoder 0.61 s
of it): about a tenth. The words are read in one place only: ``live.understanding`` snaps a
transcript onto the nearest known sentence when the matcher found nothing in the raw text, and
only where Whisper was unsure of a word. A transcript that is one of the product's phrases word
for word is matched as it stands and never snapped, so its alignment was work thrown away; and
that is the request the endpointer ends early for, the one whose answer is waited for.

So the recognizer decodes without the alignment and, for any other transcript, aligns the
tokens it chose against the encoder output the decode already made (``window.py`` keeps it):
the same call faster-whisper makes, on the same inputs, without a second encode. faster-whisper's
own pass also merges punctuation into the neighbouring word; the words here are normalised
(``normalize``) the same way afterwards, and a punctuation mark alone is no word either way, so
the words and their probabilities are the same (``tests/asr/test_wordprobs.py`` compares them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["HOP_SAMPLES", "aligned_words"]

HOP_SAMPLES = 160
"""Samples per feature frame (10 ms at 16 kHz): faster-whisper counts the audio's frames as
the samples over this (its ``content_frames``), which the alignment reads up to."""


def aligned_words(
    model: Any,
    tokens: Sequence[int],
    samples: int,
    normalize: Callable[[str], str],
) -> tuple[tuple[str, float], ...]:
    """(word, probability) for the decoded ``tokens`` of ``samples`` of audio, aligned against
    ``model.encoded`` (the last encoder output: ``window.load_windowed_model``).

    ``model`` is the faster-whisper ``WhisperModel`` that made the decode; each word is
    ``normalize``d and split as the recognizer writes its transcript, so a word Whisper wrote as
    "don't," is "don't" here, with the probability of the word it came from.
    """
    from faster_whisper.tokenizer import Tokenizer  # heavy import: only when Whisper is used

    tokenizer = Tokenizer(
        model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="en"
    )
    text_tokens = [t for t in tokens if t < tokenizer.eot]
    if not text_tokens or model.encoded is None:
        return ()
    (alignment,) = model.find_alignment(
        tokenizer, [text_tokens], model.encoded, samples // HOP_SAMPLES
    )
    words: list[tuple[str, float]] = []
    for timing in alignment:
        for part in normalize(timing["word"]).split():
            words.append((part, round(float(timing["probability"]), 3)))
    return tuple(words)
