"""Kills inside a timer event's words: the two-phase claim turns a loss into a marked repeat.

Shared by ``test_claims.py`` (a short seeded run in ``make test``) and ``bench/claims.py``
(hundreds of kills). Each run starts the timer engine alone (``timer_child.py``, a fast start),
adds a reminder a few fast minutes ahead and is SIGKILLed at a random moment; each event's words
take ``SPEAK`` s (``--speak-seconds``), so many kills land between an event's claim and the end of
its words, where a kill used to lose the event (issue 22). A last run hears what is left. Judged
from the children's JSON lines:

- lost: a reminder a run reported pending whose words were never finished in any run;
- unmarked: an event said a second time without ``repeat`` (the words that admit it);
- repeats: events said again, marked (counted; each is a kill inside its first words, or a kill
  after the words and before they were marked spoken, which is what they admit).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

CHILD = Path(__file__).with_name("timer_child.py")
ROOT = Path(__file__).resolve().parents[2]
MINUTE = 0.05
SPEAK = 0.3


@dataclass
class Claims:
    kills: int = 0
    reminders: int = 0
    said: int = 0
    repeats: int = 0
    cut: int = 0
    """Words started and cut by a kill."""
    lost: list[str] = field(default_factory=list)
    unmarked: list[str] = field(default_factory=list)
    unstarted: int = 0

    def ok(self) -> bool:
        return not (self.lost or self.unmarked)

    def summary(self) -> str:
        return (
            f"{self.kills} kills, {self.reminders} reminders set, {self.said} said whole, "
            f"{self.cut} words cut by a kill, {self.repeats} said again marked, "
            f"{len(self.unmarked)} said again unmarked, {len(self.lost)} lost"
        )


def _child(folder: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    speak, grace = f"--speak-seconds={SPEAK}", "--grace=100000"  # nothing dropped
    argv = [sys.executable, str(CHILD), str(folder), str(MINUTE), *args, speak, grace]
    return subprocess.Popen(
        argv, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


class Child:
    """One ``timer_child.py`` whose JSON lines are collected as they come."""

    def __init__(self, folder: Path, *args: str) -> None:
        self.proc = _child(folder, *args)
        self.lines: list[dict] = []
        self.ready = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:  # type: ignore[union-attr]
            if line.startswith("{"):
                self.lines.append(json.loads(line))
                self.ready.set()

    def end(self, kill: bool) -> list[dict]:
        """Kill it, or close its input (it stops); every line it said."""
        if kill:
            self.proc.send_signal(signal.SIGKILL)
        elif self.proc.stdin is not None and not self.proc.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self.proc.stdin.close()
        self.proc.wait(30)
        self._reader.join(30)
        return self.lines


def run(folder: Path, seed: int, kills: int) -> Claims:
    rng = random.Random(seed)
    data = folder / "data"
    found = Claims()
    outputs: list[list[dict]] = []
    for _ in range(kills):
        child = Child(data, f"reminder:{rng.randint(1, 12)}")
        if not child.ready.wait(60):
            found.unstarted += 1
        time.sleep(rng.uniform(0.0, 1.0))  # events come due and are said meanwhile
        outputs.append(child.end(kill=True))
        found.kills += 1
    last = Child(data)
    last.ready.wait(60)
    time.sleep(1.0 + 12 * MINUTE)  # everything left comes due, and is said one after another:
    while True:  # wait until nothing more is said
        before = len(last.lines)
        time.sleep(3 * SPEAK)
        if len(last.lines) == before:
            break
    outputs.append(last.end(kill=False))
    judge(outputs, found)
    return found


def judge(outputs: list[list[dict]], found: Claims) -> None:
    def key(due: float) -> str:
        return f"{due:.3f}"

    pending: set[str] = set()
    started: Counter = Counter()
    whole: set[str] = set()
    for lines in outputs:
        words_open: str | None = None
        for line in lines:
            if "ready" in line:
                pending |= {key(d) for d in line["reminders"]}
            elif "done" in line:
                whole.add(key(line["done"]))
                words_open = None
                found.said += 1
            elif line.get("kind") == "reminder.due":
                due = key(line["due"])
                if started[due] and not line["repeat"]:
                    found.unmarked.append(f"reminder due {due}")
                found.repeats += bool(line["repeat"])
                started[due] += 1
                words_open = due
        found.cut += words_open is not None
    found.reminders = len(pending)
    found.lost = [f"reminder due {due}" for due in sorted(pending - whole)]
