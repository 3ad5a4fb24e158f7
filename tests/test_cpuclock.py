"""``tests/cpuclock.py``: the per-test CPU log says where a run's CPU goes, outside the tests too.

Run for real: a small suite in a child pytest with two workers and the plugin on; one test burns
a known amount of CPU, and the log must hold it and each process's whole CPU.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cpuclock
import pytest

TESTS = Path(__file__).parent

SUITE = """
import time
def test_burns():
    end = time.process_time() + 0.3
    while time.process_time() < end:
        pass
def test_sleeps():
    time.sleep(0.2)
"""


@pytest.mark.slow  # a child pytest and its two workers: three interpreters, about 3 s of CPU
def test_the_log_holds_each_tests_cpu_and_each_processs_whole(tmp_path: Path) -> None:
    (tmp_path / "test_small.py").write_text(SUITE)
    log = tmp_path / "log"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "cpuclock",
         "-n", "2", "-o", "addopts=", "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={**os.environ, cpuclock.LOG: str(log), "PYTHONPATH": str(TESTS)},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [
        json.loads(raw) for path in log.glob("*.jsonl") for raw in path.read_text().splitlines()
    ]
    calls = {line["test"].split("::")[1]: line for line in lines if line.get("when") == "call"}
    assert calls["test_burns"]["cpu"] >= 0.3, calls
    assert calls["test_sleeps"]["cpu"] < 0.15 and calls["test_sleeps"]["wall"] >= 0.2, calls
    processes = {line["process"]: line for line in lines if "process" in line}
    assert set(processes) == {"main", "gw0", "gw1"}, processes
    for line in processes.values():  # an interpreter and pytest: more than the tests' CPU
        assert line["wall"] > 0.2 and line["cpu"] > 0.1, line
    burner = calls["test_burns"]["worker"]
    assert processes[burner]["cpu"] > calls["test_burns"]["cpu"], processes
    text = cpuclock.summary(log)
    assert "s of CPU outside the tests, in 3 processes" in text, text
