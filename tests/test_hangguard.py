"""``hangguard.run``: a child starved of CPU finishes, a child that hangs is stopped.

The starvation is real: the child and a busy loop pinned to the same core (``taskset``), the
child at nice 15, so it gets a few per cent of that core at most, whatever else runs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import hangguard
import pytest
from timing import MAX_SLOWNESS

WORK = "i=0; while [ $i -lt 40000 ]; do i=$((i+1)); done; echo done"
"""A child that needs about 0.08 s of CPU (a shell's loop: no interpreter to load), then says so:
at a few per cent of a core that is over a second, well past the 0.4 s its guard stretches to
(0.02 s of work, before, finished in 0.35 s on a quiet machine, and the test failed)."""


# The two tests that keep a core busy on purpose (a busy loop until the starved child is done,
# a child spinning until its guard stops it) are ``slow``: 2.8-3.2 s of CPU each in a ``make
# check`` at load 8-12, and while they spin the other worker shares its core with them. They
# check the tests' own helper, not the product; ``make test`` runs them, and ``make check``
# keeps the sleeping child's and every ``vr()`` call of ``test_cli`` through ``hangguard``.
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("taskset") is None, reason="taskset (util-linux) not installed")
def test_a_child_starved_of_cpu_outlives_its_quiet_guard_and_passes():
    core = str(sorted(os.sched_getaffinity(0))[0])
    burner = subprocess.Popen(["taskset", "-c", core, sys.executable, "-c", "while 1: pass"])
    try:
        time.sleep(0.2)  # the busy loop holds the core before the child starts
        starved = ["taskset", "-c", core, "nice", "-n", "15", "sh", "-c", WORK]
        ran = hangguard.run(starved, 0.1, text=True)
    finally:
        burner.kill()
        burner.wait()
    assert ran.done.returncode == 0 and ran.done.stdout.strip() == "done", ran.done.stderr
    # it took longer than its quiet guard stretched as far as ``budget`` stretches one, nearly
    # all of it waiting for the core
    assert ran.wall > MAX_SLOWNESS * 0.1 and ran.cpu.waited > 0.5 * ran.wall, (ran.wall, ran.cpu)


def test_a_child_asleep_for_ever_is_stopped_at_its_guard():
    t0 = time.monotonic()
    with pytest.raises(hangguard.Hung, match="did not end"):
        hangguard.run([sys.executable, "-c", "import time; time.sleep(600)"], 0.5)
    assert time.monotonic() - t0 < 60  # the guard, stretched at most 4 times, plus start-up


@pytest.mark.slow  # it spins a core until its guard stops it (above)
def test_a_child_spinning_for_ever_is_stopped():
    t0 = time.monotonic()
    with pytest.raises(hangguard.Hung, match="did not end"):
        hangguard.run([sys.executable, "-c", "while 1: pass"], 0.5)
    # it ran on a core of its own: its own CPU time reached the guard
    assert time.monotonic() - t0 < 60
