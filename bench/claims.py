"""Kills inside timer events' words, by the hundred: nothing lost, every repeat marked.

    python -m bench claims -- [--kills N] [--seed S]

The timer engine alone (``tests/timers/timer_child.py``, words lasting 0.3 s) SIGKILLed at random
moments, restarted each time, then a last run hears what is left (see
``tests/timers/claimkills.py``). Prints the counts; exit status 1 if a reminder was lost or said
again without the words that admit it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "timers"))

import claimkills  # tests/timers/claimkills.py, shared with the test


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench claims")
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=22)
    args = parser.parse_args(argv)
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="vr-claims-") as folder:
        found = claimkills.run(Path(folder), args.seed, args.kills)
    print(f"claims, seed {args.seed}, {time.time() - t0:.0f} s: {found.summary()}")
    for problem in found.lost + found.unmarked:
        print(f"  PROBLEM: {problem}")
    return 0 if found.ok() else 1
