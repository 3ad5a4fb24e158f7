"""Whisper's encoder on the request plus a margin, instead of on thirty seconds.

Whisper was trained on 30 s windows, and faster-whisper pads every input to one (3,000 feature
frames) before the encoder: a two-second request costs the encoder as much as half a minute of
speech, and the encoder is most of the compute. CTranslate2 accepts shorter inputs (its PR
#1446); whisper.cpp's ``audio_ctx`` does the same, with the length set to the audio plus a
margin. The decoder and the word alignment then read the shorter encoder output.

The known price is accuracy on very short input (CTranslate2 issue #2100; the decoder may not
know when to stop when the window is cut too close), so the window is the audio plus
``margin`` seconds of the same zero padding the full window has. ``bench/window.py``
measures it against the full window on the same recordings; the README's recognition section
has the numbers and why the default margin is what it is.

**The window is rounded up to a whole second** (``STEP_FRAMES``). CTranslate2's oneDNN keeps
the kernels it builds for each input length (its primitive cache, up to 1,024 of them), so a
window of the exact length grew the process's own memory for every request of a length not
heard before (50 new lengths of 3-4 s: +21 MB; the same 50 again: +0 MB; with oneDNN's cache
off: +0.5 MB), and the recognizer's early decodes of partial audio made more lengths still:
the soak's lows rose 10-20 MB a cycle. Whole seconds make at most 30 lengths (20 with the
default margin of 10 s); the encoder sees at most one second more of the same zero padding.

faster-whisper 1.2 has no option for this (``chunk_length`` changes the feature extractor, not
the padding before the encoder), so the model's ``encode`` is overridden in a subclass: the
padded features are cut to ``frames`` just before CTranslate2 sees them.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["FULL_FRAMES", "encoder_frames", "load_windowed_model"]

FULL_FRAMES = 3000
"""Whisper's own window: 30 s of 10 ms feature frames."""
FRAMES_PER_SECOND = 100

STEP_FRAMES = 100
"""Windows are a whole number of seconds: few distinct input lengths, so few cached kernels."""


def encoder_frames(samples: int, margin: float | None, sample_rate: int = 16000) -> int:
    """Feature frames the encoder sees for ``samples`` of audio plus ``margin`` seconds.

    ``None`` means the full 30 s window. The count is rounded up to ``STEP_FRAMES`` (a whole
    second: even, as the encoder's first convolution halves it, and one of at most 30 lengths,
    so CTranslate2's kernel cache stays small) and never more than the full window.
    """
    if margin is None:
        return FULL_FRAMES
    if margin < 0:
        raise ValueError(f"window margin {margin} s is negative; use 0 or more, or None")
    frames = math.ceil((samples / sample_rate + margin) * FRAMES_PER_SECOND)
    return min(FULL_FRAMES, math.ceil(frames / STEP_FRAMES) * STEP_FRAMES)


def load_windowed_model(folder: str, **options: Any) -> Any:
    """A faster-whisper ``WhisperModel`` whose encoder sees only ``model.frames`` frames.

    Set ``model.frames`` (``encoder_frames``) before each ``transcribe``; it starts at the full
    window, so an unset model behaves exactly as faster-whisper's own. ``model.encoded`` is the
    last encoder output, kept so the words of a decode can be aligned afterwards without
    encoding the audio again (``wordprobs.py``); a second decode of the same features on the
    same window (the quick look's greedy and beam decodes) reuses it, as faster-whisper's own
    temperature fallback reuses one encoder output.
    """
    from faster_whisper import WhisperModel  # heavy import: only when Whisper is used

    class WindowedWhisperModel(WhisperModel):
        frames = FULL_FRAMES
        encoded: Any = None

        _fed: Any = None

        def encode(self, features: Any) -> Any:
            cut = features[..., : self.frames]
            if self._fed is not None and self._fed.shape == cut.shape and (self._fed == cut).all():
                return self.encoded  # the same audio on the same window: a second decode of it
            self.encoded = super().encode(cut)
            self._fed = cut.copy()
            return self.encoded

    return WindowedWhisperModel(folder, **options)
