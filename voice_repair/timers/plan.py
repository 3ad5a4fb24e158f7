"""What a pause schedules, and what survives a restart: pure decisions, no clock and no store.

Kept apart from ``timers`` so the rules can be read in one place (and checked without threads):
when the nudges, the notice and the repeats come, and which stored events a restart keeps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "Pending",
    "Planned",
    "Recovery",
    "TimerSettings",
    "nudge_times",
    "pause_events",
    "recovery",
    "round_events",
    "ROUND_EVENTS",
]


@dataclass(frozen=True)
class TimerSettings:
    """How timers behave. Durations are in assistant minutes, see ``minute_seconds``."""

    minute_seconds: float = 60.0
    """How long an assistant "minute" lasts, in real seconds (``--minute``; tests use ~0.1)."""
    nudges_at: tuple[float, ...] = (0.5,)
    """Fractions (0..1) of the pause at which to give a grounding nudge; () turns nudges off."""
    warning_minutes: float = 1.0
    """The notice comes this long before the end, for pauses longer than 3 minutes."""
    repeat_every_minutes: float = 2.0
    """After the end, the invitation repeats this often..."""
    repeat_count: int = 3
    """...this many times, then the pause is over and it stays silent."""
    grace_minutes: float = 10.0
    """An event that came due while the assistant was down is spoken late (with a word that it
    is late) if less late than this; older ones are dropped and counted."""

    def seconds(self, minutes: float) -> float:
        """Real seconds for a number of assistant minutes."""
        return minutes * self.minute_seconds


@dataclass(frozen=True)
class Planned:
    """One event to schedule."""

    kind: str
    """A ``TimerEvent`` kind."""
    number: int
    """1-based number of a nudge or repeat; 0 otherwise."""
    due: float
    """POSIX timestamp, real seconds."""


def pause_events(
    s: TimerSettings, end: float, nudges: Iterable[float], countdown_minutes: int, now: float
) -> list[Planned]:
    """Events of a pause ending at ``end``: the given nudge times that are still ahead, the
    notice ``warning_minutes`` before the end when the countdown is longer than three minutes,
    the end itself, and ``repeat_count`` repeats of the invitation, ``repeat_every_minutes``
    apart, after it (bounded, so an unanswered pause never rings forever)."""
    events = [Planned("pause.nudge", i + 1, t) for i, t in enumerate(sorted(nudges)) if t > now]
    warn = end - s.seconds(s.warning_minutes)
    if countdown_minutes > 3 and warn > now:
        events.append(Planned("pause.warning", 0, warn))
    events.append(Planned("pause.finished", 0, end))
    every = s.seconds(s.repeat_every_minutes)
    events += [Planned("pause.reminder", n, end + n * every) for n in range(1, s.repeat_count + 1)]
    return events


ROUND_EVENTS: tuple[tuple[str, int], ...] = (
    ("turns.reflect", 1),
    ("turns.switch", 1),
    ("turns.reflect", 2),
    ("turns.finished", 0),
)
"""The event (kind, number) that ends each of a round's four parts (``models.ROUND_PARTS``):
the first turn is over (the listener says back), the second speaker starts, the second turn is
over, the round is done."""


def round_events(
    s: TimerSettings, part: int, part_end: float, turn_minutes: int, reflect_minutes: int
) -> list[Planned]:
    """Events of a round from part ``part`` (0-3) on, that part ending at ``part_end``: each later
    part lasts a turn (speaking) or the say-back time (reflecting)."""
    events: list[Planned] = []
    due = part_end
    for i in range(part, len(ROUND_EVENTS)):
        if i > part:
            due += s.seconds(turn_minutes if i % 2 == 0 else reflect_minutes)
        kind, number = ROUND_EVENTS[i]
        events.append(Planned(kind, number, due))
    return events


def nudge_times(s: TimerSettings, start: float, minutes: int) -> list[float]:
    """When the grounding nudges of a new pause come (fractions outside 0..1 are ignored)."""
    return [start + s.seconds(minutes * f) for f in sorted(s.nudges_at) if 0 < f < 1]


@dataclass(frozen=True)
class Pending:
    """A job found in the store at start-up."""

    job_id: str
    kind: str
    due: float
    """POSIX timestamp, real seconds."""
    pause_key: tuple | None
    """(pause or round id, generation) for pause and round events, None for reminders."""


@dataclass(frozen=True)
class Recovery:
    """What to do with the stored jobs before firing starts."""

    remove: list[str]
    """Job ids to remove without speaking."""
    dropped: int
    """How many of them came due too long ago (logged once)."""
    dropped_reminders: int = 0
    """Of those, the reminders someone set: the app asks them to set these again."""
    ended: tuple[str, ...] = ()
    """``pause`` and/or ``turns`` when a pause or a round of turns ran out while the app was
    off, every event of it too late to say: the app says once that it ended (its events are
    not reminders anyone could set again)."""


def recovery(
    jobs: Iterable[Pending],
    fired: set[str],
    live: tuple | None,
    now: float,
    grace: float,
    live_round: tuple | None = None,
    unsure: set[str] | frozenset[str] = frozenset(),
) -> Recovery:
    """Decide which stored jobs a restart keeps.

    Removed silently: jobs already spoken (in the ``fired`` guard: the kill came between speaking
    and APScheduler's removal) and events of a pause that was ended or extended (``live`` is the
    stored pause's key). Removed and counted: events more than ``grace`` seconds overdue. Of a
    pause's events that are overdue within the grace only one is kept, the end if it is among
    them, else the latest: hearing "halfway there" right before "the pause is over" helps nobody.
    Reminders are separate promises and are all kept. A job in ``unsure`` (claimed, not marked
    spoken: cut by a kill) was current when it was claimed, and its claim may have ended its
    pause or round: it is kept though its pause or round is gone, to be said again (marked).
    """
    remove: list[str] = []
    dropped: list[Pending] = []
    overdue: dict[tuple, list[Pending]] = {}
    lives = {key for key in (live, live_round) if key is not None}
    jobs = list(jobs)
    for job in jobs:
        stale = job.pause_key is not None and job.pause_key not in lives
        if job.job_id in fired or (stale and job.job_id not in unsure):
            remove.append(job.job_id)
        elif now - job.due > grace:
            remove.append(job.job_id)
            dropped.append(job)
        elif job.due <= now and job.pause_key is not None:
            overdue.setdefault(job.pause_key, []).append(job)
    for late in overdue.values():
        ends = [j for j in late if j.kind == "pause.finished"]
        keep = ends[0] if ends else max(late, key=lambda j: j.due)
        remove += [j.job_id for j in late if j is not keep]
    gone = set(remove)
    kept = {j.pause_key for j in jobs if j.pause_key is not None and j.job_id not in gone}
    ended = {j.kind.split(".")[0] for j in dropped if j.pause_key not in kept | {None}}
    return Recovery(
        remove=remove,
        dropped=len(dropped),
        dropped_reminders=sum(j.pause_key is None for j in dropped),
        ended=tuple(sorted(ended)),
    )
