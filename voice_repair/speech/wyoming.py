"""The assistant's voice from a home server over Wyoming, with the speaker's own voice as the
fallback.

``[voice] voice = "wyoming"`` and ``uri = "tcp://HOST:10200"``: a ``wyoming-piper`` on a stronger
machine renders each line (``synthesize`` -> ``audio-start``, ``audio-chunk``s,
``audio-stop``); it is played here, through the same interruptible speaker. What travels is the
text of the assistant's own lines (which can tell what was asked: a safety reply says someone
spoke of danger), never what people said. When the server cannot be used (nothing listening,
slow to begin, gone mid-line, not Wyoming) the local voice says that line, one log line says
so, and a background probe notices the server back (``homenet.health``). The speaking rate
setting does not reach the server: Wyoming's ``synthesize`` has no rate.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.error import Error
from wyoming.tts import Synthesize

from ..homenet.address import Endpoint, parse_uri
from ..homenet.health import PROBE_SECONDS, ServerHealth
from ..homenet.link import Link, ServerProblem
from .engines import TextToSpeech, trim_silence

__all__ = ["RemoteVoice", "WyomingTTS", "synthesize"]

FIRST_AUDIO_SECONDS = 2.0
"""How long the server may take to begin a line (and between its events) before the local
voice says it: about what Piper takes here for a long script item."""
LINE_SECONDS = 30.0
"""The most one line may take in all (the longest script item is about 25 seconds of speech)."""


_FORMAT = ("rate", "width", "channels")


@dataclass(frozen=True)
class RemoteVoice:
    """Where the home voice server is, as ``[voice]`` gives it."""

    uri: str
    """``tcp://HOST:PORT``, checked against the home-network rule when the settings load."""
    allow_remote: bool = False
    """Let the name resolve outside the home network (``allow_remote = true`` in ``[voice]``)."""


def synthesize(
    endpoint: Endpoint, text: str, allow_remote: bool = False, wait: float = FIRST_AUDIO_SECONDS
) -> tuple[np.ndarray, int]:
    """One exchange: ``text`` -> (int16 mono samples, rate); raises ServerProblem."""
    end = time.monotonic() + LINE_SECONDS
    with Link(endpoint, allow_remote) as link:
        link.send(Synthesize(text=text).event(), time.monotonic() + wait)
        audio, fmt = bytearray(), None
        while True:
            event = link.receive(min(end, time.monotonic() + wait))
            if AudioStart.is_type(event.type) or AudioChunk.is_type(event.type):
                try:
                    rate, width, channels = (
                        int(event.data[k]) for k in ("rate", "width", "channels")
                    )
                except (KeyError, TypeError, ValueError):
                    raise ServerProblem("it sent audio without a usable format") from None
                if width != 2 or channels < 1 or not 8000 <= rate <= 96000:
                    raise ServerProblem(f"it sent audio this speaker cannot play ({width * 8}-bit)")
                fmt = (rate, channels)
                if AudioChunk.is_type(event.type):
                    audio += event.payload or b""
            elif AudioStop.is_type(event.type):
                break
            elif Error.is_type(event.type):
                raise ServerProblem("it answered with an error")
        if fmt is None or not audio:
            raise ServerProblem("it sent no audio")
    rate, channels = fmt
    samples = np.frombuffer(bytes(audio[: len(audio) // (2 * channels) * 2 * channels]), "<i2")
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1).astype(np.int16)
    return samples, rate


class WyomingTTS:
    """``TextToSpeech`` on a home Wyoming voice server; ``local`` speaks when it cannot."""

    name = "wyoming"

    def __init__(
        self, remote: RemoteVoice, local: TextToSpeech, probe_seconds: float = PROBE_SECONDS
    ) -> None:
        self.endpoint = parse_uri(remote.uri)
        self.remote = remote
        self.local = local
        self.health = ServerHealth(
            self.endpoint, remote.allow_remote, "voice", f"the local voice ({local.name})",
            probe_seconds,
        )  # fmt: skip
        self.remote_count = 0
        """Lines the server rendered (a count, for tests)."""

    def render(self, text: str) -> tuple[np.ndarray, int]:
        if self.health.up:
            try:
                samples, rate = synthesize(self.endpoint, text, self.remote.allow_remote)
            except ServerProblem as exc:
                self.health.failed(str(exc))
            else:
                self.remote_count += 1
                return trim_silence(samples, rate), rate
        return self.local.render(text)

    def close(self) -> None:
        self.health.close()
