"""The settings that send words off the speaker, checked together: a home server's address.

``[recognition] engine = "wyoming"`` sends what the couple says to ``uri``. Each field is
checked alone in ``file.py``; here they are checked as a whole, and only by parsing (no name is
looked up at start-up): the engine needs an address, the address must be ``tcp://HOST:PORT``,
and HOST must be on the home network (``homenet.address``) unless ``allow_remote = true``.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..homenet.address import home_problem, parse_uri

__all__ = ["remote_problems"]


def remote_problems(values: Mapping[str, object], sources: Mapping[str, str]) -> list[str]:
    """Each problem as ``where: what is wrong and what to do`` (``where`` is file:line)."""
    problems: list[str] = []
    engine = values.get("recognition.engine")
    uri = values.get("recognition.uri")
    if engine == "wyoming" and not uri:
        problems.append(
            f'{sources.get("recognition.engine")}: recognition.engine: "wyoming" needs the '
            'server\'s address: add uri = "tcp://HOST:10300" under [recognition] (or '
            "--wyoming-uri tcp://HOST:10300)"
        )
    if isinstance(uri, str):
        where = f"{sources.get('recognition.uri')}: recognition.uri"
        try:
            endpoint = parse_uri(uri)
        except ValueError as exc:
            return [*problems, f"{where}: {exc}"]
        why = home_problem(endpoint.host)
        if why is not None and not values.get("recognition.allow_remote"):
            problems.append(
                f"{where}: {why}. What people say would leave the house. Use the home server's "
                "own address (e.g. 192.168.1.20 or homeassistant.local), or write "
                "allow_remote = true under [recognition] if you mean it"
            )
    return problems
