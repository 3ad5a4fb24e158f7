"""The home server: which addresses count as the home network, and one bounded connection to a
Wyoming server there.

Part of the foundation beside ``errors`` and ``models``: the settings check, the recognizer,
the voice, the doctor and the service unit all apply the same address rule, and it imports
nothing of theirs. Nothing here runs unless a Wyoming server is configured.

- ``address.py``  ``tcp://HOST:PORT`` parsing and the home-network rule (loopback, private,
  link-local, ``.local``/``.lan`` names)
- ``link.py``     one connection to a Wyoming server: a one-second connect, every read bounded by
  a deadline, garbage and hang-ups turned into one ``ServerProblem`` that says which; ``describe``
- ``health.py``   up or down: one log line per change, a background probe notices it back
"""

from .. import lazy_exports

__all__ = [
    "Endpoint",
    "Link",
    "ServerHealth",
    "describe",
    "ServerProblem",
    "home_problem",
    "is_home_ip",
    "parse_uri",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "Endpoint": ".address",
        "home_problem": ".address",
        "is_home_ip": ".address",
        "parse_uri": ".address",
        "Link": ".link",
        "ServerProblem": ".link",
        "describe": ".link",
        "ServerHealth": ".health",
    },
)
