"""A recording heard as if it were played to the recognizer in real time, compute included.

``Utterance.decided_at`` is the stream time of the audio the recognizer had consumed when it
decided: it leaves out the time the decision itself took. For pocketsphinx that is small; for
Whisper, which transcribes after the endpoint, it is most of the latency (0.4-0.6 s on a 2-core
machine). ``voice-repair recognize`` and ``bench/asr.py`` therefore replay a file as a
microphone would deliver it: each block arrives at its own stream time and is handled once it
has arrived and the previous block is done, so the compute after the end of speech (and any
backlog from compute during speech, such as Whisper's speculative transcription at a short
pause) lands in the decision time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from ..models import AudioChunk, Utterance
from .base import Recognizer

__all__ = ["RealTimeDecision", "hear_in_real_time"]


RealTimeDecision = tuple[Utterance, float]
"""An utterance and the stream time (s) its decision would be ready, compute included."""


def hear_in_real_time(
    recognizer: Recognizer,
    blocks: Iterable[AudioChunk],
    clock: Callable[[], float] = time.perf_counter,
) -> list[RealTimeDecision]:
    """Feed ``blocks`` then flush; each utterance with the time its decision would be ready.

    ``clock`` measures compute (seconds; injectable for tests). At the end of the input the
    recognizer is flushed as a live stream would be closed by the silence that follows: that
    silence "arrives" up to the moment the recognizer decided in it.
    """
    out: list[RealTimeDecision] = []
    done = 0.0  # stream time at which the recognizer is free again
    end = 0.0
    for chunk in blocks:
        end = chunk.start + len(chunk.samples) / 2 / chunk.sample_rate
        t0 = clock()
        heard = recognizer.accept(chunk)
        done = max(end, done) + clock() - t0
        out += [(u, done) for u in heard]
    t0 = clock()
    heard = recognizer.flush()
    spent = clock() - t0
    return out + [(u, max(u.decided_at, end, done) + spent) for u in heard]
