"""The threads that keep time ask for a raised priority, and a refusal leaves them as they were.

Real system calls, nothing mocked: the refusals are had by running the same code as an
unprivileged user (``setpriv``) with the resource limits set as a service unit would set them
(``prlimit``), so each step of ``audio.priority``'s fall-back is the kernel's own answer.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from voice_repair.audio.priority import NICE, RT_PRIORITY, raise_priority

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import os, threading
from voice_repair.audio.priority import raise_priority
print(raise_priority("probe"))
print(os.sched_getscheduler(0) & 0xff, os.getpriority(os.PRIO_PROCESS, 0))
"""


def _unreadable_to_others(path: Path) -> Path | None:
    """The first directory on the way to ``path`` (or ``path`` itself) that a user who is not
    its owner cannot pass or read, or None: a checkout made in a private (0700) directory,
    ``mktemp -d``'s kind, cannot be imported as ``nobody`` whatever the code does."""
    for place in reversed(path.parents):
        if not place.stat().st_mode & stat.S_IXOTH:
            return place
    return None if path.stat().st_mode & stat.S_IROTH else path


def _as_nobody(*limits: str, caps: str = "") -> list[str]:
    """The probe's two lines, run as user ``nobody`` under ``prlimit`` ``limits`` (and with
    the capabilities ``caps``, e.g. ``+sys_nice``)."""
    if os.geteuid() != 0 or not (shutil.which("setpriv") and shutil.which("prlimit")):
        pytest.skip("needs root, setpriv and prlimit to run the probe unprivileged")
    closed = _unreadable_to_others(ROOT / "voice_repair" / "audio" / "priority.py")
    if closed is not None:
        pytest.skip(
            f"user nobody cannot read this checkout ({closed} is private): clone it "
            "where others may read, as CI does, to run the probe"
        )
    given = [f"--inh-caps={caps}", f"--ambient-caps={caps}"] if caps else []
    cmd = ["prlimit", *limits, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
           *given, sys.executable, "-c", _PROBE]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60, cwd="/")
    if "failed to set the" in done.stderr:  # raising a hard limit needs CAP_SYS_RESOURCE
        pytest.skip(f"this machine cannot set the limit: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_an_unprivileged_thread_is_left_as_it_was_and_says_so() -> None:
    said, state = _as_nobody("--rtprio=0", "--nice=0")
    assert "priority unchanged" in said
    inherited = os.getpriority(os.PRIO_PROCESS, 0)  # the probe runs at this test's nice
    assert state.split() == [str(os.SCHED_OTHER), str(inherited)]


def test_a_nice_limit_gives_a_lower_nice_when_real_time_is_refused() -> None:
    said, state = _as_nobody("--rtprio=0", f"--nice={20 - NICE}")
    assert f"nice {NICE}" in said and "real-time refused" in said
    assert state.split() == [str(os.SCHED_OTHER), str(NICE)]


def test_an_rtprio_limit_gives_real_time() -> None:
    """What ``LimitRTPRIO=`` in the unit would give (with ``RestrictRealtime=no``)."""
    said, state = _as_nobody(f"--rtprio={RT_PRIORITY}", "--nice=0")
    assert "SCHED_FIFO" in said
    assert state.split()[0] == str(os.SCHED_FIFO)


def test_the_right_to_change_priorities_gives_real_time() -> None:
    """An unprivileged user given ``CAP_SYS_NICE`` (``AmbientCapabilities=`` in a unit)."""
    said, state = _as_nobody("--rtprio=0", "--nice=0", caps="+sys_nice")
    assert "SCHED_FIFO" in said
    assert state.split()[0] == str(os.SCHED_FIFO)


def test_threads_started_by_a_raised_thread_run_at_the_ordinary_priority() -> None:
    """The echo path hands a stop to the session, which may start a scheduler's or a
    renderer's thread: those must never inherit a real-time priority."""
    seen: dict[str, tuple[int, int]] = {}

    def raised() -> None:
        seen["said"] = raise_priority("test")  # type: ignore[assignment]
        seen["self"] = (os.sched_getscheduler(0) & 0xFF, os.getpriority(os.PRIO_PROCESS, 0))

        def started() -> None:
            seen["child"] = (os.sched_getscheduler(0) & 0xFF, os.getpriority(os.PRIO_PROCESS, 0))

        inner = threading.Thread(target=started)
        inner.start()
        inner.join()

    outer = threading.Thread(target=raised)
    outer.start()
    outer.join()
    if "unchanged" in str(seen["said"]):
        pytest.skip(f"this machine allows no raised priority: {seen['said']}")
    assert seen["self"][0] == os.SCHED_FIFO or seen["self"][1] == NICE
    assert seen["child"][0] == os.SCHED_OTHER
    assert seen["child"][1] >= 0
