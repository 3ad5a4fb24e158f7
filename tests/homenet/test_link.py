"""One connection to a Wyoming server, against raw servers on 127.0.0.1 that misbehave in the
ways a wrong port or a broken server does: each becomes one clear ``ServerProblem``, in time,
never a traceback or a hang."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from timing import budget
from wyoming.event import Event

from voice_repair.homenet.address import Endpoint
from voice_repair.homenet.link import Link, ServerProblem


def _raw_server(reply: bytes, close: bool = True) -> int:
    """A server on 127.0.0.1 that reads the request line, sends ``reply`` and maybe hangs up."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)

    def serve() -> None:
        conn, _ = sock.accept()
        conn.recv(65536)
        conn.sendall(reply)
        if close:
            conn.close()
        else:
            time.sleep(5)
        sock.close()

    threading.Thread(target=serve, daemon=True).start()
    return sock.getsockname()[1]


CASES = {
    b"HTTP/1.1 400 Bad Request\r\n\r\n": "not a Wyoming event",
    b'{"data": {}}\n': "not a Wyoming event",  # JSON with no type
    b"[1, 2, 3]\n": "not a Wyoming event",
    b'{"type": 5}\n': "not a Wyoming event",
    b'{"type": "x", "data_length": "ten"}\n': "not a Wyoming event",
    b'{"type": "audio-chunk", "payload_length": 9000000000}\n': "too many to be Wyoming",
    b'{"type": "transcript", "data_length": 50}\n{"te': "closed the connection",
    b"": "closed the connection",
}


@pytest.mark.parametrize("reply", list(CASES), ids=range(len(CASES)))
def test_what_is_not_wyoming_is_named(reply):
    port = _raw_server(reply)
    with Link(Endpoint("127.0.0.1", port)) as link:
        link.send(Event("describe"), time.monotonic() + 1)
        with pytest.raises(ServerProblem, match=CASES[reply]):
            link.receive(time.monotonic() + 1)


def test_a_server_that_says_nothing_is_given_up_on_at_the_deadline():
    port = _raw_server(b'{"type": "transcript-start"}\n', close=False)
    with Link(Endpoint("127.0.0.1", port)) as link:
        link.send(Event("describe"), time.monotonic() + 1)
        assert link.receive(time.monotonic() + 1).type == "transcript-start"
        t0 = time.monotonic()
        with pytest.raises(ServerProblem, match="did not answer in time"):
            link.receive(time.monotonic() + 0.3)
        assert time.monotonic() - t0 < 0.3 + budget(0.3)  # at the deadline, not long after


def test_an_address_outside_the_home_is_never_dialled():
    with pytest.raises(ServerProblem, match="resolves to no home address"):
        Link(Endpoint("203.0.113.9", 10300))  # parsing only: refused before any connect
