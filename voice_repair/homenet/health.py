"""Whether a home server is usable now: one log line when it stops, one when it is back.

Shared by the recognizer and the voice on a Wyoming server. After a failure the server is
skipped (so no utterance and no reply waits for it) while a background thread asks it
``describe`` every ``probe_seconds``; the first answer puts it back in use. Logging once per
change, not once per request, keeps a switched-off NAS from filling the journal.
"""

from __future__ import annotations

import logging
import threading

from .address import Endpoint
from .link import ServerProblem, describe

__all__ = ["PROBE_SECONDS", "ServerHealth"]

log = logging.getLogger(__name__)

PROBE_SECONDS = 10.0
"""While a server is down, how often a background ``describe`` checks whether it is back."""


class ServerHealth:
    """Up/down state of one server, with the background probe; thread-safe."""

    def __init__(
        self,
        endpoint: Endpoint,
        allow_remote: bool,
        role: str,
        fallback: str,
        probe_seconds: float = PROBE_SECONDS,
    ) -> None:
        """``role``: what it does for us ("speech-to-text"); ``fallback``: what does it instead
        meanwhile ("the local engine (whisper)"). Both appear in the log lines."""
        self.endpoint = endpoint
        self._allow_remote = allow_remote
        self._role = role
        self._fallback = fallback
        self._every = probe_seconds
        self._down: str | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()

    @property
    def up(self) -> bool:
        with self._lock:
            return self._down is None

    def failed(self, why: str) -> None:
        """The server could not be used (``why`` names what went wrong, never any words)."""
        with self._lock:
            if self._down is not None:
                return
            self._down = why
        log.warning(
            "the Wyoming %s server at %s cannot be used (%s): %s takes over until it answers "
            "again (checked every %g s)",
            self._role, self.endpoint, why, self._fallback, self._every,
        )  # fmt: skip
        threading.Thread(target=self._probe, name="wyoming-probe", daemon=True).start()

    def close(self) -> None:
        """Stop the background probe."""
        self._stop.set()

    def _probe(self) -> None:
        while not self._stop.wait(self._every):
            try:
                describe(self.endpoint, self._allow_remote)
            except ServerProblem:
                continue
            with self._lock:
                self._down = None
            log.warning(
                "the Wyoming %s server at %s answers again: it is used from now on",
                self._role, self.endpoint,
            )  # fmt: skip
            return
