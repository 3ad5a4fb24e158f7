"""File systems this suite mounted in a run that was killed, found and unmounted.

``timers/test_disk.py`` mounts a small tmpfs (``disk``) or a loop ext4 (``ext4``) in a test's
temporary folder and unmounts it at the end. A run killed meanwhile (SIGKILL, a timeout, a
closed terminal) leaves the mount behind, and the next run's systemd service tests failed with
``status=226/NAMESPACE`` (systemd could not build a unit's mount namespace around it).

Only our own mounts are touched: a mount point named ``disk`` or ``ext4`` inside a temporary
folder of a run that has ended: ``/dev/shm/vrt<pid>-*`` (``conftest._tmp_in_memory``) whose
process is gone, or pytest's ``<tmp>/pytest-of-<user>/pytest-<n>`` whose ``.lock`` (pytest's,
holding the run's process id, removed at its end) is missing or names a process that is gone.
Another run going on at the same time, in this checkout or another, keeps its mounts.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["StaleMount", "stale_mounts", "unmount_stale"]

MOUNT_NAMES = ("disk", "ext4")
"""The names ``timers/test_disk.py`` gives its mount points."""


@dataclass(frozen=True)
class StaleMount:
    """One mount point left by an ended run."""

    path: Path
    """Where it is mounted."""
    run: Path
    """The ended run's temporary folder it is in."""


def _mount_points(mountinfo: Path) -> list[Path]:
    """Every mount point listed in ``mountinfo`` (``/proc/self/mountinfo``), octal escapes
    (``\\040`` for a space) decoded."""
    points = []
    for line in mountinfo.read_text().splitlines():
        fields = line.split(" ")
        if len(fields) > 4:
            points.append(Path(re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), fields[4])))
    return points


def _gone(pid: str) -> bool:
    return not pid.isdigit() or not Path(f"/proc/{pid}").exists()


def _ended_run(point: Path, shm: Path, tmp: Path) -> Path | None:
    """The temporary folder of an ended run that ``point`` is in, or None."""
    if point.name not in MOUNT_NAMES:
        return None
    if point.is_relative_to(shm):
        run = shm / point.relative_to(shm).parts[0]
        match = re.fullmatch(r"vrt(\d+)-.+", run.name)
        return run if match and _gone(match[1]) else None
    if point.is_relative_to(tmp):
        parts = point.relative_to(tmp).parts
        if len(parts) < 3 or not parts[0].startswith("pytest-of-"):
            return None
        run = tmp / parts[0] / parts[1]
        if not re.fullmatch(r"pytest-\d+", run.name):
            return None
        try:
            pid = (run / ".lock").read_text().strip()
        except OSError:
            return run  # no lock: the run ended (pytest removes it on the way out)
        return run if _gone(pid) else None
    return None


def stale_mounts(
    mountinfo: Path = Path("/proc/self/mountinfo"),
    shm: Path = Path("/dev/shm"),
    tmp: Path | None = None,
) -> list[StaleMount]:
    """Our mounts left by ended runs, deepest first (so nested ones come off first)."""
    tmp = Path(tmp or tempfile.gettempdir())
    found = []
    for point in _mount_points(mountinfo):
        run = _ended_run(point, shm, tmp)
        if run is not None:
            found.append(StaleMount(point, run))
    return sorted(set(found), key=lambda m: len(m.path.parts), reverse=True)


def unmount(path: Path) -> bool:
    """Unmount ``path`` (lazily: a process of the killed run may still hold a file there; a
    loop device goes with its last user). True when it came off."""
    done = subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)
    return done.returncode == 0


def unmount_stale(**where: Path) -> list[StaleMount]:
    """Unmount every stale mount of ours (``stale_mounts``); the ones that came off. Needs
    root, as the mounting did: without it there is nothing of ours to find."""
    if os.geteuid() != 0:
        return []
    removed: list[StaleMount] = []
    for _ in range(5):  # a mount point mounted over twice shows again once the top one is off
        came_off = [mount for mount in stale_mounts(**where) if unmount(mount.path)]
        if not came_off:
            break
        removed += came_off
    return removed
