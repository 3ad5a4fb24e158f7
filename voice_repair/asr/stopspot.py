"""A fast local "stop": pocketsphinx's keyphrase search over one short stretch of speech.

With recognition on a home server, the speaker's own engine reads every segment while the
server transcribes it (``asr.wyoming``); with Whisper that reading takes 0.5-1 s. A person who
says "stop" over a long reply should not wait that long, nor at all for the network. This spotter
decides a short segment in well under 0.1 s of compute: a keyphrase search (one pocketsphinx
decoder, the English model bundled with it, a dictionary of a few words) for the commonest ways
to say stop.

It errs toward hearing "stop", because what it hears can only silence the speaker
(``live.early``: the server's reading then decides the request, as said over the speech). Two
rules keep the assistant's own voice and everyday sentences from silencing it: the segment is
short (``MAX_SECONDS``), and the phrase spans most of its speech (``COVER``), so "you can say
stop at any time" or "stop by the bakery" is not a stop. The phrases are taken only when the
product's grammar has them (``SPOKEN``), so what is spotted is understood by the same matcher as
every other sentence.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection
from pathlib import Path

import numpy as np
import pocketsphinx
from pocketsphinx import Decoder

from .sphinx import DITHER_SEED
from .sphinxdict import write_dict

__all__ = ["COVER", "MAX_SECONDS", "SPOKEN", "StopSpotter"]

SPOKEN = ("stop", "be quiet", "shut up", "stop talking", "stop it", "please stop")
"""The ways to say stop that are spotted (all in ``intents/en/sentences/control.yaml``)."""
THRESHOLD = 1e-30
"""Keyphrase detection threshold. At 1e-20 a bare "stop" from Piper or espeak-ng was missed;
1e-30 spots every test voice's "stop", "be quiet", "stop talking" and "shut up" (2026-12-06,
one phrase is often taken for another, which does not matter: each means stop)."""
MAX_SECONDS = 1.6
"""Longest segment of speech (s) that may be a stop: "stop talking" is about 1 s."""
COVER = 0.5
"""Share of the segment's speech the spotted phrase must span."""
_FRAME = 0.01


class StopSpotter:
    """Spots a stop phrase that is most of a short segment; see the module docstring."""

    def __init__(self, phrases: Collection[str], threshold: float = THRESHOLD) -> None:
        """``phrases``: the product's grammar; only the ``SPOKEN`` ones in it are spotted;
        ``threshold``: the keyphrase search's (lower hears more)."""
        hmm = Path(pocketsphinx.get_model_path("en-us/en-us"))
        self._tmp = tempfile.TemporaryDirectory(prefix="voice-repair-stop-")
        folder = Path(self._tmp.name)
        wanted = [p for p in SPOKEN if p in phrases]
        missing = set(write_dict(sorted({w for p in wanted for w in p.split()}), folder / "d"))
        self.phrases = [p for p in wanted if not missing.intersection(p.split())]
        self._decoder: Decoder | None = None
        if self.phrases:
            (folder / "kws").write_text("".join(f"{p} /{threshold}/\n" for p in self.phrases))
            self._decoder = Decoder(
                hmm=str(hmm), dict=str(folder / "d"), kws=str(folder / "kws"),
                samprate=16000, loglevel="FATAL",
            )  # fmt: skip
        self._rng = np.random.default_rng(DITHER_SEED)
        self.last = "nothing"
        """What the last ``spot`` found (a diagnostic for the log: phrase heard or not, and how
        much of the segment it spanned; never the audio)."""

    def spot(self, pcm: bytes, speech_seconds: float) -> str | None:
        """The stop phrase that ``pcm`` (16 kHz 16-bit mono, one segment with
        ``speech_seconds`` of speech in it) is, or None."""
        if self._decoder is None or not 0 < speech_seconds <= MAX_SECONDS:
            return None
        d = self._decoder
        # Each stretch as a new spotter hears it: the feature stage's running cepstral mean
        # (``SphinxRecognizer._start_utt``) and the dither's draws would otherwise carry over
        # from whatever was heard before, someone else's voice or its own echo: after three
        # espeak-ng sentences, every test voice's "stop" was scored otherwise than by a new
        # spotter (tests/asr/test_stopspot.py), and the dither alone decides some (flite awb's
        # "stop" was spotted for 6 of 10 seeds).
        d.reinit_feat()
        self._rng = np.random.default_rng(DITHER_SEED)
        d.start_utt()
        d.process_raw(self._dither(pcm), full_utt=True)
        d.end_utt()
        self.last = "no phrase"
        for seg in d.seg() or []:
            span = (seg.end_frame - seg.start_frame + 1) * _FRAME
            if span >= COVER * speech_seconds:
                return seg.word.strip()
            self.last = f"a phrase over {span:.2f} s only"
        return None

    def _dither(self, pcm: bytes) -> bytes:
        """A faint noise floor, as ``SphinxRecognizer._dither`` (digital silence throws the
        model off)."""
        x = np.frombuffer(pcm, "<i2").astype(np.float32)
        x += self._rng.normal(0.0, 20.0, x.size).astype(np.float32)
        return np.clip(np.round(x), -32768, 32767).astype("<i2").tobytes()
