"""One connection to a Wyoming server, every step bounded in time; the wire format is the
``wyoming`` package's own (``read_event``/``write_event``).

Why not the package's ``AsyncTcpClient``: the recognizer is called synchronously from the voice
loop, and its reader turns garbage and a hang-up alike into "no event" (``None``). Here the
package's event codec reads from a small socket reader with a deadline, so a server that is
slow, dies mid-answer or sends something that is not Wyoming becomes a ``ServerProblem`` saying
which, in time for the local engine to decide instead. No problem text ever holds the words.
"""

from __future__ import annotations

import socket
import threading
import time

from wyoming.event import Event, read_event, write_event
from wyoming.info import Describe, Info

from .address import Endpoint, resolve

__all__ = ["CONNECT_SECONDS", "Link", "ServerProblem", "describe"]

CONNECT_SECONDS = 1.0
"""How long to wait for the server to accept a connection before the local engine decides.
A home server on the same network accepts in milliseconds; a machine that is switched off
never answers, and this is what such an utterance loses."""
MAX_EVENT_BYTES = 16 * 1024 * 1024
"""An event claiming more than this (a header line, its data or its audio) is garbage: ten
seconds of 22 kHz speech is under half a megabyte."""


class ServerProblem(Exception):
    """The server could not be used for this request; the message says why (never the words)."""


class _Reader:
    """``readline``/``read`` over a socket for ``wyoming.event.read_event``, against a deadline."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buf = bytearray()
        self.deadline = 0.0
        self.closed = False
        """The server closed the connection (as opposed to sending garbage)."""
        self.line = b""
        """The last header line read (to tell garbage from a hang-up)."""

    def _fill(self) -> bool:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        self._sock.settimeout(left)
        data = self._sock.recv(65536)
        if not data:
            self.closed = True
            return False
        self._buf += data
        return True

    def readline(self) -> bytes:
        while b"\n" not in self._buf:
            if len(self._buf) > MAX_EVENT_BYTES:
                raise ServerProblem("it sent a header line too long to be Wyoming")
            if not self._fill():
                break
        end = self._buf.find(b"\n") + 1 or len(self._buf)
        self.line = bytes(self._buf[:end])
        del self._buf[:end]
        return self.line

    def read(self, n: int) -> bytes:
        if n > MAX_EVENT_BYTES:
            raise ServerProblem(f"it announced {n} bytes in one event, too many to be Wyoming")
        while len(self._buf) < n and self._fill():
            pass
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out


class _Writer:
    """What ``wyoming.event.write_event`` writes to: collects one event, sends it at ``flush``."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._parts: list[bytes] = []
        self.deadline = 0.0

    def writelines(self, parts) -> None:
        self._parts.extend(parts)

    def write(self, data: bytes) -> None:
        self._parts.append(data)

    def flush(self) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        self._sock.settimeout(left)
        self._sock.sendall(b"".join(self._parts))
        self._parts.clear()


class Link:
    """A connection to one Wyoming server; use as a context manager.

    ``Link(endpoint, allow_remote)`` connects (``CONNECT_SECONDS`` at most) to an address that
    passes the home rule (``address.resolve``), or raises ``ServerProblem``. ``send`` and
    ``receive`` take a ``deadline`` on ``time.monotonic()``; past it they raise ``ServerProblem``.
    """

    def __init__(
        self,
        endpoint: Endpoint,
        allow_remote: bool = False,
        connect_seconds: float = CONNECT_SECONDS,
    ) -> None:
        self.endpoint = endpoint
        addresses = _resolve_within(endpoint, allow_remote, connect_seconds)
        last: OSError | None = None
        self._sock: socket.socket | None = None
        for address in addresses:
            try:
                self._sock = socket.create_connection(address[:2], timeout=connect_seconds)
                break
            except OSError as exc:
                last = exc
        if self._sock is None:
            raise ServerProblem(f"no connection ({_reason(last)})")
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._reader = _Reader(self._sock)
        self._writer = _Writer(self._sock)

    def __enter__(self) -> Link:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def send(self, event: Event, deadline: float) -> None:
        """Write one event, or raise ServerProblem (timeout, connection lost)."""
        self._writer.deadline = deadline
        try:
            write_event(event, self._writer)  # type: ignore[arg-type]
        except TimeoutError:
            raise ServerProblem("it stopped taking audio in time") from None
        except OSError as exc:
            raise ServerProblem(f"the connection was lost while sending ({_reason(exc)})") from None

    def receive(self, deadline: float) -> Event:
        """Read one event, or raise ServerProblem: timeout, hang-up, or not Wyoming."""
        self._reader.deadline = deadline
        try:
            event = read_event(self._reader)  # type: ignore[arg-type]
        except TimeoutError:
            raise ServerProblem("it did not answer in time") from None
        except OSError as exc:
            raise ServerProblem(f"the connection was lost ({_reason(exc)})") from None
        except (KeyError, TypeError, AttributeError, ValueError):
            event = None  # valid JSON that is no event (no "type", a list, a text length)
            self._reader.closed = False
        if event is None and self._reader.closed:
            raise ServerProblem("it closed the connection before answering")
        if event is None or not isinstance(event.type, str) or not isinstance(event.data, dict):
            raise ServerProblem("it sent something that is not a Wyoming event")
        return event


def _resolve_within(endpoint: Endpoint, allow_remote: bool, seconds: float) -> list[tuple]:
    """``address.resolve`` given at most ``seconds``: a ``.local`` name nobody answers for keeps
    the system resolver waiting about five seconds, more than an utterance may lose."""
    found: list[object] = []

    def lookup() -> None:
        try:
            found.append(resolve(endpoint, allow_remote))
        except OSError as exc:
            found.append(exc)

    worker = threading.Thread(target=lookup, name="wyoming-resolve", daemon=True)
    worker.start()
    worker.join(seconds)
    if not found:
        raise ServerProblem(f"{endpoint.host} did not resolve within {seconds:g} s")
    if isinstance(found[0], OSError):
        raise ServerProblem(f"{endpoint.host} cannot be used ({_reason(found[0])})")
    return found[0]  # type: ignore[return-value]


def describe(endpoint: Endpoint, allow_remote: bool = False, seconds: float = 2.0) -> Info:
    """The server's ``info`` (its programs, models, voices, languages); raises ServerProblem."""
    with Link(endpoint, allow_remote) as link:
        deadline = time.monotonic() + seconds
        link.send(Describe().event(), deadline)
        while True:
            event = link.receive(deadline)
            if Info.is_type(event.type):
                try:
                    return Info.from_event(event)
                except (KeyError, TypeError, ValueError, AttributeError):
                    raise ServerProblem("it sent an info event that does not parse") from None


def _reason(exc: BaseException | None) -> str:
    """An OSError in a few plain words ("connection refused", "timed out")."""
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return text[0].lower() + text[1:] if text else "unknown error"
