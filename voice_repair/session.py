"""The conversation: one place that turns a request or a timer event into speech.

Text mode, recordings and the live loop all come through the same front door (``hear``): a
sentence matched once (``Heard``), then the wake phrase, danger and the mode decide what it
means (the order is ``skill.dispatch``'s docstring). The mode (``models.Mode``) is held here,
set by replies and timer effects only, never by reading back the words that were spoken.

Thread-safe: timer events arrive on the scheduler's thread while requests arrive on the main one.
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
    Heard,
    IntentMatch,
    Mode,
    PauseStatus,
    Reply,
    RoundStatus,
    Say,
    ScriptCursor,
    State,
    TimerEvent,
)
from .skill import BARE_INTENTS, Context, dispatch, next_mode, on_timer, settle
from .skill.foresee import likely_first_lines
from .skill.spoken import duration

log = logging.getLogger(__name__)

STOP_INTENT = "control.stop"
"""Silences the speaker at once (``silence``), in every mode; acted on while the assistant is
speaking."""
DANGER_INTENT = "safety"
"""Also acted on while it speaks, once its own voice is cancelled out of the microphone: the
speech is cut and the safety reply follows."""


def _interrupts(intent: str, echo_cancelled: bool) -> bool:
    """May ``intent``, heard over the assistant's own speech, cut in?"""
    return intent == STOP_INTENT or (echo_cancelled and intent == DANGER_INTENT)


class Matcher(Protocol):
    """The part of ``intents.IntentMatcher`` the session uses."""

    def match(self, text: str) -> IntentMatch | None: ...

    def danger(self, text: str) -> IntentMatch | None: ...


class Timers(Protocol):
    """The part of ``timers.TimerEngine`` the session uses."""

    def apply(self, effect: Effect) -> None: ...

    def pause_status(self) -> PauseStatus | None: ...

    def reminders(self) -> tuple[datetime, ...]: ...

    def held_reminders(self) -> tuple[datetime, ...]: ...

    def round_status(self) -> RoundStatus | None: ...


class Session:
    """The conversation's memory between turns: its mode, script position, last reply."""

    def __init__(
        self,
        matcher: Matcher,
        ctx: Context,
        timers: Timers,
        emit: Callable[[Say], None],
        clock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
        silence: Callable[[], None] = lambda: None,
    ) -> None:
        """``silence``: cut off whatever is being said now (the speaker's ``stop``)."""
        self._matcher = matcher
        self._ctx = ctx
        self._timers = timers
        self._emit = emit
        self._clock = clock
        self.silence = silence
        self._lock = threading.RLock()
        self._cursor: ScriptCursor | None = None
        self._last: Reply | None = None
        self._turn = 0
        self._mode = Mode.IDLE

    @property
    def matcher(self) -> Matcher:
        return self._matcher

    def foreseeable_lines(self, unknown: str) -> list[str]:
        """What the session may say, for the speaker to render ahead (``speech/cache.py``):
        the confirmation of a pause of the default length first (the flagship request), then
        every reply and script item, each value only a handler can know written ``unknown``."""
        content = self._ctx.content
        default = duration(content, self._ctx.settings.default_pause_minutes)
        pauses = [
            content.line("pause.started", pick, minutes=default)
            for pick in range(content.variants("pause.started"))
        ]
        return pauses + content.every_line(unknown)

    def likely_lines(self) -> list[str]:
        """The replies the next request could get, values filled in from the state now and a
        minute on (``skill.foresee``), for the speaker to render ahead."""
        with self._lock:
            state = self._state()
        return likely_first_lines(state, self._ctx)

    @property
    def mode(self) -> Mode:
        """Where the conversation is now (a running pause or round counted)."""
        with self._lock:
            return self._state().mode

    def hear(self, heard: Heard) -> Reply | None:
        """The front door: answer one matched sentence, or None when it is not a request now.

        Not understood: nothing. Without the wake phrase: only "stop" and danger. While the
        assistant speaks: only "stop", and danger when its own voice is cancelled out of the
        microphone (without that, danger heard then may be its own words read back). What
        cuts in silences the speaker here, the one place that decides it. Then
        ``skill.dispatch``: danger in any mode, the mode's row, any mode's.
        """
        match = heard.match
        if match is None:
            log.info("no intent")
            return None
        if not heard.woken and match.intent not in BARE_INTENTS:
            log.info("%s without the wake phrase: ignored", match.intent)
            return None
        if heard.while_speaking and not _interrupts(match.intent, heard.echo_cancelled):
            log.info("%s heard while speaking: ignored", match.intent)
            return None
        repeat = match.intent == DANGER_INTENT and self.mode is Mode.AFTER_DANGER
        if heard.while_speaking and repeat:
            # Its own safety reply names the danger ("if you're thinking about hurting
            # yourself"): what is left of it after cancellation must not cut it short.
            log.info("safety heard while giving the safety reply: ignored")
            return None
        if match.intent == STOP_INTENT or heard.while_speaking:
            self.silence()
        return self.handle(match, interrupted=heard.while_speaking)

    def handle_text(self, text: str) -> Reply | None:
        """``hear`` for a typed sentence with no wake phrase (tests, the soak bench)."""
        return self.hear(Heard(self._matcher.match(text)))

    def handle(self, match: IntentMatch, interrupted: bool = False) -> Reply | None:
        """Answer an understood request in the current mode: reply, speak, apply timer effects.
        None when it is not a request in this mode (``skill.dispatch``): nothing is said.
        ``interrupted``: it was said over the assistant's own speech."""
        with self._lock:
            state = replace(self._state(), interrupted=interrupted)
            reply = dispatch(match, state, self._ctx)
            if reply is None:
                log.info("%s is not a request %s: nothing said", match.intent, state.mode.value)
                return None
            log.info("intent %s (%s)", match.intent, state.mode.value)
            self._cursor = reply.cursor
            self._finish(reply, next_mode(state.mode, reply))
            return reply

    def on_timer_event(self, event: TimerEvent) -> None:
        """Called by the timer engine when a pause, round or reminder event comes due.

        After a danger reply no event is spoken: one claimed just before it (waiting for this
        lock while the safety reply was given) would otherwise invite the couple back.
        """
        with self._lock:
            state = self._state()
            if state.mode is Mode.AFTER_DANGER:
                log.info("timer event %s held: after danger", event.kind)
                return
            log.info("timer event %s%s", event.kind, " (late)" if event.late else "")
            reply = on_timer(event, state, self._ctx)
            if event.repeat and reply.says:  # cut by a kill last time: maybe said already
                admit = self._ctx.say("timers.maybe_repeated", event.kind, self._turn)
                first, *rest = reply.says
                says = (replace(admit, chime=first.chime), replace(first, chime=False), *rest)
                reply = replace(reply, says=says)
            if reply.cursor is not None:
                self._cursor = reply.cursor
            self._finish(reply, reply.mode or state.mode)

    def say_line(self, key: str, source: str, **values: str) -> None:
        """Speak one line of the response data outside any request (e.g. at start-up)."""
        with self._lock:
            self._emit(self._ctx.say(key, source, self._turn, **values))

    def _state(self) -> State:
        state = State(
            now=self._clock(),
            pause=self._timers.pause_status(),
            cursor=self._cursor,
            last=self._last,
            reminders=self._timers.reminders(),
            held_reminders=self._timers.held_reminders(),
            turn=self._turn,
            round=self._timers.round_status(),
            mode=self._mode,
        )
        self._mode = settle(self._mode, state)
        return replace(state, mode=self._mode)

    def _finish(self, reply: Reply, mode: Mode) -> None:
        # Effects first: if the timer store fails, nothing is promised that won't happen.
        for effect in reply.effects:
            self._timers.apply(effect)
        self._mode = mode
        self._state()  # settle: a pause or round just started or ended decides the mode
        for say in reply.says:
            self._emit(say)
        self._turn += 1
        if reply.repeatable:
            self._last = reply
