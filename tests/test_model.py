"""A model-based test of the whole conversation: random requests, time, restarts and danger.

Each step is one of: a typed sentence (a few test sentences of every intent, danger, everyday
talk), time going by (the due timer events fired in order), or a restart (the engine stopped and
a new one started on the same SQLite file). Everything is real (matcher, response data, session,
timer engine and its store in ``tmp_path``) except the clock, which the test moves, and the
ticker thread, replaced by firing due events on this thread (``fire_due``), so a run is
reproducible from its seed. ``VOICE_REPAIR_MODEL_STEPS`` (steps per seed) runs it longer.

After every step the invariants a couple relies on are checked:

- no exception, whatever the order;
- after a danger reply nothing invites them back (no pause, round or reminder event is spoken)
  until someone asks (a pause, a round, a reminder, "keep the reminder");
- at most one pause or round runs;
- every reminder set is spoken once, or cancelled (by a request, by danger, or by a restart
  while held): the books balance at every step;
- every spoken length is the timer's: a pause, a round, a reminder, an extension, time left.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path

import pytest

from voice_repair import app
from voice_repair.datafiles import load_yaml
from voice_repair.models import (
    AddReminder,
    CancelReminders,
    ExtendPause,
    IntentMatch,
    KeepReminders,
    Reply,
    Say,
    StartPause,
    StartRound,
)
from voice_repair.session import Session
from voice_repair.skill import Context
from voice_repair.skill.spoken import duration, remaining
from voice_repair.timers.engine import TimerEngine

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "intents" / "en" / "tests"
STEPS = int(os.environ.get("VOICE_REPAIR_MODEL_STEPS", "2000"))
SEEDS = (1, 2, 3, 4, 5)
PER_INTENT = 4
"""Test sentences taken per intent (the first of each group, then more)."""

INVITES = {
    "pause.nudge", "pause.warning", "pause.finished", "pause.reminder", "reminder.due",
    "turns.reflect", "turns.switch", "turns.finished",
}  # fmt: skip
"""Sources of timer events: each calls the couple back to the talk, or moves a round on."""
ASKS = {"pause.start", "turns.start", "turns.again", "reminder.set", "reminder.keep"}
"""Requests that ask to be called back: after danger, only these lift the silence."""


class ManualClock:
    """Wall and steady clocks the test moves (no jumps: they move together)."""

    def __init__(self) -> None:
        self.t = time.time()

    def wall(self) -> float:
        return self.t

    def mono(self) -> float:
        return self.t

    def boot_id(self) -> str:
        return "model-boot"

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.t).astimezone()


class CachedMatcher:
    """The real matcher, each sentence matched once: the pool is small, the steps are many."""

    def __init__(self, matcher) -> None:
        self._matcher = matcher
        self._seen: dict[str, IntentMatch | None] = {}

    def match(self, text: str) -> IntentMatch | None:
        if text not in self._seen:
            self._seen[text] = self._matcher.match(text)
        return self._seen[text]

    def danger(self, text: str) -> IntentMatch | None:
        return self._matcher.danger(text)


def _pool() -> list[str]:
    """A few test sentences of every intent, the safety ones, and everyday talk."""
    pool: list[str] = []
    for path in sorted(TESTS.glob("*.yaml")):
        doc, problems = load_yaml(path)
        assert not problems
        if path.name == "_none.yaml":
            pool += doc["sentences"][::12]
            continue
        if path.name.startswith("_"):
            continue
        by_intent: dict[str, list[str]] = {}
        for test in doc["tests"]:
            by_intent.setdefault(test["intent"]["name"], []).extend(test["sentences"])
        for sentences in by_intent.values():
            pool += sentences[:: max(1, len(sentences) // PER_INTENT)][:PER_INTENT]
    return pool


@pytest.fixture(scope="module")
def language():
    options = app.Options()
    matcher, content = app.load_language(options)
    return CachedMatcher(matcher), content, options


class World:
    """One conversation under test, with the books the invariants are checked against."""

    def __init__(self, language, data_dir: Path, rng: random.Random) -> None:
        self.matcher, self.content, options = language
        self.settings = options.timer_settings()
        self.ctx = Context(self.content, options.skill_settings())
        self.data_dir = data_dir
        self.rng = rng
        self.clock = ManualClock()
        self.said: list[Say] = []
        self.danger = False
        """A danger reply came and nobody has asked to be called back since."""
        self.added = self.spoken = self.cancelled = 0
        self.engine: TimerEngine | None = None
        self.session: Session | None = None
        self.start()

    # ----- the system --------------------------------------------------------------------------

    def start(self) -> None:
        def on_event(event) -> None:
            assert self.session is not None
            self.session.on_timer_event(event)

        engine = TimerEngine(self.data_dir, self.settings, on_event, clock=self.clock)
        report = engine.start()
        assert report.dropped == 0 and report.memory_only is None
        engine._ticker.stop(1.0)  # this thread fires the events (fire_due): reproducible
        engine._ticker = None
        self.engine = engine
        self.session = Session(self.matcher, self.ctx, engine, self.emit, clock=self.clock.now)

    def restart(self) -> None:
        assert self.engine is not None
        self.cancelled += len(self.engine.held_reminders())  # held in memory: a restart drops them
        self.engine.shutdown()
        self.start()

    def emit(self, say: Say) -> None:
        if say.source in INVITES:
            assert not self.danger, f"{say.source} spoken after a danger reply"
        if say.source == "reminder.due":
            self.spoken += 1
        self.said.append(say)

    def fire_due(self) -> None:
        """Every event due by now, in the ticker's order (``Ticker._run``)."""
        engine = self.engine
        assert engine is not None
        while True:
            with engine._lock:
                due = [(j.due - engine._offset, j.job_id) for j in engine._mem.values()]
            ready = sorted(d for d in due if d[0] <= self.clock.mono())
            if not ready:
                return
            engine._due(ready[0][1])

    # ----- steps -------------------------------------------------------------------------------

    def say(self, text: str) -> None:
        engine, session = self.engine, self.session
        assert engine is not None and session is not None
        held, pending = len(engine.held_reminders()), len(engine.reminders())
        match = self.matcher.match(text)
        reply = session.handle_text(text)
        if reply is None:
            return
        assert match is not None
        if match.intent == "safety":
            self.danger = True
        elif match.intent in ASKS:
            self.danger = False
        self.check_reply(reply, held, pending)

    def check_reply(self, reply: Reply, held: int, pending: int) -> None:
        engine = self.engine
        assert engine is not None
        words = " ".join(s.text for s in reply.says)
        for effect in reply.effects:
            if isinstance(effect, AddReminder):
                self.added += 1
                if effect.in_minutes is not None:
                    assert duration(self.content, effect.in_minutes) in words
            elif isinstance(effect, CancelReminders):
                self.cancelled += held + pending
            elif isinstance(effect, KeepReminders):
                back = len(engine.reminders()) - pending
                self.cancelled += held - back  # past their time while held
            elif isinstance(effect, StartPause):
                status = engine.pause_status()
                assert status is not None and status.total_minutes == effect.minutes
                assert duration(self.content, effect.minutes) in words
            elif isinstance(effect, ExtendPause):
                status = engine.pause_status()
                assert status is not None
                assert remaining(self.content, status.remaining_minutes) in words
            elif isinstance(effect, StartRound):
                status = engine.round_status()
                assert status is not None and status.turn_minutes == effect.turn_minutes
                assert duration(self.content, effect.turn_minutes) in words
        if reply.says and reply.says[0].source == "pause.status" and not reply.effects:
            pause, rnd = engine.pause_status(), engine.round_status()
            if rnd is not None:
                assert remaining(self.content, rnd.remaining_minutes) in words
            elif pause is not None and not pause.ringing:
                assert remaining(self.content, pause.remaining_minutes) in words

    def wait(self, minutes: float) -> None:
        self.clock.t += minutes * self.settings.minute_seconds
        self.fire_due()

    def check(self) -> None:
        engine = self.engine
        assert engine is not None
        assert engine.pause_status() is None or engine.round_status() is None
        live = len(engine.reminders()) + len(engine.held_reminders())
        assert self.added == self.spoken + self.cancelled + live, (
            self.added, self.spoken, self.cancelled, live,
        )  # fmt: skip


def run(world: World, pool: list[str], steps: int) -> None:
    danger = [s for s in pool if world.matcher.match(s) is not None and
              world.matcher.match(s).intent == "safety"]  # fmt: skip
    rng = world.rng
    for _ in range(steps):
        roll = rng.random()
        if roll < 0.55:
            world.say(rng.choice(pool))
        elif roll < 0.60:
            world.say(rng.choice(danger))
        elif roll < 0.99:
            world.wait(rng.choice((0.2, 0.5, 1.0, 2.0, 5.0, 20.0, 90.0)))
        else:
            world.restart()
        world.check()
    # Let every promise come due: the books must balance with nothing left but held ones.
    world.wait(13 * 60)
    world.check()
    assert not world.engine.reminders()


@pytest.fixture
def data_dir(tmp_path: Path):
    """A data folder in memory (``/dev/shm``) when the machine has one: every SQLite commit on
    a real disk waits for it (7 ms each here, 35 s for 10,000 steps). This test is about the
    conversation's logic; what a commit survives is ``tests/timers``'s."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path / "data"
        return
    folder = Path(tempfile.mkdtemp(prefix="voice-repair-model-", dir=shm))
    try:
        yield folder / "data"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# `slow` (`make test` runs it, `make check` not):
# five seeded random conversations, each a whole session of steps;
# 9.7 s of CPU in `make check` (2026-12-07, tests/cpuclock.py).
@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_random_conversations_keep_every_promise(language, data_dir: Path, seed: int):
    rng = random.Random(seed)
    world = World(language, data_dir, rng)
    try:
        run(world, _pool(), STEPS)
    finally:
        assert world.engine is not None
        world.engine.shutdown()
    heard = {s.source for s in world.said}
    assert {"safety", "reminder.due", "pause.finished", "turns.finished"} <= heard, heard
