"""What every request means in every mode: one table, keyed by (mode, intent).

How a sentence becomes words, in order (the front door is ``Session.hear``):

1. **Matched once.** Nothing understood: nothing is said (everyday talk).
2. **The wake phrase.** With one set, a request must follow it, except "stop" and danger
   (``BARE_INTENTS``).
3. **Danger first.** ``safety`` means the same in every mode: the safety reply, and the mode
   becomes ``AFTER_DANGER`` (the pause and any round end, repeats stop, every reminder is held;
   one short line says so). In that mode no timer event is spoken, and only a request that
   starts something again (a pause, a round, a reminder, "keep the reminder") leaves it.
4. **The mode's own row**, ``(mode, intent)``: "next" is "switch" during a round; "we're done"
   ends a round, or closes one just finished.
5. **The row for any mode**, ``(ANY, intent)``.
3a. **Read in the mode** (``READINGS``): a few words mean another request in one mode. Right
   after a round, "again" or "one more time" (``control.repeat`` said bare) asks for another
   round, not for the closing question read again; "say that again" still repeats it.
3b. **Nothing to repeat.** A request to repeat ("sorry, what did you say") before the assistant
   has said anything is talk between the partners, and nothing is said; once it has spoken, it
   is a request to hear that again (``answers``' ``said_before``).
6. ``IGNORE``: not a request in this mode, nothing is said. "switch", "your turn", "we're done"
   and "another round" are everyday words (a card game, the end of a meal, a bar) except in or
   right after a round.
7. **A guess only where it makes sense** (``GUESSED``): a request the semantic net decided by
   nearness in meaning (``IntentMatch.guessed``), not a template, is answered only in a mode
   where that request has something to act on. "We're ready to go" said at the door is near
   "we're ready to talk", but with no pause running it ends nothing, and answering it ("there
   is no pause") would be the speaker breaking into everyday talk. A template's exact words
   still get their answer in every mode ("end the pause": "there's no pause running").

After the reply the mode is the reply's own (``Reply.mode``) or the default (``next_mode``),
and a running pause or round always wins (``settle``). Nothing here reads back the words that
were spoken: the mode is set by replies and timer effects only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Final

import voice_repair.skill.control as control
import voice_repair.skill.pause as pause
import voice_repair.skill.reminders as reminders
import voice_repair.skill.scripts as scripts
import voice_repair.skill.turns as turns

from ..models import BARE_INTENTS, IntentMatch, Mode, Reply, State
from .context import Context

__all__ = [
    "ANY",
    "BARE_INTENTS",
    "GUESSED",
    "IGNORE",
    "READINGS",
    "TABLE",
    "Handler",
    "answers",
    "dispatch",
    "reading",
    "route",
    "settle",
]

Handler = Callable[[IntentMatch, State, Context], Reply]

ANY: Final = "any"
"""The row for every mode without its own."""
IGNORE: Final = None
"""Not a request in this mode: nothing is said."""

TABLE: dict[tuple[Mode | str, str], Handler | None] = {
    # --- any mode ---------------------------------------------------------------------------
    (ANY, "safety"): control.safety,
    (ANY, "pause.start"): pause.start,
    (ANY, "pause.status"): pause.status,
    (ANY, "pause.extend"): pause.extend,
    (ANY, "pause.end"): pause.end,
    **{(ANY, name): scripts.read for name in scripts.SCRIPT_INTENTS},
    (ANY, "support"): control.support,
    (ANY, "reminder.set"): reminders.set_reminder,
    (ANY, "reminder.cancel"): reminders.cancel,
    (ANY, "reminder.list"): reminders.list_,
    (ANY, "reminder.keep"): reminders.keep,
    (ANY, "control.stop"): control.stop,
    (ANY, "control.repeat"): control.repeat,
    (ANY, "control.next"): scripts.next_item,
    (ANY, "control.help"): control.help_,
    (ANY, "turns.start"): turns.start,
    (ANY, "timer.other"): control.timer_other,
    (ANY, "turns.again"): IGNORE,
    (ANY, "turns.next"): IGNORE,
    (ANY, "turns.stop"): IGNORE,
    # --- in a round: the everyday requests mean round things --------------------------------
    (Mode.IN_ROUND, "control.next"): turns.switch,
    (Mode.IN_ROUND, "turns.next"): turns.switch,
    (Mode.IN_ROUND, "control.stop"): turns.stop,
    (Mode.IN_ROUND, "turns.stop"): turns.stop,
    (Mode.IN_ROUND, "turns.again"): turns.start,  # "a round is already going"
    (Mode.IN_ROUND, "pause.status"): turns.status,
    (Mode.IN_ROUND, "pause.extend"): turns.extend,
    (Mode.IN_ROUND, "pause.start"): turns.pause_instead,
    # --- just after a round: its question is answered ---------------------------------------
    (Mode.AFTER_ROUND, "turns.again"): turns.start,
    (Mode.AFTER_ROUND, "turns.stop"): turns.done,
    (Mode.AFTER_ROUND, "turns.next"): turns.round_over,
}
"""(mode, intent) -> handler, or ``IGNORE``. Every catalogue intent has an ``ANY`` row (a test
checks both directions); a mode's own rows say where it differs."""


READINGS: dict[tuple[Mode, str, str], str] = {
    (Mode.AFTER_ROUND, "control.repeat", "again"): "turns.again",
    (Mode.AFTER_ROUND, "turns.start", ""): "turns.again",
    (Mode.AFTER_ROUND, "control.next", ""): "turns.again",
}
"""(mode, intent, its ``kind`` slot or "") -> the request it is in that mode. Right after a round
the bare "again", "one more time", "same again" (``control.repeat`` of kind ``again``) ask for
the thing just done again: another round. Any request for a round there is another round
("start another set of turns": the same handler either way). So is "one more", "another one"
or "next" (``control.next``, which there has nothing to go on to): the round's closing question
asks whether they want another, and of the seven training writers' 49 requests said right after
a round, 43 ask for another round and none for a next item (2026-12-07)."""


def reading(match: IntentMatch, mode: Mode) -> IntentMatch:
    """``match`` as meant in ``mode`` (``READINGS``); itself where no reading applies."""
    kind = str(match.slots.get("kind", ""))
    meant = READINGS.get((mode, match.intent, kind))
    if meant is None:
        return match
    slots = {k: v for k, v in match.slots.items() if k != "kind"}
    return replace(match, intent=meant, slots=slots)


REPEAT = "control.repeat"
_EVERY = frozenset(Mode)
_TIMED = frozenset({Mode.PAUSING, Mode.IN_ROUND})
GUESSED: dict[str, frozenset[Mode]] = {
    "pause.end": frozenset({Mode.PAUSING}),
    "pause.extend": _TIMED,
    "pause.status": _TIMED,
    "control.next": frozenset({Mode.READING, Mode.IN_ROUND}),
    "control.repeat": _EVERY - {Mode.IDLE},
}
"""Intent -> the modes where a guess of it is answered (intents not named: every mode). Ending,
lengthening or asking after a pause needs a pause (or a round, whose time it means then); "next"
needs something being read or a round; "say that again" needs something just said, which idle
talk ("um what was i saying") has not. Nothing here reads the words: the mode decides."""


def answers(match: IntentMatch, mode: Mode, said_before: bool = True) -> bool:
    """Whether ``match`` is a request in ``mode``: its row is not ``IGNORE``, and a guess by the
    semantic net is one ``GUESSED`` allows there. ``said_before``: the assistant has said
    something it could repeat; without it no request to repeat is one (step 3b of the module
    docstring). ``KeyError`` for an unknown intent."""
    match = reading(match, mode)
    if route(mode, match.intent) is None:
        return False
    if match.intent == REPEAT and not said_before:
        return False
    return not match.guessed or mode in GUESSED.get(match.intent, _EVERY)


def route(mode: Mode, intent: str) -> Handler | None:
    """The handler for ``intent`` in ``mode`` (its own row, else the ``ANY`` row); None: ignore.

    ``KeyError`` for an intent the table does not know (the catalogue and the table disagree).
    """
    if (mode, intent) in TABLE:
        return TABLE[(mode, intent)]
    return TABLE[(ANY, intent)]


def dispatch(match: IntentMatch, state: State, ctx: Context) -> Reply | None:
    """The reply to one understood request in ``state.mode``; None when it is not a request."""
    match = reading(match, state.mode)
    handler = route(state.mode, match.intent)
    if handler is None or not answers(match, state.mode, state.last is not None):
        return None
    return handler(match, state, ctx)


def next_mode(mode: Mode, reply: Reply) -> Mode:
    """The mode after answering a request with ``reply`` (before ``settle``).

    The reply's own mode if it has one; reading while it carries a script position; reading
    and the round's question are over once anything else is said; otherwise unchanged (a pause
    or a round is left through its timers, danger only by a reply that says so).
    """
    if reply.mode is not None:
        return reply.mode
    if reply.cursor is not None:
        return Mode.READING
    if mode in (Mode.READING, Mode.AFTER_ROUND):
        return Mode.IDLE
    return mode


def settle(mode: Mode, state: State) -> Mode:
    """The mode given what actually runs: a running round or pause wins, and a pause or round
    mode whose timer is gone (its last repeat said, a restart) is idle again."""
    if state.round is not None:
        return Mode.IN_ROUND
    if state.pause is not None:
        return Mode.PAUSING
    if mode in (Mode.IN_ROUND, Mode.PAUSING):
        return Mode.IDLE
    return mode
