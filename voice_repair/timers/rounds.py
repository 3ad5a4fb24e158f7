"""A round of turns on the timer engine: start, switch, more time, end; and its status.

A round is four timed parts (``models.ROUND_PARTS``): speaker one, listener two says back,
speaker two, listener one says back. Each part is ended by one stored job (``plan.ROUND_EVENTS``),
so the part running now and its time left are read from the round's pending jobs, in memory and
after a restart alike; the round row (``store.RoundRow``) only names the round, its lengths and
its generation. A change ("switch", "more time") writes the new jobs, then the row with the next
generation, then forgets the old jobs: the same order, and the same stale-job rule, as an
extended pause.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..models import RoundStatus
from .jobs import JobBoard, StoredJob
from .plan import ROUND_EVENTS, TimerSettings, round_events
from .store import RoundRow, SideStore

__all__ = ["RoundMixin", "round_key"]

log = logging.getLogger(__name__)

_NOT_KEPT = "The round is kept in memory only: the timer store cannot be written"


def round_key(row: RoundRow | None) -> tuple | None:
    """The key every job of the round carries (id, generation), or None."""
    return (row.round_id, row.generation) if row else None


class RoundMixin:
    """``TimerEngine``'s round handling. Called with the engine's lock held."""

    settings: TimerSettings
    _mem: dict[str, StoredJob]
    _round: RoundRow | None

    if TYPE_CHECKING:  # the engine's and ``EffectsMixin``'s

        def _now(self) -> float: ...
        def _persist(self, write: Callable[[], object]) -> bool: ...
        def _board(self) -> JobBoard: ...
        def _side_store(self) -> SideStore: ...
        def _add(self, job: StoredJob) -> bool: ...
        def _forget(self, jobs: list[StoredJob]) -> None: ...
        def _frame(self) -> tuple[str, float]: ...

    def _start_round(self, turn_minutes: int, reflect_minutes: int) -> None:
        assert turn_minutes >= 1 and reflect_minutes >= 1, (turn_minutes, reflect_minutes)
        self._end_round()
        row = RoundRow(uuid.uuid4().hex[:12], turn_minutes, reflect_minutes, 0)
        end = self._now() + self.settings.seconds(turn_minutes)
        self._replan(row, 0, end, [])
        log.info("Round of turns started, %d minutes each", turn_minutes)

    def _switch_turn(self) -> None:
        """End the running part now: the events of the parts after it move up."""
        part = self._round_part()
        if self._round is None or part is None:
            return
        old = self._round_jobs()
        if part + 1 >= len(ROUND_EVENTS):  # the last say-back: the round is over
            self._end_round()
            return
        nxt = part + 1
        minutes = self._round.turn_minutes if nxt % 2 == 0 else self._round.reflect_minutes
        end = self._now() + self.settings.seconds(minutes)
        self._replan(self._next_generation(), nxt, end, old)
        log.info("Round of turns: part %d ended early", part + 1)

    def _extend_turn(self, minutes: int) -> None:
        """Add ``minutes`` to the running part; the later parts move with it."""
        assert minutes >= 1, minutes
        part = self._round_part()
        old = self._round_jobs()
        if self._round is None or part is None:
            return
        end = old[0].due + self.settings.seconds(minutes)
        self._replan(self._next_generation(), part, end, old)
        log.info("Round of turns: %d minute(s) added to part %d", minutes, part + 1)

    def _end_round(self) -> None:
        if self._round is None:
            return
        self._round = None
        # The row first: its jobs are stale now. (The store is looked up inside the write: after a
        # start from memory there is none, and _persist skips the write.)
        self._persist(lambda: self._side_store().clear_round())
        self._forget(self._round_jobs())
        log.info("Round of turns ended")

    def round_status(self) -> RoundStatus | None:
        """The running round, or None; remaining time is in assistant minutes."""
        with self._lock:  # type: ignore[attr-defined]
            part = self._round_part()
            if self._round is None or part is None:
                return None
            left = self._round_jobs()[0].due - self._now()
            turn = self._round.turn_minutes
        return RoundStatus(part, max(0.0, left / self.settings.minute_seconds), turn)

    # ----- helpers ----------------------------------------------------------------------------

    def _replan(self, row: RoundRow, part: int, end: float, old: list[StoredJob]) -> None:
        """Schedule ``row``'s events from ``part`` on, make it live, then drop ``old``."""
        s = self.settings
        key = round_key(row)
        kept = True
        events = round_events(s, part, end, row.turn_minutes, row.reflect_minutes)
        for e in events:
            job_id = f"turns:{row.round_id}:{row.generation}:{e.kind}:{e.number}"
            last = e is events[-1]
            kept &= self._add(StoredJob(job_id, e.kind, e.number, e.due, key, last, self._frame()))
        self._round = row
        kept &= self._persist(lambda: self._side_store().set_round(row))
        self._forget(old)
        if not kept:
            log.warning(_NOT_KEPT)

    def _next_generation(self) -> RoundRow:
        assert self._round is not None
        r = self._round
        return RoundRow(r.round_id, r.turn_minutes, r.reflect_minutes, r.generation + 1)

    def _round_jobs(self) -> list[StoredJob]:
        """The live round's pending jobs, soonest first."""
        key = round_key(self._round)
        return sorted(
            (j for j in self._mem.values() if j.job_id.startswith("turns:") and j.pause == key),
            key=lambda j: j.due,
        )

    def _round_part(self) -> int | None:
        """Which part is running: the one the soonest pending job ends."""
        jobs = self._round_jobs()
        if not jobs:
            return None
        return ROUND_EVENTS.index((jobs[0].kind, jobs[0].number))
