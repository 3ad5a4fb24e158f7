"""The guard that lets Whisper be biased toward the product's sentences without inventing them.

Whisper takes its initial prompt for the transcript of what was said just before, so the prompt
makes it lean toward the product's words (espeak-ng's "i need a pause" stops being "i leave the
pause"). Over non-speech the same lean is a known failure: the decoder, given nothing to hear,
writes the prompt back, or words near it. Here, with the catalogue's examples as the prompt, 38
bursts of noise (hiss, white, pink and brown noise, hum, clipped bursts, clicks, tones, a fan;
0.6-5 s) gave 9 transcripts, 5 of them understood as requests ("we're done we're done" over
pink noise and hum, "i don't feel safe" over clipped bursts, "do it again"); the same bursts
without the prompt gave none.

Every one of those came from a decode Whisper itself was **unsure** of: it fell back to
sampling at a higher temperature, or rated the segment likely silence (no-speech probability
0.28-0.65), or its tokens were improbable on average (log-probability -0.9 to -1.4). Whisper's
own silence rule (no-speech above 0.6 *and* log-probability below -1.0) let them all through.
So an unsure prompted transcript is decoded once more *without* the prompt, and stands only if
Whisper then still hears words and one of them is the prompted transcript's. Speech passes
(without the prompt espeak-ng's request is "i leave the pause": words, sharing "pause"); noise
does not (without the prompt Whisper writes nothing, or a stock invention that is rejected).
The second decode is paid only for an unsure transcript, never for a confident one.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Decode", "confirmed"]

NO_SPEECH_UNSURE = 0.2
"""Above this no-speech probability a prompted transcript is checked (echoes here: 0.28-0.65)."""
LOGPROB_UNSURE = -0.7
"""Below this average token log-probability a prompted transcript is checked (echoes: -0.9 to
-1.4; clean commands sit above -0.5)."""

COMPRESSION_UNSURE = 2.4
"""faster-whisper's own threshold for a decode too repetitive to trust (its fallback's rule)."""


@dataclass(frozen=True)
class Decode:
    """What one Whisper decode of a segment said, and how sure Whisper was of it."""

    text: str
    """Plain lower-case words (``normalize_transcript``); empty when rejected as non-speech."""
    no_speech_prob: float = 0.0
    avg_logprob: float = 0.0
    temperature: float = 0.0
    """0 for the beam search; higher when Whisper's fallback resampled a poor decode (the
    product now decodes with the beam only: ``whisperdecode.TEMPERATURE``)."""
    compression_ratio: float = 0.0
    """How repetitive the text is (gzip); above ``COMPRESSION_UNSURE`` faster-whisper's own
    fallback would have resampled it ("we're done we're done ..." over noise)."""
    tokens: tuple[int, ...] = ()
    """The tokens Whisper chose, kept so their words can be aligned after the decode
    (``wordprobs.py``) when the transcript turns out to need them."""

    @property
    def unsure(self) -> bool:
        """Whisper's own scores say this may not be speech, or not these words."""
        return (
            self.temperature > 0.0
            or self.compression_ratio > COMPRESSION_UNSURE
            or self.no_speech_prob > NO_SPEECH_UNSURE
            or self.avg_logprob < LOGPROB_UNSURE
        )


def confirmed(prompted: Decode, unprompted: Decode) -> bool:
    """Without the prompt Whisper still hears words, and one of them is the prompted
    transcript's: speech it merely spelled better with the prompt, not noise."""
    return bool(set(prompted.text.split()) & set(unprompted.text.split()))
