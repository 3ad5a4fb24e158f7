"""Handlers: what to say, and which timers to set, for a request or a timer event.

Takes an ``IntentMatch`` or a ``TimerEvent`` with the current ``State`` (its ``Mode`` included);
gives a ``Reply`` (lines to say, with timed silences), the timer effects to apply, and the mode
it leaves the conversation in (all in ``models.py``). No I/O here, so text mode, file mode and
the live loop share the handlers unchanged (see ``context.py``).

- ``dispatch.py``   the one table: what every request means in every mode, and the mode after
- ``pause.py``      start, status, extend and end a pause; its timer events
- ``scripts.py``    repair scripts read one item at a time ("next", "repeat")
- ``reminders.py``  "remind us to talk in an hour / at eight"; cancel, list, keep
- ``turns.py``      a round of turns: speak, say back, swap
- ``control.py``    stop, repeat, help, support, safety (danger is a mode change)
- ``spoken.py``     numbers, lengths and clock times as a person says them
"""

from __future__ import annotations

from ..models import Reply, State, TimerEvent
from . import pause, reminders, turns
from .context import ContentLike, Context, SkillSettings
from .dispatch import (
    ANY,
    BARE_INTENTS,
    GUESSED,
    IGNORE,
    TABLE,
    answers,
    dispatch,
    next_mode,
    reading,
    route,
    settle,
)

__all__ = [
    "Context", "ContentLike", "SkillSettings", "ANY", "BARE_INTENTS", "GUESSED", "IGNORE",
    "TABLE", "answers", "dispatch", "next_mode", "reading", "route", "settle", "on_timer",
]  # fmt: skip


def on_timer(event: TimerEvent, state: State, ctx: Context) -> Reply:
    """The reply to a timer event (``pause.*``, ``turns.*`` or ``reminder.due``)."""
    if event.kind == "reminder.due":
        return reminders.on_event(event, state, ctx)
    if event.kind.startswith("turns."):
        return turns.on_event(event, state, ctx)
    return pause.on_event(event, state, ctx)
