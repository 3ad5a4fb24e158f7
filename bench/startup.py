"""``python -m bench startup``: how long ``voice-repair chat`` takes from start to its first reply.

A restarted service answers only after this start-up, and the test suite starts ``chat`` and
``run`` some hundreds of times, so both feel it. Each trial starts a fresh ``chat`` with its own
timer store, hands it one line and the end of input, and measures the process's wall time and
its CPU time (user + system, from the kernel). The median of the trials is printed, with the
load average at the time: on a shared machine the wall time follows the load, the CPU time far
less. The cache folder is the usual one, so the run measures a start with the data's records
(``passed.py``, ``regexstore.py``) already made, as every start after the first is; the first
trial is a warm-up and not counted.

Options: ``--runs N`` (default 5), ``--line TEXT`` (default "I need a pause": a template request;
everyday talk such as "hello there" also loads the semantic net's model).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXPLICIT_ONLY = True

ROOT = Path(__file__).resolve().parents[1]


def _one(line: str) -> tuple[float, float]:
    """(wall s, CPU s) of one ``chat`` that reads ``line`` and ends."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory(prefix="vr-startup-") as data:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "voice_repair", "chat", "--data-dir", data],
            input=line + "\n",
            capture_output=True,
            text=True,
            env=env,
            check=True,
            timeout=120,
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench startup")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--line", default="I need a pause")
    args = parser.parse_args(argv)
    if args.runs < 1:
        print("--runs must be at least 1")
        return 2
    _one(args.line)  # warm-up: the data's records made, the files in the page cache
    trials = [_one(args.line) for _ in range(args.runs)]
    walls, cpus = zip(*trials, strict=True)
    load = os.getloadavg()[0]
    print(f"chat start-up, one line ({args.line!r}), {args.runs} runs, load average {load:.1f}:")
    print(f"  wall  median {statistics.median(walls):.2f} s  (min {min(walls):.2f} s)")
    print(f"  CPU   median {statistics.median(cpus):.2f} s  (min {min(cpus):.2f} s)")
    return 0
