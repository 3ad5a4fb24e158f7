"""The settings that send words off the speaker, checked together: a home server's address.

``[recognition] engine = "wyoming"`` sends what the couple says to ``uri``; ``[voice] voice =
"wyoming"`` sends the text of the assistant's replies to its own ``uri``. Each field is
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
    return [
        *_problems(values, sources, "recognition", "engine", "--wyoming-uri", 10300),
        *_problems(values, sources, "voice", "voice", "--wyoming-tts-uri", 10200),
    ]


def _problems(
    values: Mapping[str, object],
    sources: Mapping[str, str],
    table: str,
    key: str,
    option: str,
    port: int,
) -> list[str]:
    """The problems of one table's server: ``[recognition]`` (engine) or ``[voice]`` (voice)."""
    problems: list[str] = []
    uri = values.get(f"{table}.uri")
    if values.get(f"{table}.{key}") == "wyoming" and not uri:
        problems.append(
            f'{sources.get(f"{table}.{key}")}: {table}.{key}: "wyoming" needs the server\'s '
            f'address: add uri = "tcp://HOST:{port}" under [{table}] (or {option} '
            f"tcp://HOST:{port})"
        )
    if isinstance(uri, str):
        where = f"{sources.get(f'{table}.uri')}: {table}.uri"
        try:
            endpoint = parse_uri(uri)
        except ValueError as exc:
            return [*problems, f"{where}: {exc}"]
        why = home_problem(endpoint.host)
        if why is not None and not values.get(f"{table}.allow_remote"):
            what = "What people say" if table == "recognition" else "What the assistant says"
            problems.append(
                f"{where}: {why}. {what} would leave the house. Use the home server's own "
                "address (e.g. 192.168.1.20 or homeassistant.local), or write "
                f"allow_remote = true under [{table}] if you mean it"
            )
    return problems
