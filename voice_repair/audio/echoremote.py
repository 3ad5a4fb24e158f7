"""The assistant's handle on the echo process (``live/echoproc.py``): blocks in, audio out.

Stands where an in-process ``echo.EchoCanceller`` stands (``echo_setup``, ``live.bargein``):
``stream`` hands the microphone's blocks to the echo process and yields what it sends back,
in the recognizer's 100 ms chunks; ``spot`` turns its stop spotter on; ``attach_player`` (told
by the ``Player`` through ``PlayedAudio.on_player``) hands it each new player process's memory,
so it reads the reference and mutes the voice there itself. The assistant's part of a stop is
then only what needs the session: the cut of the rest, the "Okay.", the mode. The messages
themselves, and the channel they travel on, are ``echowire``'s.

A process that dies, or never says it is ready, ends the stream with ``AudioDeviceError`` (the
voice loop reopens the microphone, and the next stream starts a new process); ``close`` never
waits more than ``CLOSE_WAIT_S`` (a stop must end the product within 1.5 s).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Collection, Iterable, Iterator

from ..errors import AudioDeviceError
from ..models import AudioChunk
from .echo import PlayedAudio
from .echopath import BACKLOG_S, OUT_MS
from .echowire import Channel, Msg

__all__ = ["EchoProcess"]

log = logging.getLogger(__name__)

READY_S = 20.0
"""How long a new echo process may take to start (Python, numpy, pocketsphinx, SpeexDSP: 1-3 s
quiet, several times that at load 20 on the shared machine)."""
CLOSE_WAIT_S = 0.5
"""How long ``close`` waits for the process to end by itself before killing it."""
_LOOK_S = 1.0


class _End:
    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


class EchoProcess:
    """The echo path in a process of its own; see the module docstring."""

    def __init__(self, engine: str, played: PlayedAudio | None = None) -> None:
        self.engine = engine
        self.played = played or PlayedAudio()
        """Given to the ``Player``: only its ``on_player`` hook is used (the reference and the
        duck live in the echo process)."""
        self.played.on_player = self.attach_player
        self.on_stop: Callable[[str, float, float, float], None] = lambda *_a: None
        """Called (on this side's reader thread) with each stop the echo process handed on:
        phrase, its start and end and when it was handed on (``time.monotonic()``)."""
        self.on_judged: Callable[[float, float, str], None] = lambda *_a: None
        """Told each stretch of speech heard over its voice, as the barge-in judged it."""
        self._phrases: list[str] | None = None
        self._player: tuple[int, int] | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._channel: Channel | None = None
        self._out: queue.Queue[AudioChunk | _End] | None = None
        self._lock = threading.Lock()
        self._tmp: str | None = None

    def spot(self, phrases: Collection[str], on_stop: Callable[[str, float, float, float], None]):
        """Spot stop phrases (those of the grammar's ``phrases``) over its voice."""
        self._phrases, self.on_stop = sorted(phrases), on_stop
        self._send(Msg.PHRASES, json.dumps(self._phrases).encode())

    def attach_player(self, fd: int, rate: int) -> None:
        """A new player process plays from memory ``fd`` at ``rate`` (a copy of ``fd`` is kept
        here, handed again to a new echo process)."""
        if self._player is not None:
            os.close(self._player[0])
        self._player = (os.dup(fd), rate)
        self._send(Msg.PLAYER, struct.pack("<i", rate), (self._player[0],))

    def stop_acted(self) -> None:
        """The stop handed on was acted on: its voice may be heard again (ducked)."""
        self._send(Msg.ACTED)

    def reset(self) -> None:
        """A new microphone stream (said to the process when the stream starts)."""

    def start(self) -> None:
        """Start the process now unless one runs (``stream`` starts one itself otherwise):
        ``echo_setup`` asks at the assistant's start, so a process that cannot start is known
        before any microphone opens, and the echo path can run in the assistant instead.
        Raises ``AudioDeviceError`` saying why it did not start."""
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._drop()
                self._start()

    def _start(self) -> None:
        here, there = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        channel = Channel(here)
        Channel(there)  # its buffers
        verbose = "1" if logging.getLogger().isEnabledFor(logging.INFO) else "0"
        # Its temporary files (the stop spotter's pocketsphinx dictionaries) in a folder this
        # side removes: the process ends with ``os._exit`` or is killed, so it never does.
        self._tmp = tempfile.mkdtemp(prefix="voice-repair-echo-")
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "voice_repair.live.echoproc", str(there.fileno()),
                 self.engine, verbose],
                pass_fds=(there.fileno(),), stdin=subprocess.DEVNULL,
                env={**os.environ, "TMPDIR": self._tmp},
            )  # fmt: skip
        except OSError as exc:
            self._remove_tmp()
            raise AudioDeviceError(f"cannot start the echo process ({exc})") from exc
        finally:
            there.close()
        here.settimeout(READY_S)
        try:
            kind, body, _fds = channel.receive()
        except OSError:  # TimeoutError included
            kind, body = b"", b""
        if kind != Msg.READY:
            self._kill(self._proc)
            self._remove_tmp()
            here.close()
            why = body.decode(errors="replace") if kind == Msg.FAILED else "no answer"
            raise AudioDeviceError(f"the echo process did not start ({why or 'it exited'})")
        here.settimeout(None)
        self._channel = channel
        if self._phrases is not None:
            self._send(Msg.PHRASES, json.dumps(self._phrases).encode())
        if self._player is not None:
            self._send(Msg.PLAYER, struct.pack("<i", self._player[1]), (self._player[0],))
        threading.Thread(target=self._read, args=(channel,), name="echo-read", daemon=True).start()

    def _send(self, kind: bytes, body: bytes = b"", fds: tuple[int, ...] = ()) -> bool:
        """Said to the process when one runs (a new one is told everything at its start)."""
        channel = self._channel
        if channel is None:
            return False
        try:
            channel.send(kind, body, fds)
            return True
        except OSError:  # it ended: the reader says so to the stream
            return False

    def _read(self, channel: Channel) -> None:
        """Cancelled chunks to the stream in use, stops to ``on_stop``, until the process ends."""
        keep = max(1, round(BACKLOG_S * 1000 / OUT_MS))
        while True:
            try:
                kind, body, _fds = channel.receive()
            except OSError:
                kind, body = b"", b""
            out = self._out
            if not kind:
                if out is not None and self._channel is channel:
                    out.put(_End(AudioDeviceError("the echo process ended; the microphone "
                                                  "is reopened with a new one")))  # fmt: skip
                return
            if kind == Msg.OUT and out is not None:
                if out.qsize() >= keep:
                    log.warning("the recognizer fell behind: dropped %d ms of audio", OUT_MS)
                    continue
                (start,) = struct.unpack_from("<d", body)
                out.put(AudioChunk(body[8:], 16000, start))
            elif kind == Msg.JUDGED:
                start, end = struct.unpack_from("<dd", body)
                self.on_judged(start, end, body[16:].decode())
            elif kind == Msg.STOP:
                start, end, at = struct.unpack_from("<ddd", body)
                try:
                    self.on_stop(body[24:].decode(), start, end, at)
                except Exception as exc:  # raised to the stream's consumer, as in process
                    # (the voice loop's route check raises when the microphone is gone; left
                    # here it ended this thread, and the stream waited for audio for ever)
                    if out is not None:
                        out.put(_End(exc))
            elif kind == Msg.FAILED:
                log.error("echo process: %s", body.decode(errors="replace"))

    def stream(
        self, chunks: Iterable[AudioChunk], captured_at: Callable[[AudioChunk], float]
    ) -> Iterator[AudioChunk]:
        """``chunks`` cancelled in the echo process, in chunks of ``OUT_MS``. An error raised by
        ``chunks`` (the microphone gone), or the process's end, is raised here."""
        self.start()
        out: queue.Queue[AudioChunk | _End] = queue.Queue()
        self._out = out
        self._send(Msg.RESET)
        stop = threading.Event()

        def forward() -> None:
            try:
                for chunk in chunks:
                    if stop.is_set():
                        return
                    head = struct.pack("<dd", captured_at(chunk), chunk.start)
                    self._send(Msg.MIC, head + chunk.samples)
                out.put(_End())
            except BaseException as exc:  # handed to the consumer, raised there
                out.put(_End(exc))

        worker = threading.Thread(target=forward, name="echo-feed", daemon=True)
        worker.start()
        try:
            while True:
                try:
                    item = out.get(timeout=_LOOK_S)
                except queue.Empty:
                    if worker.is_alive() or not out.empty():
                        continue
                    raise AudioDeviceError("the echo process's feed ended without a word") from None
                if isinstance(item, _End):
                    if item.error is not None:
                        raise item.error
                    return
                yield item
        finally:
            stop.set()
            if self._out is out:
                self._out = None

    def _drop(self) -> None:
        channel, self._channel = self._channel, None
        if channel is not None:
            with contextlib.suppress(OSError):
                channel.sock.shutdown(socket.SHUT_RDWR)  # wakes the reader; the process ends
            channel.sock.close()
        if self._proc is not None:
            self._kill(self._proc)
        self._remove_tmp()

    def _remove_tmp(self) -> None:
        tmp, self._tmp = self._tmp, None
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    @staticmethod
    def _kill(proc: subprocess.Popen[bytes]) -> None:
        try:
            proc.wait(CLOSE_WAIT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            threading.Thread(target=proc.wait, name="echo-reap", daemon=True).start()

    def close(self) -> None:
        """End the process (end of file on its socket; killed after ``CLOSE_WAIT_S``)."""
        with self._lock:
            self._drop()
            self._proc = None
            if self._player is not None:
                os.close(self._player[0])
                self._player = None
