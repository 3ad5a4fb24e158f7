"""Recognition on a home server over Wyoming, with the speaker's own engine as the fallback.

``[recognition] engine = "wyoming"`` and ``uri = "tcp://HOST:10300"``: a stronger machine in the
home (a Home Assistant server, a NAS running ``wyoming-faster-whisper``) writes down what was
said, and the transcript goes into the same understanding as the local engine's.

How a segment is decided, and why:

* **Endpoint here**: the speaker's own ``Segmenter`` decides where speech starts and ends, as for
  every local engine, so ``decided_at`` means the same thing and the server only ever hears
  stretches that sounded like speech, never the room in between. As with local Whisper, at the
  first short pause the audio so far is transcribed once (by the server, which is given
  ``PAUSE_WAIT`` for it) and the segment ends early when that is already one of the product's
  phrases.
* **One exchange per transcription**: connect (``CONNECT_SECONDS``), then ``transcribe``,
  ``audio-start``, the segment's audio in ``audio-chunk``s, ``audio-stop``; the answer is the
  ``transcript`` (or the ``transcript-chunk``s of a streaming server, joined at
  ``transcript-stop``), awaited at most ``ANSWER_SECONDS``. Whisper's known inventions
  ("Thank you.") are rejected as for the local engine.
* **"stop" and danger never wait on the network**: while the server transcribes a segment (on a
  worker thread), the local engine reads the same audio here, and that first reading is handed
  out at once (``on_early``, as an ``Utterance`` with ``early=True``) before the server's answer
  is awaited; before even that, a keyphrase spotter (``stopspot``) hands out a short segment
  that is a "stop", in a few milliseconds. The voice loop acts on these only when they are
  "stop" (which then only silences the speaker) or danger (``live.early``); the server's
  transcript decides everything else. So danger is heard at least as well as by the local
  engine alone: it *is* the local engine's reading, and the server can only add to it.
* **Never deaf**: when the server cannot be used (nothing listening, switched off, slow, gone
  mid-answer, not speaking Wyoming) the local engine's reading, already made, decides that
  segment, and one log line says so. While it is down no utterance waits for it: a background
  probe asks it ``describe`` every ``PROBE_SECONDS`` and one line says when it is back.
* **Nothing of what was said is logged**; problems name the server and what went wrong only.

The server gives no word probabilities, so the nearest-sentence snapping that local Whisper's
unsure words allow (``intents.nearest``) does not apply to its transcripts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, replace

from ..homenet.address import parse_uri
from ..homenet.health import PROBE_SECONDS, ServerHealth
from ..homenet.link import ServerProblem, describe
from ..models import AudioChunk, Utterance
from .base import Recognizer, normalize_phrases
from .segmenter import SegmentedStream, Segmenter
from .stopspot import StopSpotter
from .whisperdecode import HALLUCINATIONS, normalize_transcript
from .wyomingwire import ANSWER_SECONDS, CHUNK_BYTES, transcribe

__all__ = [
    "ANSWER_SECONDS",
    "PROBE_SECONDS",
    "RemoteASR",
    "WyomingRecognizer",
    "describe",
    "transcribe",
]

PAUSE_WAIT = 0.3
"""How long the server may take, at a short pause inside speech, to say that what was said so
far is already a request (then the segment ends early): about what local Whisper takes for the
same check. Longer, and the segment goes on; nothing else waits."""
_TAIL = 0.15
"""Seconds kept after the end of speech (the VAD cuts soft endings), as local Whisper does."""


@dataclass(frozen=True)
class RemoteASR:
    """Where the home server is, as the settings give it (``[recognition]``)."""

    uri: str
    """``tcp://HOST:PORT``; checked against the home-network rule when the settings load."""
    allow_remote: bool = False
    """Let the name resolve outside the home network (the user wrote ``allow_remote = true``)."""
    language: str = "en"
    """Language of the speech, sent with ``transcribe``."""
    answer_seconds: float = 2.0
    """How long the server may take to answer after the audio's end (``ANSWER_SECONDS``)."""


class WyomingRecognizer(SegmentedStream):
    """``Recognizer`` whose segments are transcribed by a home server; see the module docstring.

    ``local`` is the speaker's own engine; it decides every segment the server does not.
    """

    name = "wyoming"
    sample_rate = 16000

    def __init__(
        self,
        phrases: Sequence[str],
        remote: RemoteASR,
        local: Recognizer,
        segmenter: Segmenter | None = None,
        answer_seconds: float | None = None,
        probe_seconds: float = PROBE_SECONDS,
    ) -> None:
        self.endpoint = parse_uri(remote.uri)
        self.remote = remote
        self.local = local
        self.phrases = frozenset(normalize_phrases(phrases))
        self.missing_words: list[str] = []  # the server writes any word
        self._answer_s = remote.answer_seconds if answer_seconds is None else answer_seconds
        self._seg = segmenter or Segmenter(self.sample_rate)
        self.health = ServerHealth(
            self.endpoint, remote.allow_remote, "speech-to-text",
            f"the local engine ({local.name})", probe_seconds,
        )  # fmt: skip
        self.remote_count = 0
        """Segments the server decided (a count, for tests and benches)."""
        self.local_count = 0
        """Segments the local engine decided because the server could not."""
        self.on_early: Callable[[Utterance], None] | None = None
        """Given the local engine's reading of each segment (``early=True``) as soon as it is
        made, before the server's answer is awaited; the voice loop acts on "stop" and danger
        there (``live.early``). None: nobody is told early (``recognize``)."""
        self._server = ThreadPoolExecutor(4, thread_name_prefix="wyoming-asr")
        self._spotter = StopSpotter(self.phrases)
        self.reset()

    @property
    def server_down(self) -> bool:
        """Whether the server is skipped now (it failed; the probe has not yet seen it back)."""
        return not self.health.up

    def reset(self) -> None:
        self._seg.reset()
        self._buf = b""
        self._t = 0.0
        self._started = False
        self._audio = bytearray()
        self._audio_start = 0.0
        self._exchanges: dict[int, Future[str]] = {}
        """The server's exchanges for this segment, by bytes of audio sent."""
        self._readings: dict[int, list[Utterance]] = {}
        self._spots: dict[int, bool] = {}
        """The local engine's readings of this segment, by bytes of audio read."""

    def close(self) -> None:
        """Stop the background probe (if the server is down) and the exchange thread."""
        self.health.close()
        self._server.shutdown(wait=False, cancel_futures=True)

    # -- deciding ----------------------------------------------------------------------------
    def _drain(self, stop_when_idle: bool = False) -> list[Utterance]:
        out: list[Utterance] = []
        for frame, now in self._frames(stop_when_idle):
            ev = self._seg.process(frame, now, self._complete)
            if ev.started:
                self._audio = bytearray()
                self._audio_start = now + self._seg.frame_seconds - len(ev.audio) / 2 / 16000
                self._exchanges, self._readings, self._spots = {}, {}, {}
            self._audio += ev.audio
            if ev.ended and not self._seg.too_short:
                text, local = self._decide(self._speech_bytes(self._t))
                if text is None:
                    self.local_count += 1
                    out += [replace(u, decided_at=round(self._t, 3)) for u in local]
                    continue
                self.remote_count += 1
                out.append(
                    Utterance(text, round(ev.speech_start, 3), round(ev.speech_end, 3),
                              round(self._t, 3), 1.0 if text else 0.0, bool(text),
                              enough_to_interrupt=bool(text))
                )  # fmt: skip
        return out

    def _speech_bytes(self, audio_end: float) -> int:
        """Bytes of the segment up to the end of speech plus ``_TAIL`` (as local Whisper cuts)."""
        behind = audio_end - (self._seg.last_speech_end + _TAIL)
        return max(0, len(self._audio) - max(0, round(behind * self.sample_rate)) * 2)

    def _complete(self) -> bool:
        """At a short pause: end early if what was heard so far is a known phrase. A spotted
        "stop" is one (and ends here, so its final reading follows at once, as local Whisper
        ends at a complete "stop"). The server is given ``PAUSE_WAIT`` to say so (its exchange
        goes on, and the segment's end uses it if it ends here), so a pause inside a sentence
        costs the network at most that. When it is down, the segment goes on to its end, where
        the local engine reads it once (reading it at every pause too would double its work)."""
        n = self._speech_bytes(self._t - self._seg.frame_seconds)  # this frame is not in yet
        asked = None if self.server_down else self._asked(n)
        if self._spot(n):
            return True
        try:
            return asked is not None and asked.result(timeout=PAUSE_WAIT) in self.phrases
        except (FutureTimeout, ServerProblem):
            return False

    def _decide(self, n: int) -> tuple[str | None, list[Utterance]]:
        """The first ``n`` bytes of the segment read both ways at once: the server's exchange
        started, the stop spotter and the local engine's reading (handed to ``on_early``)
        meanwhile, then the server's answer awaited. Returns (its normalized transcript, or
        None when it cannot be used now; the local engine's utterances)."""
        asked = None if self.server_down else self._asked(n)
        self._spot(n)
        local = self._local(n)
        return (None if asked is None else self._answer(asked)), local

    def _asked(self, n: int) -> Future[str]:
        """The server's exchange over the first ``n`` bytes (started once per ``n``)."""
        if n not in self._exchanges:
            asked = self._server.submit(self._ask, bytes(self._audio[:n]))
            asked.add_done_callback(self._note)  # an exchange nobody awaits still counts
            self._exchanges[n] = asked
        return self._exchanges[n]

    def _spot(self, n: int) -> bool:
        """Whether the first ``n`` bytes are a "stop" (asked once per ``n``, only when someone
        hears of it early); ``on_early`` is told in a few ms, before the local engine reads."""
        if self.on_early is None:
            return False
        if n not in self._spots:
            start, end = self._seg.speech_start, self._seg.last_speech_end
            said = self._spotter.spot(bytes(self._audio), end - start)  # the quiet after too
            self._spots[n] = bool(said)
            if said:
                at = (round(start, 3), round(end, 3), round(self._t, 3))
                self.on_early(Utterance(said, *at, 1.0, True, True, early=True))
        return self._spots[n]

    def _local(self, n: int) -> list[Utterance]:
        """The local engine's reading of the first ``n`` bytes (made once per ``n``), handed to
        ``on_early`` as soon as it is made."""
        if n not in self._readings:
            local = self._local_reading(bytes(self._audio[:n]))
            self._readings[n] = local
            if self.on_early is not None:
                for u in local:
                    self.on_early(replace(u, decided_at=round(self._t, 3), early=True))
        return self._readings[n]

    def _ask(self, pcm: bytes) -> str:
        """One exchange with the server (on the worker thread); Whisper's inventions dropped."""
        raw = transcribe(
            self.endpoint, pcm, self.remote.language, self.remote.allow_remote, self._answer_s
        )
        text = normalize_transcript(raw)
        return "" if text in HALLUCINATIONS else text

    def _answer(self, asked: Future[str]) -> str | None:
        """The server's transcript, or None (and the health told why) when it failed. The
        exchange keeps its own deadlines (connect, then ``answer_seconds``), so this returns."""
        try:
            return asked.result()
        except ServerProblem as exc:
            self.health.failed(str(exc))  # ``_note`` may not have run yet; it logs once anyway
            return None

    def _note(self, asked: Future[str]) -> None:
        """When an exchange failed, tell the health (once per outage it logs and probes)."""
        exc = None if asked.cancelled() else asked.exception()
        if isinstance(exc, ServerProblem):
            self.health.failed(str(exc))

    def _local_reading(self, pcm: bytes) -> list[Utterance]:
        """The local engine's utterances in the segment's audio, times moved onto this stream."""
        self.local.reset()
        heard: list[Utterance] = []
        rate = self.sample_rate
        for i in range(0, len(pcm), CHUNK_BYTES):
            heard += self.local.accept(AudioChunk(pcm[i : i + CHUNK_BYTES], rate, i / 2 / rate))
        heard += self.local.flush()
        self.local.reset()
        shift = self._audio_start
        return [replace(u, start=round(u.start + shift, 3), end=round(u.end + shift, 3))
                for u in heard]  # fmt: skip
