"""The speaker under a busy interpreter: underruns and audible gaps, one code against another.

    python -m bench starve -- [--code new=. --code old=/tmp/old] [--rounds 3] [--seconds 15]
                              [--hogs 1]

Why: the assistant's voice stuttered on a busy machine. Its audio callback needed the GIL,
which the recognizer and the speech engines hold for tens of milliseconds (README "Why the
canceller removed nothing"). Each trial runs in a process of its own, with ``--code``'s
folder first on ``PYTHONPATH`` (a ``git archive`` of another commit, to compare interleaved,
round by round, under the same load): a ``Player`` plays ``--seconds`` of a 440 Hz tone while
``--hogs`` Python threads in the same process hold the GIL in long native calls
(``sum(range(--hold))``, as a decoder or a numpy operation that does not release it does),
and the private server's ``speaker.monitor`` is recorded. Printed per
code and round: the load average, the underruns the player counted, and the gaps heard: runs
of digital silence of 20 ms or more between the tone's first and last sample (the server plays
zeros where a block was missing). A tone, not speech, so every gap is the player's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from bench._room import private_room

EXPLICIT_ONLY = True

_TRIAL = """
import json, sys, threading, time
import numpy as np
from voice_repair.audio.playback import Player
seconds, hogs, hold = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
player = Player(None)
stop = False
def hog():
    while not stop:
        sum(range(hold))  # one C call: the GIL held throughout, as a long native call holds it
for _ in range(hogs):
    threading.Thread(target=hog, daemon=True).start()
t = np.arange(int(22050 * seconds))
tone = (np.sin(t * 2 * np.pi * 440 / 22050) * 8000).astype(np.int16)
print("go", flush=True)
input()
began = time.monotonic()
played = player.play(tone, 22050)
took = time.monotonic() - began
stop = True
print(json.dumps({"played": played, "took": took, "underruns": player.underruns}), flush=True)
player.close()
"""

GAP_S = 0.02
RATE = 16000


def gaps(samples: np.ndarray) -> list[float]:
    """Runs of exact zeros of ``GAP_S`` or more between the first and the last sound."""
    loud = np.flatnonzero(samples != 0)
    if not loud.size:
        return []
    inside = samples[loud[0] : loud[-1] + 1] == 0
    edges = np.diff(np.concatenate([[0], inside.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    runs = (ends - starts) / RATE
    # a sine crosses zero: one or two exact zeros in a row are the tone, not a gap
    return [float(r) for r in runs if r >= GAP_S]


def _trial(room, code: Path, seconds: float, hogs: int, hold: int) -> dict:
    env = {**room.pulse.child_env(), "PYTHONPATH": str(code)}
    child = subprocess.Popen(
        [sys.executable, "-c", _TRIAL, str(seconds), str(hogs), str(hold)], env=env, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert child.stdout is not None and child.stdin is not None
    try:
        if child.stdout.readline().strip() != "go":
            raise RuntimeError(child.communicate(timeout=30)[1][-2000:])
        with room.pulse.recording() as rec:
            child.stdin.write("\n")
            child.stdin.flush()
            result = json.loads(child.stdout.readline())
            time.sleep(0.3)
        child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    found = gaps(rec.samples)
    result["gaps"] = len(found)
    result["gap_median_ms"] = round(float(np.median(found)) * 1000) if found else 0
    result["gap_total_ms"] = round(sum(found) * 1000)
    loud = np.flatnonzero(rec.samples != 0)
    result["sounded"] = (loud[-1] - loud[0]) / RATE if loud.size else 0.0
    return result


def _held_ms(hold: int) -> float:
    times = []
    for _ in range(5):
        began = time.perf_counter()
        sum(range(hold))
        times.append(time.perf_counter() - began)
    return float(np.median(times)) * 1000


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench starve")
    parser.add_argument("--code", action="append", default=[], help="NAME=FOLDER")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--hogs", type=int, default=1)
    parser.add_argument(
        "--hold", type=int, default=1_000_000,
        help="numbers each hog sums in one call, the GIL held (0: spin)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    codes = [c.split("=", 1) for c in args.code] or [["this", "."]]
    codes = [(name, Path(folder).resolve()) for name, folder in codes]
    held = _held_ms(args.hold)
    print(f"# starve: {args.seconds:.0f} s of tone, {args.hogs} busy Python thread(s) beside "
          f"the player, each holding the GIL {held:.0f} ms at a time (measured here); "
          f"{os.cpu_count()} cores")  # fmt: skip
    print("| code | round | load average | underruns | gaps >= 20 ms | median gap | silence | "
          "first to last sound | play() took |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    with private_room() as room:
        for n in range(1, args.rounds + 1):
            for name, folder in codes:
                load = os.getloadavg()[0]
                r = _trial(room, folder, args.seconds, args.hogs, args.hold)
                print(f"| {name} | {n} | {load:.1f} | {r['underruns']} | {r['gaps']} | "
                      f"{r['gap_median_ms']} ms | {r['gap_total_ms']} ms | "
                      f"{r['sounded']:.2f} s | {r['took']:.2f} s |", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
