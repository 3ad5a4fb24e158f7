"""``timing.CpuWait`` counts a wait for a CPU while it is still going on (``timing.Queued``).

Linux adds a thread's wait to its ``schedstat`` only when the wait ends, so a starved process
showed none of a long stretch of waiting until it got a core: a budget or hang guard taken from
its waits was short by that stretch (``hangguard`` had its own fix, ``_Queued``; ``CpuWait``,
which every other budget from waits uses, had the lag). The starvation is real, as in
``test_hangguard``: a child and a busy loop pinned to one core (``taskset``), the child at nice
19, runnable all along (a shell's busy loop), so the time it ran plus the time it waited must
keep up with the wall clock at every look, not only when each wait ends.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest
from timing import CpuWait

WORK = "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done"
"""About 0.2 s of CPU in a shell (no interpreter to load): many seconds at nice 19 beside a busy
loop on its core, so it is still starved when the looks end."""

LOOK_EVERY = 0.05
LOOK_FOR = 3.0
"""Seconds of looks at the starved child, then it is stopped."""


# A busy loop holds a core for the seconds the child is starved; the tests' own helper, not
# the product: ``slow``, as ``test_hangguard``'s starved child.
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("taskset") is None, reason="taskset (util-linux) not installed")
def test_a_starved_childs_wait_is_counted_while_it_goes_on():
    core = str(sorted(os.sched_getaffinity(0))[0])
    burner = subprocess.Popen(["taskset", "-c", core, sys.executable, "-c", "while 1: pass"])
    looks: list[tuple[float, float, float]] = []  # (wall, ran + waited, longest gap so far)
    try:
        time.sleep(0.2)  # the busy loop holds the core before the child starts
        child = subprocess.Popen(["taskset", "-c", core, "nice", "-n", "19", "sh", "-c", WORK])
        cpu = CpuWait(child.pid)
        start = last = time.monotonic()
        longest = 0.0
        while child.poll() is None and time.monotonic() - start < LOOK_FOR:
            time.sleep(LOOK_EVERY)
            cpu._sample()
            now = time.monotonic()
            longest = max(longest, now - last)  # this process may be late to look, too
            last = now
            if child.poll() is None:  # still there when looked at: runnable all along
                looks.append((now - start, cpu.ran + cpu.waited_most, longest))
        child.kill()
        child.wait()
    finally:
        burner.kill()
        burner.wait()
    wall = looks[-1][0] if looks else 0.0
    assert wall > 1.0, f"the child was not starved ({wall:.2f} s): the test proves nothing"
    assert cpu.ran < 0.5 * wall, f"the child was not starved (ran {cpu.ran:.2f} s of {wall:.2f})"
    # Ran plus waited keeps up with the wall clock, behind by at most the time between two
    # looks (a wait is seen to start at the first look after its counters stood still).
    behind = [(round(w, 2), round(w - counted, 2)) for w, counted, most in looks
              if w - counted > most + 0.05]  # fmt: skip
    assert not behind, f"waits not counted while they went on (wall, behind): {behind}"
