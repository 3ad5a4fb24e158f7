"""The conversation: one place that turns text or timer events into replies and applies effects.

Text mode, file mode and the live loop all feed this same object, so they answer identically. It is
thread-safe: timer events arrive on the scheduler's thread while requests arrive on the main one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from .models import (
    Effect,
    IntentMatch,
    PauseStatus,
    Reply,
    RoundStatus,
    Say,
    ScriptCursor,
    State,
    TimerEvent,
)
from .skill import Context, is_request, on_timer, respond

log = logging.getLogger(__name__)


class Matcher(Protocol):
    """The part of ``intents.IntentMatcher`` the session uses."""

    def match(self, text: str) -> IntentMatch | None: ...

    def danger(self, text: str) -> IntentMatch | None: ...


class Timers(Protocol):
    """The part of ``timers.TimerEngine`` the session uses."""

    def apply(self, effect: Effect) -> None: ...

    def pause_status(self) -> PauseStatus | None: ...

    def pending_reminders(self) -> int: ...

    def round_status(self) -> RoundStatus | None: ...


class Session:
    """Holds what the handlers need to remember between turns: script position, last reply."""

    def __init__(
        self,
        matcher: Matcher,
        ctx: Context,
        timers: Timers,
        emit: Callable[[Say], None],
        clock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
    ) -> None:
        self._matcher = matcher
        self._ctx = ctx
        self._timers = timers
        self._emit = emit
        self._clock = clock
        self._lock = threading.RLock()
        self._cursor: ScriptCursor | None = None
        self._last: Reply | None = None
        self._turn = 0

    def understand(self, text: str) -> IntentMatch | None:
        """Match a sentence to an intent (None for everyday talk: nothing is said)."""
        return self._matcher.match(text)

    def danger(self, text: str) -> IntentMatch | None:
        """``safety`` with its route when the text tells of danger anywhere in it, else None."""
        return self._matcher.danger(text)

    def handle_text(self, text: str) -> Reply | None:
        """Answer one typed or recognised sentence; None when it is not a request."""
        match = self.understand(text)
        if match is None:
            log.info("no intent")
            return None
        return self.handle(match)

    def handle(self, match: IntentMatch) -> Reply | None:
        """Answer an understood request: reply, speak, apply timer effects. None when the
        sentence is a request only in another context (``skill.is_request``): nothing is said."""
        with self._lock:
            state = self._state()
            if not is_request(match, state, self._ctx):
                log.info("no intent (%s only means something during a round)", match.intent)
                return None
            log.info("intent %s", match.intent)
            reply = respond(match, state, self._ctx)
            self._cursor = reply.cursor
            self._finish(reply)
            return reply

    def on_timer_event(self, event: TimerEvent) -> None:
        """Called by the timer engine when a pause or reminder event comes due."""
        with self._lock:
            log.info("timer event %s%s", event.kind, " (late)" if event.late else "")
            reply = on_timer(event, self._state(), self._ctx)
            if event.repeat and reply.says:  # cut by a kill last time: maybe said already
                admit = self._ctx.say("timers.maybe_repeated", event.kind, self._turn)
                first, *rest = reply.says
                says = (replace(admit, chime=first.chime), replace(first, chime=False), *rest)
                reply = replace(reply, says=says)
            self._finish(reply)

    def say_line(self, key: str, source: str, **values: str) -> None:
        """Speak one line of the response data outside any request (e.g. at start-up)."""
        with self._lock:
            self._emit(self._ctx.say(key, source, self._turn, **values))

    def _state(self) -> State:
        return State(
            now=self._clock(),
            pause=self._timers.pause_status(),
            cursor=self._cursor,
            last=self._last,
            pending_reminders=self._timers.pending_reminders(),
            turn=self._turn,
            round=self._timers.round_status(),
        )

    def _finish(self, reply: Reply) -> None:
        # Effects first: if the timer store fails, nothing is promised that won't happen.
        for effect in reply.effects:
            self._timers.apply(effect)
        for say in reply.says:
            self._emit(say)
        self._turn += 1
        if reply.repeatable:
            self._last = reply
