"""A raised scheduling priority for the threads that must keep time, where the system allows it.

The speaker's audio callback (in the player process) must hand over a block every 10-50 ms,
and the echo path must see each microphone block as it comes, or a "stop" is cut late. On a
busy machine (the shared 2-core one ran at a load average of 10-28) an ordinary thread waits
its turn behind every runnable process: the player left audible gaps at load 23-28, and the echo
path reported stretches 0.25-0.93 s after they ended (README "A player process of its own").

Only the player process asks (``playerproc.py``): tried also for the microphone's PortAudio
thread and the echo path's thread in the assistant's process (``bench bargein``, load 11-17,
2026-12-07), the echo path still ran up to 1.4 s behind the microphone (p90 0.79 s over 22
stretches) and the microphone was taken for lost three times in three minutes (no audio for
2 s; none in the run before): a thread of the assistant at a real-time priority still waits
for the GIL, held by its other threads at their ordinary (there niced) priority. Out of the
GIL's reach, in a process of its own, is where a raised priority helps.

A thread that asks gets, in order:

1. ``SCHED_FIFO`` at ``RT_PRIORITY`` (under a sound server's own, which PulseAudio sets to 5
   and PipeWire to 20-88): allowed to root, to a process with ``RLIMIT_RTPRIO`` above 0
   (``LimitRTPRIO=`` in a unit, or ``@audio - rtprio`` in limits.conf), never under systemd's
   ``RestrictRealtime=yes`` (our unit's default);
2. a lower nice value (``NICE``), allowed by ``RLIMIT_NICE`` or to root;
3. nothing: refused quietly (one debug line), the thread runs as it did.

``reset_on_fork`` (``SCHED_RESET_ON_FORK``): threads the raised one starts do not inherit its
priority. The echo path hands a stop to the session, which may start threads (a scheduler's
pool, a renderer) that must never run at a real-time priority; the player process has no other
work, and its PortAudio thread is meant to inherit the priority, so it passes False.

A thread at ``SCHED_FIFO`` that never sleeps would starve the core; these block on every block
(a queue, PortAudio), and the kernel keeps 5% of each second for others anyway
(``sched_rt_runtime_us``).
"""

from __future__ import annotations

import logging
import os

__all__ = ["NICE", "RT_PRIORITY", "raise_priority"]

log = logging.getLogger(__name__)

RT_PRIORITY = 3
"""``SCHED_FIFO`` priority asked for (1-99; PulseAudio's own threads run at 5)."""
NICE = -10
"""Nice value asked for when a real-time priority is refused."""


def raise_priority(what: str, reset_on_fork: bool = True) -> str:
    """Raise the calling thread's priority as far as allowed; says what it got (for a log
    line). Never raises: a refusal leaves the thread as it was."""
    flag = getattr(os, "SCHED_RESET_ON_FORK", 0) if reset_on_fork else 0
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO | flag, os.sched_param(RT_PRIORITY))
        return f"{what}: real-time priority (SCHED_FIFO {RT_PRIORITY})"
    except (OSError, AttributeError) as exc:
        refused = f"{type(exc).__name__}: {exc}"
    try:
        if flag:  # allowed to anyone: what it starts gets nice 0, not ours
            os.sched_setscheduler(0, os.SCHED_OTHER | flag, os.sched_param(0))
        before = os.getpriority(os.PRIO_PROCESS, 0)  # Linux: the calling thread's nice
        if before > NICE:
            os.setpriority(os.PRIO_PROCESS, 0, NICE)
        return f"{what}: nice {NICE} (real-time refused: {refused})"
    except (OSError, AttributeError) as exc:
        log.debug("%s: priority unchanged (real-time: %s; nice: %s)", what, refused, exc)
        return f"{what}: priority unchanged (real-time and a lower nice both refused)"
