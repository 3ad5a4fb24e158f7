"""Wall-clock jumps, with an injected clock: durations keep their length, "at eight" stays eight.

``JumpyClock`` is the real steady clock and a wall clock that the test moves by hours at will, as
NTP setting a Raspberry Pi's clock at boot would. The engine, APScheduler's store and SQLite are
real; only the wall clock is the test's.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest
from heard import Heard
from timing import budget

from voice_repair.models import AddReminder, StartPause
from voice_repair.timers.engine import TimerEngine, TimerSettings

MIN = 0.1
HOUR = 3600.0
ON_TIME = 0.25


class JumpyClock:
    """Steady time is ``time.monotonic``; the wall clock is the real one plus ``jump``."""

    def __init__(self, boot: str = "boot-1") -> None:
        self.jump = 0.0
        self.boot = boot

    def wall(self) -> float:
        return time.time() + self.jump

    def mono(self) -> float:
        return time.monotonic()

    def boot_id(self) -> str:
        return self.boot


@pytest.fixture
def make(tmp_path: Path):
    made: list[TimerEngine] = []

    def start(clock: JumpyClock, settings: TimerSettings | None = None, folder: str = "data"):
        heard = Heard()
        engine = TimerEngine(tmp_path / folder, settings or TimerSettings(MIN), heard, clock)
        report = engine.start()
        made.append(engine)
        return engine, heard, report

    yield start
    for engine in made:
        engine.shutdown()


@pytest.mark.parametrize("jump", [HOUR, -HOUR])
def test_a_running_pause_ends_on_time_when_the_wall_clock_jumps(make, jump):
    # The jump must come mid-pause, a minute and a half in: a minute lasts MIN, and the moment
    # of the jump is measured; a test woken too late for that (a busy machine) tries again on a
    # new folder with a minute sized from how late it woke. The repeats are far apart, so the
    # pause still rings when the test, woken by its end, asks.
    minute = MIN
    for attempt in range(3):
        clock = JumpyClock()
        settings = TimerSettings(minute, repeat_every_minutes=1000)
        engine, heard, _ = make(clock, settings, f"try{attempt}")
        wall, started = time.time(), time.monotonic()
        engine.apply(StartPause(5))
        applied = time.monotonic() - started
        time.sleep(1.5 * minute)
        clock.jump = jump
        jumped = time.monotonic() - started
        if jumped < 3 * minute or attempt == 2:
            break
        engine.shutdown()
        minute = max(2 * minute, jumped)
    at, event = heard.wait_for("pause.finished", timeout=5 * minute + 10)
    assert 5 * minute <= at - started < 5 * minute + budget(ON_TIME), (at - started, minute)
    assert not event.late
    # Its wall-clock time moved with the jump; the status counts down in real time.
    meant = event.due.timestamp() - jump - 5 * minute  # when the pause started, by the wall
    assert wall - 0.01 <= meant <= wall + applied + 0.01, (meant - wall, applied)
    status = engine.pause_status()
    assert status is not None and status.ringing


def test_a_wall_clock_reminder_moves_with_the_jump_a_duration_does_not(make):
    clock = JumpyClock()
    engine, heard, _ = make(clock)
    started = time.monotonic()
    at_wall = datetime.fromtimestamp(clock.wall() + 3.0).astimezone()  # "at" three seconds on
    engine.apply(AddReminder(at=at_wall))
    engine.apply(AddReminder(in_minutes=8))  # 0.8 s
    time.sleep(0.1)
    clock.jump = 2.0  # the wall clock is now two seconds ahead: "at" comes at ~1 s
    jumped = time.monotonic() - started  # measured: a busy machine may wake the test late
    first_at, first = heard.wait_for("reminder.due", timeout=10)
    with heard.cond:
        assert heard.cond.wait_for(lambda: len(heard.events) == 2, 10)
    (a, ev_a), (b, ev_b) = heard.events
    assert 0.8 <= a - started < 0.8 + budget(ON_TIME), "the duration kept its length"
    came = "the wall-clock time came when the clock read it (or at the jump, if that was later)"
    assert 1.0 <= b - started < max(1.0, jumped) + budget(ON_TIME), came
    assert abs(ev_b.due.timestamp() - at_wall.timestamp()) < 0.01
    assert first is ev_a and first_at == a


@pytest.mark.parametrize("jump", [HOUR, -HOUR])
def test_a_jump_while_down_is_measured_on_restart(make, jump):
    # The restart must be over before the pause's end, or the end comes late, not on time: a
    # minute lasts MIN, and the restart is timed; one too slow for its minute (a busy machine)
    # is tried again on a new folder with a minute sized from what it took.
    minute = MIN
    for attempt in range(3):
        clock = JumpyClock()
        folder = f"try{attempt}"
        engine, _, _ = make(clock, TimerSettings(minute), folder)
        started = time.monotonic()
        engine.apply(StartPause(10))  # one second, or more
        engine.shutdown()
        clock.jump = jump  # while nothing runs
        engine, heard, report = make(clock, TimerSettings(minute), folder)
        status = engine.pause_status()
        read = time.monotonic() - started
        if read < 5 * minute or attempt == 2:
            break
        engine.shutdown()
        minute = max(2 * minute, read / 2)
    assert report.dropped == 0
    least = 10 - read / minute - 0.01  # what is left of it, real time
    assert status is not None and least <= status.remaining_minutes <= 10, (status, least)
    at, event = heard.wait_for("pause.finished", timeout=10 * minute + 10)
    assert 10 * minute <= at - started < 10 * minute + budget(ON_TIME), at - started
    assert not event.late


def test_after_a_reboot_the_wall_clock_is_trusted(make):
    clock = JumpyClock()
    engine, _, _ = make(clock)
    engine.apply(StartPause(10))
    engine.shutdown()
    clock.jump, clock.boot = HOUR, "boot-2"  # another boot: the time off cannot be measured
    engine, _, report = make(clock)
    assert report.dropped == 6  # all of the pause's events: an hour late, past the grace
    assert engine.pause_status() is None
