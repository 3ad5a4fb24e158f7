"""The timer effects (start, extend, end a pause; add a reminder), applied to memory then disk.
A round of turns has its own module (``rounds.py``); its effects are dispatched here too.

Memory is what fires; the store is what a restart reads. Each change is made in memory first and
then written in an order that a kill at any point leaves consistent on disk: a pause's jobs are
written before the row that makes them live (a kill in between leaves them stale, and the
start-up clean-up removes them), and an extended pause's old jobs go only after the new row.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from ..models import (
    AddReminder,
    CancelReminders,
    Effect,
    EndPause,
    EndRound,
    ExtendPause,
    ExtendTurn,
    HoldReminders,
    KeepReminders,
    PauseStatus,
    StartPause,
    StartRound,
    StopAlarm,
    SwitchTurn,
)
from .clock import Clock, frame_of
from .jobs import JobBoard, StoredJob
from .plan import TimerSettings, nudge_times, pause_events
from .store import PauseRow, SideStore
from .ticker import Ticker

__all__ = ["EffectsMixin"]

log = logging.getLogger(__name__)

_NOT_KEPT = "%s is kept in memory only: the timer store cannot be written, so a restart loses it"


class EffectsMixin:
    """``TimerEngine``'s effect handling, apart so each module stays readable. Called with the
    engine's lock held. The engine provides what is declared here."""

    settings: TimerSettings
    clock: Clock
    _mem: dict[str, StoredJob]
    _held: list[StoredJob]
    _pause: PauseRow | None
    _offset: float
    _ticker: Ticker | None

    def _now(self) -> float: ...
    def _persist(self, write: Callable[[], object]) -> bool: ...
    def _board(self) -> JobBoard: ...
    def _side_store(self) -> SideStore: ...
    def pause_status(self) -> PauseStatus | None: ...

    if TYPE_CHECKING:  # ``rounds.RoundMixin``'s (a stub here would shadow it in the engine)

        def _start_round(self, turn_minutes: int, reflect_minutes: int) -> None: ...
        def _switch_turn(self) -> None: ...
        def _extend_turn(self, minutes: int) -> None: ...
        def _end_round(self) -> None: ...

    def _apply(self, effect: Effect) -> None:
        if isinstance(effect, StartPause):
            self._start_pause(effect.minutes)
        elif isinstance(effect, ExtendPause):
            self._extend_pause(effect.minutes)
        elif isinstance(effect, EndPause):
            self._end_pause()
        elif isinstance(effect, StopAlarm):
            # Ringing: its end was said (claimed). A "stop" taken up just after the deadline,
            # while a busy ticker had not yet said the end, silences what is being said, not
            # an end nobody heard (bench chaos seed 130: the end of a pause lost so).
            status = self.pause_status()
            if status is not None and status.ringing and not self._end_pending():
                self._end_pause()
        elif isinstance(effect, AddReminder):
            self._add_reminder(effect)
        elif isinstance(effect, StartRound):
            self._start_round(effect.turn_minutes, effect.reflect_minutes)
        elif isinstance(effect, SwitchTurn):
            self._switch_turn()
        elif isinstance(effect, ExtendTurn):
            self._extend_turn(effect.minutes)
        elif isinstance(effect, EndRound):
            self._end_round()
        elif isinstance(effect, HoldReminders):
            jobs = self._reminder_jobs()
            self._held.extend(jobs)
            self._forget(jobs)  # off the clock and out of the store: a restart brings none back
            log.info("%d reminder(s) held", len(jobs))
        elif isinstance(effect, KeepReminders):
            held, self._held = self._held, []
            back = [j for j in held if j.due > self._now()]
            for job in back:
                self._add(job)
            log.info(
                "%d held reminder(s) kept, %d past their time", len(back), len(held) - len(back)
            )
        elif isinstance(effect, CancelReminders):
            self._held = []
            self._forget(self._reminder_jobs())
            log.info("Reminders cancelled")
        else:
            raise TypeError(f"not a timer effect: {effect!r}")

    def _start_pause(self, minutes: int) -> None:
        assert minutes >= 1, minutes
        self._end_pause()  # at most one pause; the handler ends a ringing one first anyway
        s = self.settings
        now = self._now()
        pause = PauseRow(uuid.uuid4().hex[:12], now + s.seconds(minutes), minutes, 0)
        kept = self._schedule_pause(pause, nudge_times(s, now, minutes), minutes)
        self._pause = pause
        kept &= self._persist(lambda: self._side_store().set_pause(pause, self._frame()))
        log.info("Pause of %d minutes started, ends %s", minutes, _local(pause.deadline))
        if not kept:
            log.warning(_NOT_KEPT, "The pause")

    def _extend_pause(self, minutes: int) -> None:
        assert minutes >= 1, minutes
        old = self._pause
        if old is None:
            return
        now = self._now()
        ringing = now >= old.deadline
        base = now if ringing else old.deadline
        end = base + self.settings.seconds(minutes)
        new = PauseRow(old.pause_id, end, old.total_minutes + minutes, old.generation + 1)
        shift = new.deadline - old.deadline
        old_jobs = self._pause_jobs()
        nudges = [j.due + shift for j in old_jobs if j.kind == "pause.nudge"]
        # Once ringing, it is a fresh countdown of ``minutes`` (no nudges: they are all past).
        countdown = minutes if ringing else new.total_minutes
        kept = self._schedule_pause(new, [] if ringing else nudges, countdown)
        self._pause = new
        kept &= self._persist(lambda: self._side_store().set_pause(new, self._frame()))
        self._forget(old_jobs)
        log.info("Pause extended by %d minutes, ends %s", minutes, _local(new.deadline))
        if not kept:
            log.warning(_NOT_KEPT, "The extended pause")

    def _end_pause(self) -> None:
        if self._pause is None:
            return
        self._pause = None
        # The row first: any job still on its way is then stale and stays silent after a kill.
        self._persist(lambda: self._side_store().clear_pause())
        self._forget(self._pause_jobs())
        log.info("Pause ended")

    def _schedule_pause(self, pause: PauseRow, nudges: list[float], countdown: int) -> bool:
        events = pause_events(self.settings, pause.deadline, nudges, countdown, self._now())
        key = (pause.pause_id, pause.generation)
        kept = True
        for e in events:
            job_id = f"pause:{pause.pause_id}:{pause.generation}:{e.kind}:{e.number}"
            last = e is events[-1]
            kept &= self._add(StoredJob(job_id, e.kind, e.number, e.due, key, last, self._frame()))
        return kept

    def _add_reminder(self, effect: AddReminder) -> None:
        if effect.at is not None:
            assert effect.at.tzinfo is not None, "AddReminder.at must be timezone-aware"
            due, frame = effect.at.timestamp(), None  # a wall-clock time: no frame
        else:
            assert effect.in_minutes is not None and effect.in_minutes >= 1, effect
            due, frame = self._now() + self.settings.seconds(effect.in_minutes), self._frame()
        job_id = f"reminder:{uuid.uuid4().hex[:12]}"
        job = StoredJob(job_id, "reminder.due", 0, due, None, False, frame)
        kept = self._add(job)
        log.info("Reminder set for %s", _local(due))
        if not kept:
            log.warning(_NOT_KEPT, "The reminder")

    # ----- memory and store together ----------------------------------------------------------

    def _add(self, job: StoredJob) -> bool:
        """Remember ``job``, set it on the ticker, then write it; True if written."""
        self._mem[job.job_id] = job
        if self._ticker is not None:
            self._ticker.set(job.job_id, job.due - self._offset)
        return self._persist(lambda: self._board().add(job))

    def _forget(self, jobs: list[StoredJob]) -> None:
        for job in jobs:
            self._mem.pop(job.job_id, None)
            if self._ticker is not None:
                self._ticker.cancel(job.job_id)
        for job in jobs:
            self._persist(lambda job=job: self._board().remove(job.job_id))

    def _reminder_jobs(self) -> list[StoredJob]:
        return sorted(
            (j for j in self._mem.values() if j.kind == "reminder.due"), key=lambda j: j.due
        )

    def _end_pending(self) -> bool:
        """The running pause's end is still to be said (not yet claimed by the ticker)."""
        return any(j.kind == "pause.finished" for j in self._pause_jobs())

    def _pause_jobs(self) -> list[StoredJob]:
        return sorted(
            (j for j in self._mem.values() if j.job_id.startswith("pause:")), key=lambda j: j.due
        )

    def _frame(self) -> tuple[str, float]:
        """The frame due times computed from ``_now`` are in (the jump-free wall clock)."""
        return (frame_of(self.clock)[0], self._offset)


def _local(ts: float) -> str:
    return datetime.fromtimestamp(ts).astimezone().isoformat(timespec="milliseconds")
