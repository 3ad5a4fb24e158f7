"""What a start makes of the store: the events kept, the ones dropped, and what to say about it.

The engine's first step after opening (or only reading) the store, apart from the engine so
that it reads as one thing: durations corrected for a wall-clock jump while down, the restart's
plan applied (``plan.recovery``: spoken, stale and too-late jobs out), the events cut by a
stop after their claim kept to be said again, and a pause or a round with nothing left to come
forgotten. With a store that cannot be written (``board`` and ``side`` None) nothing is written:
what is dropped is dropped from memory only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

from .clock import Clock, correction, frame_of
from .jobs import JobBoard, StoredJob
from .plan import Pending, Recovery, recovery
from .readonly import StoreSnapshot
from .rounds import round_key
from .store import PauseRow, RoundRow, SideStore

__all__ = ["Restored", "StartupReport", "pause_key", "report", "restore"]

log = logging.getLogger("voice_repair.timers.engine")  # the engine's own lines, as before


@dataclass(frozen=True)
class StartupReport:
    """What ``start`` found, for the app to say once."""

    dropped: int
    """Events that came due while down, later than the grace: not spoken."""
    recovered_store: Path | None
    """Where an unreadable store was moved to (kept for inspection), or None."""
    memory_only: str | None = None
    """Why the store cannot be written ("full", "read-only", ...): this run keeps every promise
    in memory only, and says so once; None when the store works."""
    dropped_reminders: int = 0
    """Of ``dropped``, the reminders someone set (they may want to set them again)."""
    ended: tuple[str, ...] = ()
    """``pause``/``turns``: a pause or a round that ran out while down, none of it said."""


@dataclass(frozen=True)
class Restored:
    """The engine's memory after a start: what fires from now on."""

    plan: Recovery
    jobs: dict[str, StoredJob]
    """Pending events by job id, due times in the current frame."""
    pause: PauseRow | None
    round: RoundRow | None
    unsure: set[str]
    """Pending jobs claimed by an earlier run and maybe not spoken: said again, marked."""


def pause_key(pause: PauseRow | None) -> tuple | None:
    """Which pause (and which version of it) a job belongs to."""
    return (pause.pause_id, pause.generation) if pause else None


def restore(
    stored: StoreSnapshot,
    clock: Clock,
    now: float,
    grace: float,
    board: JobBoard | None,
    side: SideStore | None,
) -> Restored:
    """Correct durations for a jump while down, clean the store (when ``board`` and ``side``
    are given: it can be written), and return what is left."""
    here = frame_of(clock)
    pause = stored.pause
    if pause is not None:
        pause = replace(pause, deadline=pause.deadline + correction(stored.pause_frame, here))
    jobs = {j.job_id: replace(j, due=j.due + correction(j.frame, here)) for j in stored.jobs}
    moved = sum(1 for j in stored.jobs if jobs[j.job_id].due != j.due)
    if moved:
        log.info("The wall clock jumped while down: %d timer event(s) keep their length", moved)
    pending = [Pending(j.job_id, j.kind, j.due, j.pause) for j in jobs.values()]
    rnd = stored.round
    plan = recovery(
        pending, stored.fired, pause_key(pause), now, grace, round_key(rnd), stored.unsure
    )
    for job_id in plan.remove:
        if board is not None:
            board.remove(job_id)
        jobs.pop(job_id, None)
    unsure = {job_id for job_id in stored.unsure if job_id in jobs}
    if unsure:
        n = len(unsure)
        log.warning("%d timer event(s) cut by a stop may have been said: saying them again", n)
    if side is not None:
        side.forget_fired(keep=unsure)  # no other job it names is left
    if pause is not None and not any(j.job_id.startswith("pause:") for j in jobs.values()):
        if side is not None:
            side.clear_pause()
        pause = None
    if rnd is not None and not any(j.job_id.startswith("turns:") for j in jobs.values()):
        if side is not None:
            side.clear_round()
        rnd = None
    return Restored(plan, jobs, pause, rnd, unsure)


def report(plan: Recovery, **found: object) -> StartupReport:
    """What ``start`` tells the app, from the restart's plan and what else it found."""
    return StartupReport(
        dropped=plan.dropped,
        dropped_reminders=plan.dropped_reminders,
        ended=plan.ended,
        **found,  # type: ignore[arg-type]
    )
