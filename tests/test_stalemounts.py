"""A disk a killed test run left mounted is unmounted when the next run starts, and only such a
disk (``stalemounts.py``): left, it failed the systemd service tests with 226/NAMESPACE."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from stalemounts import unmount_stale

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def dead_pid() -> str:
    """The id of a process that has ended."""
    child = subprocess.Popen(["true"])
    child.wait()
    return str(child.pid)


@pytest.fixture
def mounts() -> Iterator[list[Path]]:
    """Mount a small tmpfs at each path the test appends (by ``mount_at``); all unmounted at
    the end whatever happened."""
    made: list[Path] = []
    yield made
    for path in made:
        while os.path.ismount(path):
            subprocess.run(["umount", "-l", str(path)], check=False)


def mount_at(made: list[Path], path: Path) -> Path:
    path.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(path)], check=True)
    made.append(path)
    return path


def test_only_the_disks_of_ended_runs_come_off(tmp_path, dead_pid, mounts):
    shm, tmp = tmp_path / "shm", tmp_path / "tmp"
    runs = tmp / "pytest-of-root"
    (runs / "pytest-3").mkdir(parents=True)
    (runs / "pytest-3" / ".lock").write_text(dead_pid)  # killed: its lock stayed
    (runs / "pytest-4").mkdir()
    (runs / "pytest-4" / ".lock").write_text(str(os.getpid()))  # going on now
    ended = [
        mount_at(mounts, shm / f"vrt{dead_pid}-ab12/test_full0/disk"),
        mount_at(mounts, runs / "pytest-3/popen-gw1/test_read_only0/ext4"),
        mount_at(mounts, runs / "pytest-5/test_full0/disk"),  # no lock: the run ended
    ]
    going_on = [
        mount_at(mounts, shm / f"vrt{os.getpid()}-cd34/test_full0/disk"),
        mount_at(mounts, runs / "pytest-4/test_full0/disk"),
    ]
    not_ours = [
        mount_at(mounts, shm / f"vrt{dead_pid}-ab12/test_full0/music"),
        mount_at(mounts, tmp / "elsewhere/disk"),
    ]
    removed = unmount_stale(shm=shm, tmp=tmp)
    assert sorted(m.path for m in removed) == sorted(ended)
    assert [p for p in ended if os.path.ismount(p)] == []
    assert all(os.path.ismount(p) for p in going_on + not_ours)


def test_a_test_run_starts_by_unmounting_a_killed_runs_disk(dead_pid, mounts):
    """The session's start does it, before any test: here a run that only lists one file."""
    left = mount_at(mounts, Path(f"/dev/shm/vrt{dead_pid}-zz99/test_full0/disk"))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist",
             "-p", "no:cacheprovider", "tests/test_cli.py"],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert not os.path.ismount(left), done.stdout + done.stderr
        assert f"unmounted {left}" in done.stderr
    finally:
        subprocess.run(["rm", "-rf", f"/dev/shm/vrt{dead_pid}-zz99"], check=False)
