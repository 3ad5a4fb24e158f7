"""Helpers shared by the stop and chaos tests: a real ``chat`` process on a data folder.

The child runs this worktree's code (``sys.executable -m voice_repair`` with ``cwd`` at the
checkout), logs at INFO on stderr (the tests wait for the engine's "running" line) and says
everything as JSON lines on stdout.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READY = "Timer engine running"
BAD = ("Traceback", "JobLookupError", "cannot schedule new futures", "missed by")
RUNNING = re.compile(r"Timer engine running: (\d+) event")
HANDLED = re.compile(r"Timer event \S+ \(due |Skipped \S+: its pause or round")
"""The engine's line for each event it fired (claimed), or skipped as stale."""


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def write_config(folder: Path, grace_minutes: float) -> Path:
    """A config whose grace is long enough that nothing the test keeps is ever dropped."""
    path = folder / "voice-repair.toml"
    path.write_text(f"[reminders]\ngrace_minutes = {grace_minutes}\n")
    return path


@dataclass
class Chat:
    """One ``voice-repair chat --json`` process; stdout and stderr collected as they come."""

    popen: subprocess.Popen
    started: float
    said: list[tuple[float, dict]] = field(default_factory=list)
    log: list[tuple[float, str]] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)
    ready_at: float = 0.0
    readers: list[threading.Thread] = field(default_factory=list)

    @classmethod
    def start(
        cls,
        data: Path,
        config: Path,
        minute: float,
        stdin_eof: bool = False,
        env: dict | None = None,
        ignore_sigint: bool = False,
    ) -> Chat:
        """``ignore_sigint``: start it the way a job started with ``&`` from a script (or a CI
        runner) is started, SIGINT ignored, which a child inherits."""
        args = ["--json", "-v", "--minute", str(minute), "--data-dir", str(data)]
        popen = subprocess.Popen(
            [sys.executable, "-m", "voice_repair", "chat", "--config", str(config), *args],
            cwd=ROOT,
            stdin=subprocess.DEVNULL if stdin_eof else subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            # faulthandler: a hung child dumps every thread's stack on SIGABRT (see ``dump``).
            env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONFAULTHANDLER": "1", **(env or {})},
            preexec_fn=_ignore_sigint if ignore_sigint else None,
        )
        chat = cls(popen, time.time())
        for read in (chat._read_out, chat._read_err):
            reader = threading.Thread(target=read, daemon=True)
            reader.start()
            chat.readers.append(reader)
        return chat

    def _read_out(self) -> None:
        for line in self.popen.stdout:  # type: ignore[union-attr]
            if line.startswith("{"):
                self.said.append((time.time(), json.loads(line)))

    def _read_err(self) -> None:
        for line in self.popen.stderr:  # type: ignore[union-attr]
            self.log.append((time.time(), line.rstrip("\n")))
            if READY in line and not self.ready.is_set():
                self.ready_at = time.time()
                self.ready.set()

    def wait_ready(self, timeout: float) -> bool:
        """True once the timer engine runs; False if it did not within ``timeout`` or exited."""
        end = time.time() + timeout
        while not self.ready.wait(0.05):
            if self.popen.poll() is not None or time.time() > end:
                time.sleep(0.05)
                return self.ready.is_set()
        return True

    def send(self, text: str) -> None:
        assert self.popen.stdin is not None
        self.popen.stdin.write(text + "\n")
        self.popen.stdin.flush()

    def close_input(self) -> None:
        if self.popen.stdin is not None and not self.popen.stdin.closed:
            self.popen.stdin.close()

    def wait_exit(self, timeout: float) -> float | None:
        """Seconds until it exited, or None if it is still running after ``timeout``."""
        t0 = time.time()
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        took = time.time() - t0
        self.drain()
        return took

    def drain(self) -> None:
        """Wait until the readers have taken every line the (exited) child wrote."""
        for reader in self.readers:
            reader.join(5)

    def dump(self) -> str:
        """Where every thread of a hung child is (SIGABRT makes faulthandler print it)."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGABRT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(5)
            time.sleep(0.2)
        return "\n".join(line for _, line in self.log[-60:])

    def kill(self) -> None:
        """SIGKILL, and wait until the kernel has ended it: at a load average of 40 that took
        over 5 s once (a child still loading its models), and ended a 150-trial series."""
        if self.popen.poll() is None:
            self.popen.kill()
        self.popen.wait(60)
        self.drain()

    def chimed(self, source: str) -> list[dict]:
        """The first line of each timer event's reply (the chimed one): one per event."""
        return [line for _, line in self.said if line["source"] == source and line.get("chime")]

    def pending_at_start(self) -> int:
        """The events its timer engine reported pending when it started (0 before)."""
        lines = list(self.log)
        return next((int(m[1]) for _, line in lines if (m := RUNNING.search(line))), 0)

    def handled(self) -> int:
        """The events its timer engine fired or skipped as stale so far: with no request sent,
        each event pending at the start ends in one of the two."""
        return sum(1 for _, line in list(self.log) if HANDLED.search(line))

    def bad_lines(self) -> list[str]:
        return [line for _, line in self.log if any(b in line for b in BAD)]
