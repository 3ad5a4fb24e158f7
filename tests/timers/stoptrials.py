"""Stop trials: ``chat`` stopped at a random moment around a late reminder's firing.

Shared by ``test_stop.py`` (a few seeded trials in ``make test``) and ``bench/stops.py``
(hundreds, over several seeds). Each trial leaves one reminder due about when the next ``chat``
starts, then stops that ``chat`` at a random moment around start-up and the first firing: end of
input (at start or later), SIGINT or SIGTERM; a SIGINT may come to a ``chat`` whose parent ignored
SIGINT (a job started with ``&`` from a script, a CI runner), which is how the hang of issue 22
happened. Every stop must end the process, quickly and with no traceback, and over all trials and a
final run every reminder must be said exactly once.
"""

from __future__ import annotations

import random
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from stopping import Chat, write_config

from voice_repair.models import AddReminder, TimerEvent
from voice_repair.timers.engine import TimerEngine, TimerSettings

LIMIT = 1.5
"""Seconds a stop may take on a quiet machine, from the signal (or end of input) to the exit."""
STARTUP = 60.0
"""Seconds a start-up may take on a loaded machine (a stop before it waits for it): 15 s were
measured at a load average of 8 on 2 cores."""
HOWS = ("eof-at-start", "eof", "sigint", "sigterm")


@dataclass
class Stops:
    """What a series of stop trials did and found."""

    trials: int = 0
    unstarted: int = 0
    """Trials whose ``chat`` did not start within ``STARTUP`` (killed; not a stop)."""
    reminders: int = 0
    """Reminders left, one per trial: each must be said exactly once over the series."""
    said: int = 0
    hung: list[str] = field(default_factory=list)
    slow: list[str] = field(default_factory=list)
    """Stops over ``LIMIT`` seconds (as measured; the test stretches it by the machine's speed)."""
    bad: list[str] = field(default_factory=list)
    seconds: list[tuple[str, float]] = field(default_factory=list)
    """(how, seconds from the stop, or from ready if later, to the exit) of each trial."""

    def summary(self) -> str:
        took = sorted(s for _, s in self.seconds) or [0.0]
        by_how = {h: sum(1 for x, _ in self.seconds if x.split(" ")[0] == h) for h in HOWS}
        return (
            f"{self.trials} stops {by_how}, {len(self.hung)} hung, {len(self.slow)} over "
            f"{LIMIT} s, {len(self.bad)} tracebacks, {self.unstarted} not started in "
            f"{STARTUP:.0f} s; exit after the stop: median {took[len(took) // 2]:.2f} s, max "
            f"{took[-1]:.2f} s; {self.said} of {self.reminders} reminders said"
        )


def leave_reminder(data: Path) -> int:
    """A reminder due in one second, set by an engine that then stops: nobody runs at its time.

    That engine is a real one: a reminder an earlier ``chat`` kept at its stop may come due
    in its brief run and be said by it. Returns how many it said."""
    heard: list[TimerEvent] = []
    engine = TimerEngine(data, TimerSettings(1.0), heard.append)
    engine.start()
    engine.apply(AddReminder(in_minutes=1))
    engine.shutdown()
    return sum(1 for event in heard if event.kind == "reminder.due")


def _timeline(chat: Chat, stopped: float) -> str:
    """What a slow stop's ``chat`` logged from a second before the stop to its exit, each
    line with when it arrived (relative to the stop), to tell a slow step from a starved
    process."""
    return "\n".join(
        f"    {at - stopped:+.2f} s  {line[:160]}" for at, line in chat.log if at >= stopped - 1.0
    )


LAST_RUN_MIN = 60.0
"""Seconds the last run has at least to say the reminders it reported pending (all are due
when it starts; a quiet machine says them within a second)..."""
LAST_RUN_STARTUPS = 20
"""...or this many times its measured start-up, if longer."""


def hear_the_rest(last: Chat) -> None:
    """Wait until ``last`` has said every reminder it reported pending at its start, or until a
    budget from its measured start-up is spent. A fixed second (as before) could end a loaded
    run before its words: the reminder then stays stored and is counted as not said."""
    budget = max(LAST_RUN_MIN, LAST_RUN_STARTUPS * (last.ready_at - last.started))
    t0 = time.monotonic()
    while len(last.chimed("reminder.due")) < last.pending_at_start():
        if time.monotonic() - t0 > budget or last.popen.poll() is not None:
            return
        time.sleep(0.05)


def stop(chat: Chat, how: str) -> None:
    if how == "eof":
        chat.close_input()
    else:
        chat.popen.send_signal(signal.SIGINT if how.startswith("sigint") else signal.SIGTERM)


def run(folder: Path, seed: int, trials: int, limit: float = LIMIT) -> Stops:
    """``trials`` stops, then a last run that hears what is left. A stop longer than ``limit``
    is listed in ``slow``; one that does not end within ``STARTUP + limit`` in ``hung`` (with
    every thread's stack), and the series ends there."""
    rng = random.Random(seed)
    data, config = folder / "data", write_config(folder, grace_minutes=1440)
    found = Stops()
    for trial in range(trials):
        found.said += leave_reminder(data)
        found.reminders += 1
        time.sleep(rng.uniform(0.0, 1.5))  # due before, during or just after the next start-up
        how = rng.choice(HOWS)
        inherited = how == "sigint" and rng.random() < 0.5
        how += " (SIGINT ignored by the parent)" if inherited else ""
        name = f"trial {trial} ({how}, seed {seed})"
        chat = Chat.start(
            data, config, 1.0, stdin_eof=how == "eof-at-start", ignore_sigint=inherited
        )
        try:
            if how == "eof-at-start":
                stopped = chat.started
            elif not chat.wait_ready(STARTUP):
                found.unstarted += 1
                chat.kill()
                found.said += len(chat.chimed("reminder.due"))
                continue
            else:
                time.sleep(rng.uniform(0.0, 0.5))  # around the late reminder's firing
                stopped = time.time()
                stop(chat, how)
            took = chat.wait_exit(STARTUP + limit)
            found.trials += 1
            if took is None:
                found.hung.append(f"{name} hung:\n{chat.dump()}")
                break
            end = stopped + took if how != "eof-at-start" else time.time()
            after = end - max(stopped, chat.ready_at or stopped)
            found.seconds.append((how, round(after, 2)))
            if after > limit:
                found.slow.append(f"{name}: {after:.2f} s\n{_timeline(chat, stopped)}")
            found.bad += [f"{name}: {line}" for line in chat.bad_lines()]
            found.said += len(chat.chimed("reminder.due"))
        finally:
            chat.kill()
    last = Chat.start(data, config, 1.0)
    try:
        assert last.wait_ready(STARTUP), last.log
        hear_the_rest(last)
        last.close_input()
        assert last.wait_exit(STARTUP) is not None, last.dump()
        found.said += len(last.chimed("reminder.due"))
        assert not any(line["source"] == "startup" for _, line in last.said), "one was dropped"
    finally:
        last.kill()
    return found
