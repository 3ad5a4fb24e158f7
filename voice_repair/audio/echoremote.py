"""The assistant's handle on the echo process (``live/echoproc.py``): blocks in, audio out.

Stands where an in-process ``echo.EchoCanceller`` stands (``echo_setup``, ``live.bargein``):
``stream`` hands the microphone's blocks to the echo process and yields what it sends back,
in the recognizer's 100 ms chunks; ``spot`` turns its stop spotter on; ``attach_player`` (told
by the ``Player`` through ``PlayedAudio.on_player``) hands it each new player process's memory,
so it reads the reference and mutes the voice there itself. The assistant's part of a stop is
then only what needs the session: the cut of the rest, the "Okay.", the mode.

A process that dies, or never says it is ready, ends the stream with ``AudioDeviceError`` (the
voice loop reopens the microphone, and the next stream starts a new process); ``close`` never
waits more than ``CLOSE_WAIT_S`` (a stop must end the product within 1.5 s).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Collection, Iterable, Iterator

from ..errors import AudioDeviceError
from ..models import AudioChunk
from .echo import PlayedAudio
from .echopath import BACKLOG_S, OUT_MS

__all__ = ["EchoProcess", "Msg"]

log = logging.getLogger(__name__)

READY_S = 20.0
"""How long a new echo process may take to start (Python, numpy, pocketsphinx, SpeexDSP: 1-3 s
quiet, several times that at load 20 on the shared machine)."""
CLOSE_WAIT_S = 0.5
"""How long ``close`` waits for the process to end by itself before killing it."""
_LOOK_S = 1.0
_BUFFER = 1 << 20
"""Socket buffer each way: seconds of audio, so neither side waits on a slow reader."""


class Msg:
    """One-byte kinds of the messages between the assistant and its echo process, on a socket
    pair (``SOCK_SEQPACKET``: one message per send)."""

    MIC = b"M"  # assistant -> here: <d at (monotonic)><d start (stream s)> + int16 samples
    PLAYER = b"P"  # assistant -> here: <i rate>, the player's memfd alongside (SCM_RIGHTS)
    PHRASES = b"S"  # assistant -> here: JSON list of the grammar's phrases (spot stops)
    ACTED = b"A"  # assistant -> here: the stop handed on was acted on
    RESET = b"R"  # assistant -> here: a new microphone stream
    OUT = b"O"  # here -> assistant: <d start> + cancelled int16 samples (``OUT_MS`` chunks)
    STOP = b"T"  # here -> assistant: <d start><d end><d at> + phrase (monotonic times)
    READY = b"Y"  # here -> assistant: started
    FAILED = b"E"  # here -> assistant: utf-8 why it cannot run


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
        self._phrases: list[str] | None = None
        self._player: tuple[int, int] | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self._out: queue.Queue[AudioChunk | _End] | None = None
        self._lock = threading.Lock()
        self.dropped = 0

    def spot(self, phrases: Collection[str], on_stop: Callable[[str, float, float, float], None]):
        """Spot stop phrases (those of the grammar's ``phrases``) over its voice."""
        self._phrases, self.on_stop = sorted(phrases), on_stop
        if self._sock is not None:
            self._send(Msg.PHRASES + json.dumps(self._phrases).encode())

    def attach_player(self, fd: int, rate: int) -> None:
        """A new player process plays from memory ``fd`` at ``rate`` (a copy of ``fd`` is kept
        here, handed again to a new echo process)."""
        if self._player is not None:
            os.close(self._player[0])
        self._player = (os.dup(fd), rate)
        if self._sock is not None:
            self._send_player()

    def stop_acted(self) -> None:
        """The stop handed on was acted on: its voice may be heard again (ducked)."""
        if self._sock is not None:
            self._send(Msg.ACTED)

    def reset(self) -> None:
        """A new microphone stream (said to the process when the stream starts)."""

    def _start(self) -> None:
        here, there = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        for s in (here, there):
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _BUFFER)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _BUFFER)
        verbose = "1" if logging.getLogger().isEnabledFor(logging.INFO) else "0"
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "voice_repair.live.echoproc", str(there.fileno()),
                 self.engine, verbose],
                pass_fds=(there.fileno(),), stdin=subprocess.DEVNULL,
            )  # fmt: skip
        except OSError as exc:
            raise AudioDeviceError(f"cannot start the echo process ({exc})") from exc
        finally:
            there.close()
        here.settimeout(READY_S)
        try:
            first = here.recv(65536)
        except (TimeoutError, OSError):
            first = b""
        if first != Msg.READY:
            self._kill(self._proc)
            here.close()
            why = first[1:].decode(errors="replace") if first[:1] == Msg.FAILED else "no answer"
            raise AudioDeviceError(f"the echo process did not start ({why or 'it exited'})")
        here.settimeout(None)
        self._sock = here
        if self._phrases is not None:
            self._send(Msg.PHRASES + json.dumps(self._phrases).encode())
        if self._player is not None:
            self._send_player()
        threading.Thread(target=self._read, args=(here,), name="echo-read", daemon=True).start()

    def _send_player(self) -> None:
        assert self._player is not None and self._sock is not None
        fd, rate = self._player
        try:
            socket.send_fds(self._sock, [Msg.PLAYER + struct.pack("<i", rate)], [fd])
        except OSError as exc:
            log.warning("echo process: could not hand over the player's memory (%s)", exc)

    def _send(self, data: bytes) -> bool:
        sock = self._sock
        if sock is None:
            return False
        try:
            sock.send(data, socket.MSG_DONTWAIT)
            return True
        except BlockingIOError:
            self.dropped += 1
            if self.dropped % 50 == 1:
                log.warning("echo process fell behind: %d microphone blocks dropped", self.dropped)
            return False
        except OSError:
            return False

    def _read(self, sock: socket.socket) -> None:
        """Cancelled chunks to the stream in use, stops to ``on_stop``, until the process ends."""
        keep = max(1, round(BACKLOG_S * 1000 / OUT_MS))
        while True:
            try:
                data = sock.recv(65536)
            except OSError:
                data = b""
            out = self._out
            if not data:
                if out is not None and self._sock is sock:
                    out.put(_End(AudioDeviceError("the echo process ended; the microphone "
                                                  "is reopened with a new one")))  # fmt: skip
                return
            kind, body = data[:1], data[1:]
            if kind == Msg.OUT and out is not None:
                if out.qsize() >= keep:
                    log.warning("the recognizer fell behind: dropped %d ms of audio", OUT_MS)
                    continue
                (start,) = struct.unpack_from("<d", body)
                out.put(AudioChunk(body[8:], 16000, start))
            elif kind == Msg.STOP:
                start, end, at = struct.unpack_from("<ddd", body)
                self.on_stop(body[24:].decode(), start, end, at)
            elif kind == Msg.FAILED:
                log.error("echo process: %s", body.decode(errors="replace"))

    def stream(
        self, chunks: Iterable[AudioChunk], captured_at: Callable[[AudioChunk], float]
    ) -> Iterator[AudioChunk]:
        """``chunks`` cancelled in the echo process, in chunks of ``OUT_MS``. An error raised by
        ``chunks`` (the microphone gone), or the process's end, is raised here."""
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._drop()
                self._start()
        out: queue.Queue[AudioChunk | _End] = queue.Queue()
        self._out = out
        self._send(Msg.RESET)
        stop = threading.Event()

        def forward() -> None:
            try:
                for chunk in chunks:
                    if stop.is_set():
                        return
                    head = Msg.MIC + struct.pack("<dd", captured_at(chunk), chunk.start)
                    self._send(head + chunk.samples)
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
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()
        if self._proc is not None:
            self._kill(self._proc)

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
