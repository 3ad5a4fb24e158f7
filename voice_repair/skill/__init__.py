"""Handlers: what to say, and which timers to set, for a request or a timer event.

Takes an ``IntentMatch`` or a ``TimerEvent`` with the current ``State``; gives a ``Reply`` (lines
to say, with timed silences) and the timer effects to apply (all in ``models.py``). No I/O here,
so text mode, file mode and the live loop share the handlers unchanged (see ``context.py``).

- ``pause.py``      start, status, extend and end a pause; its timer events
- ``scripts.py``    repair scripts read one item at a time ("next", "repeat")
- ``reminders.py``  "remind us to talk in an hour / at eight"
- ``turns.py``      a round of turns: speak, say back, swap; what "next", "stop", "more time"
  mean while one runs
- ``control.py``    stop, repeat, help, support, safety
- ``spoken.py``     numbers, lengths and clock times as a person says them
"""

from __future__ import annotations

from collections.abc import Callable

from ..models import IntentMatch, Reply, State, TimerEvent
from . import control, pause, reminders, scripts, turns
from .context import ContentLike, Context, SkillSettings

__all__ = [
    "Context", "ContentLike", "SkillSettings", "HANDLERS", "is_request", "respond", "on_timer",
]  # fmt: skip

Handler = Callable[[IntentMatch, State, Context], Reply]

HANDLERS: dict[str, Handler] = {
    "pause.start": pause.start,
    "pause.status": pause.status,
    "pause.extend": pause.extend,
    "pause.end": pause.end,
    **{name: scripts.read for name in scripts.SCRIPT_INTENTS},
    "support": control.support,
    "safety": control.safety,
    "reminder.set": reminders.set_reminder,
    "control.stop": control.stop,
    "control.repeat": control.repeat,
    "control.next": scripts.next_item,
    "control.help": control.help_,
    "turns.start": turns.start,
    "turns.again": turns.start,
    "turns.next": turns.switch,
    "turns.stop": turns.stop,
    "timer.other": control.timer_other,
}
"""Every intent of the catalogue has exactly one handler (a test checks both directions)."""


def is_request(match: IntentMatch, state: State, ctx: Context) -> bool:
    """Whether an understood sentence is a request now: some are only in their context
    ("your turn" during a round, ``turns.in_context``); otherwise it is everyday talk."""
    return turns.in_context(match, state, ctx)


def respond(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """The reply to one understood request (some mean round things while a round runs)."""
    if state.round is not None and match.intent in turns.DURING_ROUND:
        return turns.DURING_ROUND[match.intent](match, state, ctx)
    return HANDLERS[match.intent](match, state, ctx)


def on_timer(event: TimerEvent, state: State, ctx: Context) -> Reply:
    """The reply to a timer event (``pause.*``, ``turns.*`` or ``reminder.due``)."""
    if event.kind == "reminder.due":
        return reminders.on_event(event, state, ctx)
    if event.kind.startswith("turns."):
        return turns.on_event(event, state, ctx)
    return pause.on_event(event, state, ctx)
