"""The assistant's handle on its player process: start it, see whether it lives, end it.

Why a process (``playring``'s docstring): the GIL starved the in-process audio callback. A
process also makes the speaker's end simple: PortAudio's close can hang for ever on a sound
server that stopped answering (issue 22), and a thread left holding a hung close was the best
an in-process stream could do; a child that does not quit in time is killed, which never hangs,
and the next line starts a new one. No PortAudio stream lives in the assistant's process any
more, so no callback can be freed under PortAudio's thread either (the sixth session's crash).

The child's stderr (PortAudio's "Expression '...' failed" noise when a server dies) goes to the
debug log, line by line, never to the journal as errors.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from ..errors import AudioDeviceError
from . import devices
from . import playring as pr

__all__ = ["PlayerChild", "READY_SECONDS"]

log = logging.getLogger(__name__)

SCRIPT = Path(__file__).with_name("playerproc.py")
READY_SECONDS = 10.0
"""How long a new player process may take to open its stream: importing numpy and sounddevice
took 1.4-1.7 s at load 14 on the shared 2-core machine; past this its sound server is taken
for hung (an open on a frozen server never returns), and the line fails with a clear error."""


class PlayerChild:
    """One player process, its shared memory, and the device generation it started in."""

    def __init__(self, device: str | int | None, rate: int, latency: float) -> None:
        self.device = device
        self.shared = pr.Shared.create()
        self.generation = devices.generation()
        """``devices.generation()`` at the start: a re-scan since means the devices changed
        (a microphone back, a speaker plugged in), and the next line starts a new process."""
        self.started = time.monotonic()
        self._ready = threading.Event()
        self.error = ""
        try:
            self.proc = subprocess.Popen(
                [sys.executable, str(SCRIPT), str(self.shared.fd), json.dumps(device),
                 str(rate), str(latency)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                pass_fds=(self.shared.fd,), text=True,
            )  # fmt: skip
        except OSError as exc:
            raise AudioDeviceError(f"cannot start the speaker process ({exc})") from exc
        finally:
            self.memfd = os.dup(self.shared.fd)  # for an echo process (``echoremote``)
            os.close(self.shared.fd)  # the child has its own; the mapping keeps its own copy
        threading.Thread(target=self._status, name="speaker-status", daemon=True).start()
        threading.Thread(target=self._stderr, name="speaker-stderr", daemon=True).start()

    def _status(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("note:"):  # not an answer: its priority, said before it
                log.info("%s", line[5:].strip())
                continue
            if line.startswith("error:"):
                self.error = line[6:].strip()
            self._ready.set()
        self._ready.set()  # exited: whatever it said is all there is

    def _stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            log.debug("speaker process: %s", line.rstrip())

    def wait_ready(self) -> None:
        """Until its stream plays; raises ``AudioDeviceError`` saying why it could not."""
        if not self._ready.wait(READY_SECONDS):
            self.kill()
            raise AudioDeviceError(
                f"the speaker process did not open {self.device!r} in {READY_SECONDS:.0f} s "
                "(the sound server hung?). Check `voice-repair devices`."
            )
        if self.state != pr.RUNNING:
            what = self.error or f"the speaker process exited with {self.proc.poll()}"
            raise AudioDeviceError(
                f"cannot open the speaker {self.device!r} ({what}). "
                "Run `voice-repair devices` and pass --output-device."
            )

    @property
    def state(self) -> int:
        return int(self.shared.ints[pr.STATE])

    @property
    def asked(self) -> float:
        """When PortAudio last asked for a block (its start, before the first ask)."""
        return max(float(self.shared.floats[pr.ASKED]), self.started)

    def dead(self) -> str:
        """Why its stream can play no more ("" while it can)."""
        if self.proc.poll() is not None:
            return f"the speaker process exited ({self.proc.returncode})"
        if self.state == pr.ENDED:
            return "the speaker stream ended (the sound server gone?)"
        if self.generation != devices.generation():
            return "the devices were re-scanned"
        return ""

    def kill(self) -> None:
        """End it now, whatever it is doing (SIGKILL never waits on a sound server)."""
        if self.proc.poll() is None:
            self.proc.kill()
        threading.Thread(target=self._reap, name="speaker-reap", daemon=True).start()

    def quit(self, wait: float) -> bool:
        """Ask it to close its stream and exit; killed if it has not within ``wait`` seconds.
        True when it quit by itself."""
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass
        try:
            self.proc.wait(max(wait, 0.0))
        except subprocess.TimeoutExpired:
            log.warning("playback: the speaker process has not closed its stream after %.1f s "
                        "(its sound server hung?); killed", wait)  # fmt: skip
            self.kill()
            return False
        self._release()
        return True

    def _reap(self) -> None:
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:  # in the kernel's hands (D state): leave it
            return
        self._release()

    def _release(self) -> None:
        fd, self.memfd = self.memfd, -1
        if fd >= 0:
            os.close(fd)
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        except OSError:
            pass
