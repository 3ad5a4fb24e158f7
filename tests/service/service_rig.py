"""A throwaway user with a real systemd user manager, for ``tests/service/test_service_live.py``.

CI and the development machine have no systemd as PID 1, but ``/lib/systemd/systemd --user``
runs fine as a normal user's manager once it has what PID 1 and logind would have given it:
a delegated cgroup (``user@UID.service`` in every hierarchy), ``/run/user/UID``, and
``/run/systemd/system`` (its ``sd_booted()`` check). Two more things every real systemd
machine has and this one lacks are set up only inside a private mount namespace for the
manager, so the machine itself is left as it was:

* ``/run`` must be a mount point. Options such as ``ProtectKernelTunables=`` make systemd mount
  the API file systems, and where ``/run`` is a plain folder it mounts an *empty* tmpfs there,
  which hides the sound server's socket (the service then finds no audio device at all).
* ``/run/systemd/unit-root`` must exist (PID 1 creates it): systemd 252 builds every unit's
  mount namespace on it, and without it each namespaced unit fails with 226/NAMESPACE.

The user's PulseAudio is the Debian one the manager socket-activates, with two virtual devices
added through the user's own ``~/.config/pulse/default.pa`` (so they come back when the server
restarts): sink ``room``, the default source ``mic`` that records it (the microphone), and
sink ``speaker``.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import struct
import subprocess
import time
import uuid
from pathlib import Path

SYSTEMD = Path("/lib/systemd/systemd")
TOOLS = ("useradd", "userdel", "unshare", "nsenter", "setpriv", "pactl", "paplay", "parec")
CGROUP_ROOT = Path("/sys/fs/cgroup")

MIC_MODULE = "module-remap-source source_name=mic master=room.monitor"
"""The virtual microphone: a real source (not a monitor) that hears what is played into
``room``. Unloading this module is pulling the USB microphone out."""

PULSE_CONFIG = f"""\
.include /etc/pulse/default.pa
load-module module-null-sink sink_name=room rate=16000 channels=1
load-module module-null-sink sink_name=speaker rate=22050 channels=1
load-module {MIC_MODULE}
set-default-source mic
set-default-sink speaker
"""

_ACL_XATTR = "system.posix_acl_access"


class SetupError(Exception):
    """The machine cannot host a user manager (a reason to skip, not a product failure)."""


def missing_prerequisites() -> str | None:
    """Why this machine cannot run the live service test, or None when it can."""
    if os.geteuid() != 0:
        return "needs root (creates a throwaway user and a delegated cgroup)"
    if not SYSTEMD.is_file():
        return f"{SYSTEMD} is not installed (Debian package systemd)"
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        return "missing tools: " + ", ".join(missing)
    if Path("/proc/1/comm").read_text().strip() == "systemd":
        return (
            "PID 1 is systemd: this test builds its own user manager for machines without one; "
            "on this machine check the service by hand (systemd/README.md)"
        )
    if not cgroup_hierarchies():
        return f"no cgroup hierarchy this test knows under {CGROUP_ROOT}"
    return None


def cgroup_hierarchies() -> list[Path]:
    """Where the manager's cgroup must be created: the named ``systemd`` v1 hierarchy and the
    unified one on a hybrid layout, or the root on a pure cgroup v2 machine."""
    if (CGROUP_ROOT / "cgroup.controllers").exists():
        return [CGROUP_ROOT]
    return [CGROUP_ROOT / h for h in ("systemd", "unified") if os.path.ismount(CGROUP_ROOT / h)]


def _grant_traverse(folder: Path, uid: int) -> tuple[bytes | None, int]:
    """Give one user search (x) permission on ``folder`` with a POSIX ACL entry; returns the
    ACL it had before (None: none) and its mode, for ``_restore_acl``.

    The checkout's interpreter may live under a private folder (``/root/.pyenv``): this opens
    exactly that folder to exactly this user, instead of chmod-ing it for everyone.
    """
    try:
        old: bytes | None = os.getxattr(folder, _ACL_XATTR)
    except OSError:
        old = None
    undefined = 0xFFFFFFFF
    if old:  # (tag, permissions, id) entries after a 4-byte version header
        entries = [struct.unpack_from("<HHI", old, i) for i in range(4, len(old), 8)]
    else:
        mode = folder.stat().st_mode
        entries = [(0x01, (mode >> 6) & 7, undefined), (0x04, (mode >> 3) & 7, undefined)]
        entries.append((0x20, mode & 7, undefined))
    entries = [e for e in entries if e[0] != 0x10 and not (e[0] == 0x02 and e[2] == uid)]
    entries.append((0x02, 1, uid))  # ACL_USER: --x for this user
    mask = 0
    for tag, perms, _ in entries:
        mask |= perms if tag in (0x02, 0x04, 0x08) else 0
    entries.append((0x10, mask, undefined))  # ACL_MASK: what named entries may have
    entries.sort(key=lambda e: (e[0], e[2]))
    blob = struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *e) for e in entries)
    mode = folder.stat().st_mode & 0o7777
    os.setxattr(folder, _ACL_XATTR, blob)
    return old, mode


def _restore_acl(folder: Path, saved: tuple[bytes | None, int]) -> None:
    """Put back what ``_grant_traverse`` replaced: the old ACL, or no ACL and the old mode."""
    old, mode = saved
    if old:
        os.setxattr(folder, _ACL_XATTR, old)
        return
    os.removexattr(folder, _ACL_XATTR)
    os.chmod(folder, mode)


class UserManager:
    """One throwaway user, its systemd user manager and its PulseAudio. ``close()`` undoes all."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.name = f"vrsvc{uuid.uuid4().hex[:8]}"
        self.uid = self.gid = -1
        self.home = Path("/nonexistent")
        self.runtime = Path("/nonexistent")
        self.manager: subprocess.Popen[bytes] | None = None
        self.manager_log = base / "manager.log"
        self._user_created = False
        self._runtime_created = False
        self._cgroups: list[Path] = []
        self._acls: list[tuple[Path, tuple[bytes | None, int]]] = []

    # -- set-up -------------------------------------------------------------------------------

    def start(self) -> None:
        run = subprocess.run(
            ["useradd", "--create-home", "--shell", "/bin/sh", self.name],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if run.returncode != 0:
            raise SetupError(f"useradd failed: {run.stderr.strip()}")
        self._user_created = True
        entry = pwd.getpwnam(self.name)
        self.uid, self.gid, self.home = entry.pw_uid, entry.pw_gid, Path(entry.pw_dir)
        self.runtime = Path(f"/run/user/{self.uid}")
        if self.runtime.exists():
            raise SetupError(f"{self.runtime} already exists")
        self.runtime.mkdir(mode=0o700, parents=True)
        self._runtime_created = True
        os.chown(self.runtime, self.uid, self.gid)
        self._make_cgroups()
        self._write_user_file(".config/pulse/default.pa", PULSE_CONFIG)
        self._start_manager()

    def _make_cgroups(self) -> None:
        relative = Path(f"user.slice/user-{self.uid}.slice/user@{self.uid}.service")
        for hierarchy in cgroup_hierarchies():
            made = []
            for part in reversed([relative, *relative.parents][:-1]):
                folder = hierarchy / part
                if not folder.exists():
                    try:
                        folder.mkdir()
                    except OSError as exc:
                        raise SetupError(f"cannot create cgroup {folder}: {exc}") from exc
                    made.append(folder)
            self._cgroups.extend(reversed(made))  # deepest first, for removal
            target = hierarchy / relative
            for path in [target, *target.iterdir()]:
                os.chown(path, self.uid, self.gid)
        self.cgroup = relative

    def _write_user_file(self, relative: str, text: str) -> Path:
        path = self.home / relative
        for folder in reversed([p for p in path.parents if self.home in p.parents]):
            if not folder.exists():
                folder.mkdir()
                os.chown(folder, self.uid, self.gid)
        path.write_text(text)
        os.chown(path, self.uid, self.gid)
        return path

    def _start_manager(self) -> None:
        procs = " ".join(str(h / self.cgroup / "cgroup.procs") for h in cgroup_hierarchies())
        script = f"""
            for f in {procs}; do echo $$ > "$f"; done
            mount --bind /run /run
            mount -t tmpfs -o mode=0755 voice-repair-test /run/systemd
            mkdir /run/systemd/system
            mkdir -m 0700 /run/systemd/unit-root
            exec setpriv --reuid={self.uid} --regid={self.gid} --init-groups -- \
                {SYSTEMD} --user
        """
        with open(self.manager_log, "wb") as log:
            self.manager = subprocess.Popen(
                ["unshare", "--mount", "--propagation", "private", "--", "sh", "-ec", script],
                env=self.env(),
                cwd=self.home,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + 20
        state = ""
        while time.monotonic() < deadline:
            if self.manager.poll() is not None:
                raise SetupError(f"the user manager exited: {self.manager_log.read_text()[-2000:]}")
            state = self.as_user("systemctl", "--user", "is-system-running").stdout.strip()
            if state in ("running", "degraded"):
                return
            time.sleep(0.2)
        raise SetupError(
            f"the user manager is {state!r} after 20 s: {self.manager_log.read_text()}"
        )

    def open_path_to(self, program: Path) -> None:
        """Let the user reach ``program`` and the interpreter it runs: each folder on the way
        that others may not enter gets an ACL for this user (removed again by ``close()``)."""
        targets = [program, Path(os.path.realpath(program.parent / "python3"))]
        for target in targets:
            for folder in reversed(target.parents):
                if folder.stat().st_mode & 0o001 or any(f == folder for f, _ in self._acls):
                    continue
                self._acls.append((folder, _grant_traverse(folder, self.uid)))

    # -- running things as the user -------------------------------------------------------------

    def env(self) -> dict[str, str]:
        return {
            "HOME": str(self.home),
            "USER": self.name,
            "LOGNAME": self.name,
            "SHELL": "/bin/sh",
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "XDG_RUNTIME_DIR": str(self.runtime),
        }

    def _enter(self, cmd: tuple[str, ...]) -> list[str]:
        """``cmd`` as the user, in the manager's mount namespace (as a logged-in user)."""
        assert self.manager is not None
        mount = f"--mount=/proc/{self.manager.pid}/ns/mnt"
        return ["nsenter", mount, "-S", str(self.uid), "-G", str(self.gid), "--", *cmd]

    def as_user(self, *cmd: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self._enter(cmd), env=self.env(), cwd=self.home, capture_output=True, text=True,
            timeout=timeout, stdin=subprocess.DEVNULL,
        )  # fmt: skip

    def start_as_user(self, *cmd: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            self._enter(cmd), env=self.env(), cwd=self.home, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def systemctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.as_user("systemctl", "--user", *args)

    def pactl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.as_user("pactl", *args)

    def write_file(self, relative: str, text: str) -> Path:
        return self._write_user_file(relative, text)

    # -- tear-down --------------------------------------------------------------------------

    def _user_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if entry.stat().st_uid == self.uid:
                        pids.append(int(entry.name))
                except FileNotFoundError:
                    pass
        return pids

    def close(self) -> None:
        if self.manager is not None and self.manager.poll() is None:
            self.manager.terminate()  # the manager stops its units, then exits
            try:
                self.manager.wait(15)
            except subprocess.TimeoutExpired:
                self.manager.kill()
                self.manager.wait(5)
        if self.uid >= 0:
            for _ in range(50):
                pids = self._user_pids()
                if not pids:
                    break
                for pid in pids:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                time.sleep(0.1)
        for hierarchy in cgroup_hierarchies():  # sub-cgroups the manager left behind
            top = hierarchy / self.cgroup
            if top.exists():
                for folder in sorted((p for p in top.rglob("*") if p.is_dir()), reverse=True):
                    folder.rmdir()
        for folder in self._cgroups:
            if folder.exists():
                folder.rmdir()
        for folder, saved in reversed(self._acls):
            _restore_acl(folder, saved)
        if self._runtime_created:
            shutil.rmtree(self.runtime, ignore_errors=True)
        if self._user_created:
            subprocess.run(["userdel", "--remove", self.name], capture_output=True, timeout=30)
