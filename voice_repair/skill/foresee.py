"""The first lines the next request could get, with their values, for the speaker to render ahead.

Why: a reply whose first sentence holds a value ("Your pause has about nine minutes to go.",
"Let's take turns, three minutes each.") cannot be rendered at start-up, so Piper rendered it
after the decision: a few hundred milliseconds on a quiet machine, seconds on a busy one, all
of it between the end of the request and the first audio. Yet the values are few and known
from the state: the time left this minute and the next, the default lengths, the next
reminder. The handlers are pure, so they are simply asked: each of ``REQUESTS`` (with no slot:
the request said with no number, or the lengths asked for most) against the state now and as
it will be a little later.

Nothing stale can be spoken from this: the speaker looks rendered audio up by the sentence's
exact text, so a value that changed meanwhile is a different sentence, rendered then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta

from ..models import IntentMatch, State
from .context import Context
from .dispatch import dispatch

__all__ = ["MINUTES_AHEAD", "REQUESTS", "likely_first_lines"]

REQUESTS = (
    IntentMatch("pause.status"),
    IntentMatch("pause.start"),
    IntentMatch("pause.start", {"minutes": 10}),
    IntentMatch("pause.start", {"minutes": 5}),
    IntentMatch("pause.extend"),
    IntentMatch("pause.extend", {"minutes": 10}),
    IntentMatch("turns.start"),
    IntentMatch("reminder.list"),
    IntentMatch("control.stop"),
)
"""Requests whose reply can open with a value the state alone decides (the time left, the
default lengths, the next reminder's time), and the lengths asked for most (five and ten
minutes: CONTENT.md's short pauses); the others open with fixed lines, rendered ahead at
start-up, or with a value only the request gives ("remind us at eight"). Most likely first."""

MINUTES_AHEAD = (0.0, 0.05, 0.5, 1.0)
"""When the next request may come, in the assistant's minutes from now: the time left said as
"about N minutes" changes at most once a minute (0.05: "exactly" turns to "about" a few seconds
after a change); the caller asks again well within a minute."""


def likely_first_lines(
    state: State, ctx: Context, ahead: Iterable[float] = MINUTES_AHEAD
) -> list[str]:
    """Every reply text (whole lines, in order, without repeats) that ``REQUESTS`` would get
    ``ahead`` minutes from ``state``; the speaker takes their opening sentences."""
    lines: list[str] = []
    for minutes in ahead:
        later = _later(state, minutes)
        for request in REQUESTS:
            reply = dispatch(request, later, ctx)
            if reply is not None and reply.says:
                lines.append(reply.says[0].text)
    return list(dict.fromkeys(lines))


def _later(state: State, minutes: float) -> State:
    """``state`` as it will be ``minutes`` from now if nothing else happens (a running pause or
    round has that much less left; neither goes below zero)."""
    if minutes == 0:
        return state
    pause, round_ = state.pause, state.round
    if pause is not None and not pause.ringing:
        pause = replace(pause, remaining_minutes=max(0.0, pause.remaining_minutes - minutes))
    if round_ is not None:
        round_ = replace(round_, remaining_minutes=max(0.0, round_.remaining_minutes - minutes))
    return replace(state, now=state.now + timedelta(minutes=minutes), pause=pause, round=round_)
