"""Real Wyoming servers on 127.0.0.1 for the tests: the ``wyoming`` package's own server classes
(``AsyncTcpServer``, ``AsyncEventHandler``) around our Whisper, and faulty ones.

Each runs its own asyncio loop on a thread, on a free port chosen by the kernel; the client under
test talks to it over real TCP with the real protocol. Faults, one per ``behaviour``:

- ``whisper``:  transcribes the audio with the local Whisper model, answers ``transcript``
- ``plain``:    the same model used as ``wyoming-faster-whisper`` uses it: every segment's text
  joined, numerals and punctuation as Whisper writes them ("I need 10 minutes.")
- ``stream``:   as ``whisper``, answered as ``transcript-start``, one ``transcript-chunk`` per
  word, ``transcript-stop`` (a streaming server)
- ``dies``:     closes the connection after the first audio chunk
- ``slow``:     answers nothing for a minute after ``audio-stop``
- ``garbage``:  answers ``audio-stop`` with bytes that are not Wyoming

Importable as ``wyomingservers`` (pytest's ``pythonpath``). Only ever binds 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading

import numpy as np
from wyoming.asr import Transcribe, Transcript, TranscriptChunk, TranscriptStart, TranscriptStop
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.event import Event
from wyoming.info import (
    AsrModel,
    AsrProgram,
    Attribution,
    Describe,
    Info,
    TtsProgram,
    TtsVoice,
)
from wyoming.server import AsyncEventHandler, AsyncTcpServer
from wyoming.tts import Synthesize

__all__ = ["BEHAVIOURS", "WyomingServer", "free_port"]

BEHAVIOURS = ("whisper", "plain", "stream", "dies", "slow", "garbage")

_ATTRIBUTION = Attribution(name="voice-repair tests", url="https://example.invalid/")
INFO = Info(
    asr=[
        AsrProgram(
            name="voice-repair-test-asr", attribution=_ATTRIBUTION, installed=True,
            description="our Whisper behind the wyoming package's server", version="1",
            models=[AsrModel(name="tiny.en", attribution=_ATTRIBUTION, installed=True,
                             description="Whisper tiny.en", version="1", languages=["en"])],
        )
    ],
    tts=[
        TtsProgram(
            name="voice-repair-test-tts", attribution=_ATTRIBUTION, installed=True,
            description="our own voice behind the wyoming package's server", version="1",
            voices=[TtsVoice(name="espeak-ng", attribution=_ATTRIBUTION, installed=True,
                             description="espeak-ng", version="1", languages=["en"])],
        )
    ],
)  # fmt: skip


def free_port() -> int:
    """A TCP port on 127.0.0.1 with nothing listening (bound, read, released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DeafEngine:
    """A local engine that hears nothing: beside a Wyoming server, only what the stop
    spotter reads comes out early (tests/asr/test_stopspot.py, bench/wyoming.py)."""

    name, sample_rate, missing_words = "none", 16000, []

    def accept(self, chunk):
        return []

    def flush(self):
        return []

    def reset(self):
        pass


class _Handler(AsyncEventHandler):
    def __init__(self, server: WyomingServer, reader, writer) -> None:
        super().__init__(reader, writer)
        self._server = server
        self._audio = bytearray()

    async def handle_event(self, event: Event) -> bool:
        kind = self._server.behaviour
        if Describe.is_type(event.type):
            await self.write_event(INFO.event())
            return True
        if Synthesize.is_type(event.type):
            return await self._speak(Synthesize.from_event(event).text)
        if Transcribe.is_type(event.type):
            self._server.requests += 1
            self._audio = bytearray()
            return True
        if AudioChunk.is_type(event.type):
            self._audio += AudioChunk.from_event(event).audio
            return kind != "dies"  # False: the server hangs up mid-stream
        if not AudioStop.is_type(event.type):
            return True
        if kind == "slow":
            await asyncio.sleep(60)
            return False
        if kind == "garbage":
            self.writer.write(b"HTTP/1.1 500 Internal Server Error\r\n\r\n<html>oops</html>\n")
            await self.writer.drain()
            return True
        loop = asyncio.get_running_loop()
        text = await loop.run_in_executor(None, self._server.transcribe, bytes(self._audio))
        if kind == "stream":
            await self.write_event(TranscriptStart(language="en").event())
            for i, word in enumerate(text.split()):
                await self.write_event(TranscriptChunk(("" if i == 0 else " ") + word).event())
            await self.write_event(TranscriptStop().event())
        else:
            await self.write_event(Transcript(text=text, language="en").event())
        return True

    async def _speak(self, text: str) -> bool:
        kind = self._server.behaviour
        self._server.requests += 1
        if kind == "slow":
            await asyncio.sleep(60)
            return False
        if kind == "garbage":
            self.writer.write(b"\x00\xff not wyoming at all \xfe\n")
            await self.writer.drain()
            return True
        loop = asyncio.get_running_loop()
        samples, rate = await loop.run_in_executor(None, self._server.tts.render, text)
        self._server.spoken = (samples, rate)
        pcm = samples.astype("<i2").tobytes()
        await self.write_event(AudioStart(rate, 2, 1).event())
        for i in range(0, len(pcm), 4096):
            await self.write_event(AudioChunk(rate, 2, 1, pcm[i : i + 4096]).event())
            if kind == "dies":
                return False  # hangs up mid-line
        await self.write_event(AudioStop().event())
        return True


class WyomingServer:
    """A Wyoming server on 127.0.0.1 in a thread; a context manager.

    ``whisper`` is a ``WhisperRecognizer`` (for ``whisper`` and ``stream``): its own transcription
    of the segment, the same call the local engine makes. ``tts`` is one of our voices
    (``synthesize``: its ``render``, sent as audio-start, audio-chunks, audio-stop; ``dies``
    hangs up after the first chunk). ``port`` 0 picks a free port.
    """

    def __init__(self, behaviour: str, whisper=None, port: int = 0, tts=None) -> None:
        assert behaviour in BEHAVIOURS, behaviour
        self.behaviour = behaviour
        self.whisper = whisper
        self.tts = tts
        self.spoken = None
        """(samples, rate) of the last line the voice rendered and sent."""
        self.requests = 0
        """``transcribe`` requests received."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server = AsyncTcpServer("127.0.0.1", port)
        asyncio.run_coroutine_threadsafe(
            self._server.start(lambda r, w: _Handler(self, r, w)), self._loop
        ).result(10)
        self.port = self._server._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.uri = f"tcp://127.0.0.1:{self.port}"

    def transcribe(self, pcm: bytes) -> str:
        if self.behaviour == "plain":
            audio = np.frombuffer(pcm, "<i2").astype(np.float32) / 32768.0
            segments, _info = self.whisper._model.transcribe(audio, beam_size=5, language="en")
            return " ".join(seg.text.strip() for seg in segments)
        text, _words, _conf = self.whisper._transcribe(pcm, self.whisper.prompt)
        return text

    def __enter__(self) -> WyomingServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop listening and drop every connection (as a server that is switched off)."""
        if self._loop.is_closed():
            return

        async def stop() -> None:
            for task in list(self._server._handlers):
                task.cancel()  # a slow handler asleep in handle_event too
            await self._server.stop()
            server = self._server._server
            if server is not None:
                await server.wait_closed()

        with contextlib.suppress(TimeoutError):
            asyncio.run_coroutine_threadsafe(stop(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()
