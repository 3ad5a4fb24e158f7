"""Handlers: given a request (or a timer event) and the current state, decide what to say and
which timer effects to apply. No I/O here: see ``context.py``.
"""

from __future__ import annotations

from collections.abc import Callable

from ..models import IntentMatch, Reply, State, TimerEvent
from . import control, pause, reminders, scripts
from .context import ContentLike, Context, SkillSettings

__all__ = ["Context", "ContentLike", "SkillSettings", "HANDLERS", "respond", "on_timer"]

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
}
"""Every intent of the catalogue has exactly one handler (a test checks both directions)."""


def respond(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """The reply to one understood request."""
    return HANDLERS[match.intent](match, state, ctx)


def on_timer(event: TimerEvent, state: State, ctx: Context) -> Reply:
    """The reply to a timer event (``pause.*`` or ``reminder.due``)."""
    if event.kind == "reminder.due":
        return reminders.on_event(event, state, ctx)
    return pause.on_event(event, state, ctx)
