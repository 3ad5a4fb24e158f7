"""The wire between the assistant and its echo process: message kinds and one framed channel.

Both sides import only this (the assistant's ``echoremote``, the process's ``live/echoproc``),
so what a message carries is written down in one place, apart from either side's work.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Sequence

__all__ = ["Channel", "Msg"]


class Msg:
    """One-byte kinds of the messages between the assistant and its echo process, on a socket
    pair (``Channel``)."""

    MIC = b"M"  # assistant -> here: <d at (monotonic)><d start (stream s)> + int16 samples
    PLAYER = b"P"  # assistant -> here: <i rate>, the player's memfd alongside (SCM_RIGHTS)
    PHRASES = b"S"  # assistant -> here: JSON list of the grammar's phrases (spot stops)
    ACTED = b"A"  # assistant -> here: the stop handed on was acted on
    RESET = b"R"  # assistant -> here: a new microphone stream
    OUT = b"O"  # here -> assistant: <d start> + cancelled int16 samples (``OUT_MS`` chunks)
    JUDGED = b"J"  # here -> assistant: <d start><d end> + verdict (``live.overheard``)
    STOP = b"T"  # here -> assistant: <d start><d end><d at> + phrase (monotonic times)
    READY = b"Y"  # here -> assistant: started
    FAILED = b"E"  # here -> assistant: utf-8 why it cannot run


class Channel:
    """Messages on one end of a stream socket pair: ``<I length>`` + kind + body each.

    A stream, not ``SOCK_SEQPACKET``: a Unix datagram queue holds ``net.unix.max_dgram_qlen``
    messages (10 here), 200 ms of microphone blocks, and a starved reader then lost audio and
    stops; a stream holds ``BUFFER`` bytes (minutes of audio). Sends are whole messages under
    a lock (several threads send on the assistant's side)."""

    BUFFER = 4 << 20

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._lock = threading.Lock()
        self._buf = bytearray()
        self._fds: list[int] = []
        for opt in (socket.SO_SNDBUF, socket.SO_RCVBUF):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, opt, self.BUFFER)

    def send(self, kind: bytes, body: bytes = b"", fds: Sequence[int] = ()) -> None:
        """One message (``fds`` ride with its first byte); raises ``OSError`` when the other
        end is gone."""
        data = struct.pack("<I", len(body) + 1) + kind + body
        with self._lock:
            if fds:
                sent = socket.send_fds(self.sock, [data], list(fds))
                data = data[sent:]
            if data:
                self.sock.sendall(data)

    def receive(self) -> tuple[bytes, bytes, list[int]]:
        """The next message: kind, body and the descriptors that came with it; kind b"" at
        the end of the stream."""
        while True:
            if len(self._buf) >= 4:
                (n,) = struct.unpack_from("<I", self._buf)
                if len(self._buf) >= 4 + n:
                    message = bytes(self._buf[4 : 4 + n])
                    del self._buf[: 4 + n]
                    fds = self._fds if message[:1] == Msg.PLAYER else []
                    if fds:
                        self._fds = []
                    return message[:1], message[1:], fds
            data, fds, _flags, _addr = socket.recv_fds(self.sock, 1 << 16, 4)
            if not data:
                return b"", b"", []
            self._buf += data
            self._fds += fds
