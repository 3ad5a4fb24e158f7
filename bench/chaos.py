"""The long chaos run: ``chat`` SIGKILLed at random moments 100+ times, restarted each time.

    python -m bench chaos -- [--kills N] [--seed S] [--minute SECONDS] [--keep DIR] [--minutes M]

Scripted use at ``--minute 0.05`` (pauses started, extended and ended, reminders, scripts, stop),
killed at a random moment of each run; then one last run hears what is left. Prints the counts
(see ``tests/timers/chaos.py`` for what is checked); exit status 1 if any event was lost,
doubled, untimely or dropped, or a traceback was logged. ``make test`` runs a short one.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "timers"))

import chaos  # tests/timers/chaos.py, shared with the test


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench chaos")
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--minute", type=float, default=0.05)
    parser.add_argument("--keep", type=Path, help="write each run's log into this folder")
    parser.add_argument(
        "--minutes", type=float, help="start no new run after this long: fewer kills, judged"
    )
    args = parser.parse_args(argv)
    t0 = time.time()
    until = t0 + args.minutes * 60 if args.minutes else None
    with tempfile.TemporaryDirectory(prefix="vr-chaos-") as folder:
        counts = chaos.run(Path(folder), args.seed, args.kills, args.minute, args.keep, until)
    print(f"chaos, seed {args.seed}, --minute {args.minute}, {time.time() - t0:.0f} s:")
    print(f"  {counts.summary()}")
    for problem in counts.doubled + counts.lost + counts.untimely + counts.bad:
        print(f"  PROBLEM: {problem}")
    return 0 if counts.ok() else 1
