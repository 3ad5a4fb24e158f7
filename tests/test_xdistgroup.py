"""``xdist_group`` under ``--dist loadgroup``: grouped tests run in one worker, in file order.

``service/test_service_live.py`` relies on it (one installed service, steps in order); with
pytest 9 and pytest-xdist 3.8 the group was silently dropped (``xdistgroup.py``). Run for real:
a small suite in a child pytest with two workers, each test writing which worker ran it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent

SUITE = """
import os, pytest
pytestmark = pytest.mark.xdist_group("together")
@pytest.mark.parametrize("step", range(8))
def test_step(step):
    with open(os.environ["WHO_RAN"], "a") as f:
        f.write(f"{step} {os.environ['PYTEST_XDIST_WORKER']}\\n")
"""

LOOSE = """
import time
import pytest
@pytest.mark.parametrize("i", range(8))
def test_loose(i):
    time.sleep(0.2)
"""

CONFTEST = f"""
import sys
sys.path.insert(0, {str(TESTS)!r})
import xdistgroup
def pytest_collection_modifyitems(config, items):
    xdistgroup.tag_groups(config, items)
"""


@pytest.mark.slow  # a child pytest and its two workers: three interpreters, about 3 s of CPU
def test_a_group_runs_in_one_worker_in_file_order(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_together.py").write_text(SUITE)
    (tmp_path / "test_loose.py").write_text(LOOSE)
    who = tmp_path / "who"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
         "--dist", "loadgroup", "-o", "addopts=", "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path, env={**os.environ, "WHO_RAN": str(who)}, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    runs = [line.split() for line in who.read_text().splitlines()]
    assert [int(step) for step, _ in runs] == list(range(8)), runs
    assert len({worker for _, worker in runs}) == 1, f"the group was split: {runs}"
