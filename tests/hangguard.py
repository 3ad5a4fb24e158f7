"""A hang guard for a subprocess that counts the child's own time, not the machine's (issue 22).

``subprocess.run(..., timeout=budget(60))`` stretches its guard by this process's slowness,
capped at ``timing.MAX_SLOWNESS`` (4). The child's share of a CPU can be far smaller than
that: at nice 15 beside a load average of 20 (the twelfth session) a process gets a few per
cent of a core, and ``check``'s 21 s of CPU, ``chat``'s two-megabyte line or ``recognize``'s
decodes ran past their guards: red, while nothing hung. Linux counts, per thread, the time it
waited runnable for a CPU (``timing.CpuWait``); that time is the busy machine's, never the
child's. So the guard here is ``guard`` seconds of a quiet machine (stretched as ``budget``
stretches it) plus every second the child waited for a CPU (its thread that waited most: never
more than the wall time), and the waits of the threads here that fill and empty its pipes: a
child blocked on a pipe waits for them. A child that really hangs still fails: asleep on a lock
or a read it waits for no CPU, so its guard stops growing; spinning, it runs, and its own CPU
time reaches the guard. The waits counted are capped (``MAX_WAIT_STRETCH`` times the guard, at
least ``MIN_WAITS_COUNTED``) all the same.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from timing import CpuWait, budget

MAX_WAIT_STRETCH = 100.0
"""The most the guard grows for the child's CPU waits, as a multiple of ``guard`` (or of
``MIN_WAITS_COUNTED``): a child at nice 15 beside a busy loop on its core got 0.7% of it here
(load average 4), and 0.02 s of CPU took 11 s at a load average of 30."""
MIN_WAITS_COUNTED = 300.0
"""Seconds of waits counted at least, however short the guard."""

LOOK_EVERY = 0.1
"""Seconds between looks at the child's counters and the clock."""


@dataclass
class Finished:
    """What ``run`` saw: the process's result and how much slower than a quiet machine it ran."""

    done: subprocess.CompletedProcess[Any]
    wall: float
    cpu: CpuWait
    """The child's threads' CPU time (``ran``) and their waits for a CPU (``waited``)."""


class Hung(AssertionError):
    """The child outlived its guard: its own time, the waits for a CPU taken out, ran out."""


def run(
    args: Sequence[str], guard: float, *, input: str | bytes | None = None, **popen: Any
) -> Finished:
    """``subprocess.run(args, input=input, capture_output=True, ...)`` with a hang guard of
    ``guard`` quiet seconds plus the child's waits for a CPU; raises ``Hung`` (with what the
    child wrote to stderr last) when they are used up."""
    proc = subprocess.Popen(
        args,
        stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **popen,
    )
    cpu = CpuWait(proc.pid)
    feeder = CpuWait(os.getpid())  # a child blocked on its pipes waits for their threads
    # The pipes are served by threads doing whole writes and reads: ``communicate`` writes
    # 4 KiB per wake-up, so a two-megabyte input took 500 round trips between two starved
    # processes (at load 30 the huge-line ``chat`` ran 1.6 s in 172 s, mostly asleep; a
    # blocking write of the whole input, as here, ran it in 36 s at the same load).
    got: dict[str, Any] = {}
    pumps = [
        threading.Thread(target=_read, args=(proc.stdout, "out", got), daemon=True),
        threading.Thread(target=_read, args=(proc.stderr, "err", got), daemon=True),
    ]
    if input is not None:
        pumps.append(threading.Thread(target=_write, args=(proc.stdin, input), daemon=True))
    for pump in pumps:
        pump.start()
    pump_ids = {pump.native_id for pump in pumps}
    quiet = budget(guard)
    start = time.monotonic()
    while True:
        try:
            proc.wait(timeout=LOOK_EVERY)
            break
        except subprocess.TimeoutExpired:
            pass
        cpu._sample()
        feeder._sample()
        wall = time.monotonic() - start
        # ``waited_most`` holds the wait going on too (``timing.Queued``): a child starved
        # for a long stretch shows none of it in its counters until it gets a CPU.
        waited = cpu.waited_most + _waited_most(feeder, pump_ids)
        allowed = quiet + min(max(MAX_WAIT_STRETCH * guard, MIN_WAITS_COUNTED), waited)
        if wall > allowed:
            proc.kill()
            proc.wait()
            for pump in pumps:
                pump.join(10)
            err = got.get("err", b"")
            tail = err[-2000:] if isinstance(err, str) else err[-2000:].decode(errors="replace")
            raise Hung(
                f"{args[1:4]} did not end: {wall:.0f} s, of which it ran {cpu.ran:.1f} s on a "
                f"CPU and waited {cpu.waited:.1f} s for one (this process, feeding its pipes, "
                f"{_waited_most(feeder, pump_ids):.1f} s); guard {allowed:.0f} s "
                f"({guard:g} s quiet). Its last stderr:\n{tail}"
            )
    for pump in pumps:
        pump.join()
    out, err = got["out"], got["err"]
    wall = time.monotonic() - start
    done = subprocess.CompletedProcess(list(args), proc.returncode, out, err)
    return Finished(done, wall, cpu)


def _waited_most(feeder: CpuWait, threads: set[int | None]) -> float:
    """The longest wait for a CPU of one of this process's ``threads`` (the pipes' pumps):
    what a child blocked on its pipes waited for us. Not the main thread's: it wakes ten
    times a second to look, and its waits would grow a spinning child's guard for ever."""
    waits = [waited for key, waited in feeder.thread_waits().items() if key[1] in threads]
    return max(waits, default=0.0)


def _read(stream: IO[Any], name: str, got: dict[str, Any]) -> None:
    with stream:
        got[name] = stream.read()


def _write(stream: IO[Any], data: str | bytes) -> None:
    try:
        with stream:
            stream.write(data)
    except (BrokenPipeError, OSError):
        pass  # the child ended or closed its input: what it read is what it got
