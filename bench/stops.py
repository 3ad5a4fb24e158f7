"""Stop trials by the hundred: ``chat`` stopped at random moments around a late reminder's firing.

    python -m bench stops -- [--trials N] [--seeds S1,S2,...]

Each trial ends a ``chat`` by end of input (at start-up or later), SIGINT (half of them to a
``chat`` whose parent ignored SIGINT, as a script's ``&`` or a CI runner does) or SIGTERM, at a
random moment around start-up and a late reminder's firing (see ``tests/timers/stoptrials.py``).
Prints the counts and how long the stops took; exit status 1 if any stop hung, took longer than
1.5 s, logged a traceback, or a reminder was lost or said twice. ``make test`` runs a few.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "timers"))

import stoptrials  # tests/timers/stoptrials.py, shared with the test

EXPLICIT_ONLY = True  # minutes per hundred trials: only when named


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench stops")
    parser.add_argument("--trials", type=int, default=50, help="trials per seed")
    parser.add_argument("--seeds", default="14,15,16,17", help="comma-separated seeds")
    args = parser.parse_args(argv)
    status = 0
    for seed in (int(s) for s in args.seeds.split(",")):
        t0 = time.time()
        with tempfile.TemporaryDirectory(prefix="vr-stops-") as folder:
            found = stoptrials.run(Path(folder), seed, args.trials)
        print(f"stops, seed {seed}, {time.time() - t0:.0f} s: {found.summary()}", flush=True)
        for problem in found.hung + found.slow + found.bad:
            print(f"  PROBLEM: {problem}")
        if found.said != found.reminders:
            print(f"  PROBLEM: {found.reminders} reminders set, {found.said} said")
        if found.hung or found.slow or found.bad or found.said != found.reminders:
            status = 1
    return status
