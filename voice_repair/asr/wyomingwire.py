"""One ``transcribe`` exchange with a Wyoming speech-to-text server (``asr.wyoming`` decides
when to make one and what to do without it)."""

from __future__ import annotations

import time

from wyoming.asr import Transcribe, Transcript, TranscriptChunk, TranscriptStop
from wyoming.audio import AudioChunk as WyAudioChunk
from wyoming.audio import AudioStart, AudioStop
from wyoming.error import Error

from ..homenet.address import Endpoint
from ..homenet.link import Link, ServerProblem

__all__ = ["ANSWER_SECONDS", "CHUNK_BYTES", "transcribe"]

ANSWER_SECONDS = 2.0
"""How long after the end of the audio the server may take to answer. Whisper tiny.en decides a
request here in about half a second; a server slower than this is slower than the fallback."""
CHUNK_BYTES = 3200
"""Audio per ``audio-chunk`` event: 100 ms at 16 kHz, 16-bit mono."""


def transcribe(
    endpoint: Endpoint,
    pcm: bytes,
    language: str,
    allow_remote: bool = False,
    answer_seconds: float = ANSWER_SECONDS,
) -> str:
    """One exchange: the 16 kHz 16-bit mono ``pcm`` in, the server's raw transcript out.

    Raises ServerProblem (never with the words in it) when the server cannot be used.
    """
    rate, width, channels = 16000, 2, 1
    with Link(endpoint, allow_remote) as link:
        deadline = time.monotonic() + answer_seconds + len(pcm) / (rate * width)
        link.send(Transcribe(language=language).event(), deadline)
        link.send(AudioStart(rate, width, channels).event(), deadline)
        for i in range(0, len(pcm), CHUNK_BYTES):
            chunk = WyAudioChunk(rate, width, channels, pcm[i : i + CHUNK_BYTES])
            link.send(chunk.event(), deadline)
        link.send(AudioStop().event(), time.monotonic() + answer_seconds)
        deadline = time.monotonic() + answer_seconds
        parts: list[str] = []
        while True:
            event = link.receive(deadline)
            if Transcript.is_type(event.type):
                text = event.data.get("text")
                if not isinstance(text, str):
                    raise ServerProblem("it sent a transcript without text")
                return text
            if TranscriptChunk.is_type(event.type):
                parts.append(str(event.data.get("text", "")))
            elif TranscriptStop.is_type(event.type):
                return "".join(parts)
            elif Error.is_type(event.type):
                raise ServerProblem("it answered with an error")
