"""Reading repair scripts and grounding sequences aloud, one item at a time.

"next" moves on, "repeat" says the same item again, "stop" stops. Asking for the same family again
also moves on, so a couple never hears the same example twice in a row.
"""

from __future__ import annotations

from ..models import IntentMatch, Reply, Say, ScriptCursor, State
from .context import Context

SCRIPT_INTENTS = (
    "ground",
    "repair.own",
    "repair.listen",
    "repair.validate",
    "repair.act",
    "repair.learn",
)
"""Intents whose answer is the next item of the script family of the same name."""


def read(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """Start (or continue) the family named by the intent."""
    family = match.intent
    index = 0
    if state.cursor is not None and state.cursor.family == family:
        index = state.cursor.index + 1
    return _item(family, index, match.intent, state, ctx)


def next_item(match: IntentMatch, state: State, ctx: Context) -> Reply:
    """``control.next``: the following item of the family being read."""
    if state.cursor is None:
        return Reply(says=(ctx.say("control.nothing_next", match.intent, state.turn),))
    return _item(state.cursor.family, state.cursor.index + 1, match.intent, state, ctx)


def _item(family: str, index: int, source: str, state: State, ctx: Context) -> Reply:
    items = ctx.content.script(family)
    says: tuple[Say, ...] = ()
    if index >= len(items):
        index = 0
        says = (ctx.say("script.wrapped", source, state.turn),)
    says = (*says, Say(text=items[index], source=source))
    return Reply(says=says, cursor=ScriptCursor(family, index))
