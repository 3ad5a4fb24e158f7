"""Which machines count as "the home network": the one rule for sending words off the speaker.

A Wyoming server (``asr.wyoming``, ``speech.wyoming``) hears what the couple says, or the words
the assistant is about to say. The product promises that nothing leaves the house, so a server
address is accepted only when it is plainly inside the home:

* an IP address that is loopback (127.0.0.0/8, ::1), private (RFC 1918: 10/8, 172.16/12,
  192.168/16), link-local (169.254/16, fe80::/10) or a unique local IPv6 address (fc00::/7);
* the name ``localhost``, or a host name under ``.local`` (mDNS), ``.lan`` or ``.home.arpa``
  (RFC 8375), *and* every address it resolves to, when connecting, is one of the above.

Anything else needs ``allow_remote = true`` written by the user. The settings check
(``config.remote``) only parses (no name lookup at start-up); ``resolve`` checks what a name
resolves to at the moment of connecting.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["HOME_SUFFIXES", "Endpoint", "home_problem", "is_home_ip", "parse_uri", "resolve"]

HOME_SUFFIXES = (".local", ".lan", ".home.arpa")
"""Host name endings that only a home network answers for (mDNS, common router, RFC 8375)."""

_HOME_NETS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
        "::1/128", "fc00::/7", "fe80::/10",
    )
)  # fmt: skip


@dataclass(frozen=True)
class Endpoint:
    """A Wyoming server's address, from ``tcp://HOST:PORT``."""

    host: str
    """Host name or IP address, as written (no brackets around IPv6)."""
    port: int
    """TCP port (Wyoming servers listen on 10300 for speech-to-text, 10200 for voices)."""

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def parse_uri(uri: str) -> Endpoint:
    """``tcp://HOST:PORT`` -> Endpoint; raises ValueError saying what a good one looks like."""
    example = 'write it as "tcp://HOST:PORT", e.g. "tcp://192.168.1.20:10300"'
    try:
        parts = urlsplit(uri.strip())
        port = parts.port
    except ValueError:
        raise ValueError(f"{uri!r} is not a server address; {example}") from None
    if parts.scheme != "tcp" or not parts.hostname or port is None or port == 0:
        raise ValueError(f"{uri!r} is not a server address; {example}")
    if parts.path not in ("", "/") or parts.query or parts.username:
        raise ValueError(f"{uri!r} has more than a host and a port; {example}")
    return Endpoint(parts.hostname, port)


def is_home_ip(address: str) -> bool:
    """Whether an IP address (text) is loopback, private, link-local or unique-local."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # fe80::1%eth0
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in net for net in _HOME_NETS)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def home_problem(host: str) -> str | None:
    """Why ``host`` is not plainly on the home network, or None when it is (parsing only)."""
    if _is_ip(host):
        if is_home_ip(host):
            return None
        return f"{host} is an address on the internet, not in the home"
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(HOME_SUFFIXES):
        return None
    return (
        f"{host} is a name that may lead outside the home (only localhost and names under "
        f"{', '.join(HOME_SUFFIXES)} are taken as home names)"
    )


def resolve(endpoint: Endpoint, allow_remote: bool) -> list[tuple]:
    """The socket addresses to try for ``endpoint``, each checked against the home rule.

    Raises OSError when the name does not resolve, or when it resolves only outside the home
    and ``allow_remote`` is off (a ``.local`` name can be answered by anything on the network).
    """
    found = socket.getaddrinfo(endpoint.host, endpoint.port, type=socket.SOCK_STREAM)
    if allow_remote:
        return [info[4] for info in found]
    home = [info[4] for info in found if is_home_ip(str(info[4][0]))]
    if not home:
        raise OSError(f"{endpoint.host} resolves to no home address; not connecting")
    return home
