"""Each test's wall time and CPU time, written as JSON lines: where a run's CPU goes (issue 22).

Opt in with ``-p cpuclock`` and ``VR_TEST_CPU_LOG=<folder>``; each process (the controller and
every xdist worker) appends to its own file there, one line per test phase (setup, call,
teardown) with the test's id, the worker, the wall seconds and the CPU seconds of this process
(user + system) plus those of the children it reaped during that phase (the ``chat`` and ``run``
processes a test starts, Piper's and PulseAudio's ones it ends). A child still running when the
phase ends is counted where it is reaped, or never (a sound server kept for the worker's
session is reaped at its end). At its end each process also writes one ``"process"`` line: its
whole CPU (itself and its reaped children, start-up and collection included) and wall time
since it started, so what a run spends outside its tests (interpreter and pytest start-up,
collection, session fixtures' teardown, xdist) is measured, not guessed. ``python
tests/cpuclock.py <folder>`` sums them by file, lists the tests with the most CPU and each
process's CPU outside its tests.

Why not ``--durations``: it gives wall time only, and on a 2-core machine shared by other work
the wall time of a test says as much about the others as about the test; the CPU it spent is
what two workers share, and what a shorter test must save.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

LOG = "VR_TEST_CPU_LOG"
MARKS = frozenset({"audio", "service", "model", "slow"})
"""The markers that decide which run a test is in (``make check`` leaves all four out)."""


def _cpu() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


def _since_start() -> float:
    """Wall seconds since this process started (``/proc/self/stat``'s start time, in clock
    ticks since boot, against ``/proc/uptime``), 0.0 where that cannot be read."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")
        return float(Path("/proc/uptime").read_text().split()[0]) - started
    except (OSError, ValueError, IndexError):
        return 0.0


class _Clock:
    def __init__(self, folder: Path, worker: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.worker = worker
        self.out = (folder / f"{worker}-{os.getpid()}.jsonl").open("a", encoding="utf-8")

    def close(self) -> None:
        """The process line: all this process's CPU and wall time so far."""
        own, kids = _cpu()
        line = {"process": self.worker, "wall": round(_since_start(), 3), "cpu": round(own, 3)}
        line["children"] = round(kids, 3)
        self.out.write(json.dumps(line) + "\n")
        self.out.close()

    def _measure(self, item: pytest.Item, when: str):
        wall0 = time.perf_counter()
        own0, kids0 = _cpu()
        yield
        own1, kids1 = _cpu()
        line = {
            "test": item.nodeid,
            "when": when,
            "worker": self.worker,
            "wall": round(time.perf_counter() - wall0, 3),
            "cpu": round(own1 - own0, 3),
            "children": round(kids1 - kids0, 3),
            "marks": sorted({m.name for m in item.iter_markers()} & MARKS),
        }
        self.out.write(json.dumps(line) + "\n")
        self.out.flush()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item):
        yield from self._measure(item, "setup")

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item):
        yield from self._measure(item, "call")

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item):
        yield from self._measure(item, "teardown")


def pytest_configure(config: pytest.Config) -> None:
    folder = os.environ.get(LOG)
    if not folder:
        return
    worker = getattr(config, "workerinput", {}).get("workerid", "main")
    config.pluginmanager.register(_Clock(Path(folder), worker), "cpuclock-clock")


@pytest.hookimpl(trylast=True)  # after the other plugins' ends (xdist's workers, fixtures)
def pytest_unconfigure(config: pytest.Config) -> None:
    clock = config.pluginmanager.get_plugin("cpuclock-clock")
    if clock is not None:
        clock.close()


def summary(folder: Path, top: int = 40) -> str:
    """The CPU and wall seconds by test file and the ``top`` tests with the most CPU."""
    by_test: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    processes: dict[str, list[float]] = {}  # file -> [own CPU, children's, wall, in its tests]
    for path in sorted(folder.glob("*.jsonl")):
        inside = 0.0
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = json.loads(raw)
            if "process" in line:
                processes[path.stem] = [line["cpu"], line["children"], line["wall"], inside]
                continue
            inside += line["cpu"] + line["children"]
            total = by_test[line["test"]]
            total[0] += line["cpu"] + line["children"]
            total[1] += line["wall"]
    by_file: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for test, (cpu, wall) in by_test.items():
        entry = by_file[test.split("::")[0]]
        entry[0] += cpu
        entry[1] += wall
        entry[2] += 1
    cpu_all = sum(v[0] for v in by_test.values())
    wall_all = sum(v[1] for v in by_test.values())
    lines = [f"{len(by_test)} tests: {cpu_all:.1f} s of CPU, {wall_all:.1f} s of worker time", ""]
    lines.append(f"{'cpu':>8} {'wall':>8} {'n':>4}  file")
    for name, (cpu, wall, n) in sorted(by_file.items(), key=lambda kv: -kv[1][0])[:top]:
        lines.append(f"{cpu:8.1f} {wall:8.1f} {n:4d}  {name}")
    lines += ["", f"{'cpu':>8} {'wall':>8}  test"]
    for test, (cpu, wall) in sorted(by_test.items(), key=lambda kv: -kv[1][0])[:top]:
        lines.append(f"{cpu:8.1f} {wall:8.1f}  {test}")
    if processes:
        lines += ["", f"{'cpu':>8} {'wall':>8} {'outside':>8}  process"]
        outside = 0.0
        workers = any(not name.startswith("main-") for name in processes)
        for name, (own, kids, wall, inside) in sorted(processes.items()):
            # The controller of an xdist run reaps its workers: their CPU, already counted
            # in their own lines, is in its children's.
            whole = own if workers and name.startswith("main-") else own + kids
            outside += whole - inside
            lines.append(f"{whole:8.1f} {wall:8.1f} {whole - inside:8.1f}  {name}")
        lines.append(f"{outside:8.1f} s of CPU outside the tests, in {len(processes)} processes")
    return "\n".join(lines)


if __name__ == "__main__":
    print(summary(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 40))
