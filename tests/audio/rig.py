"""The acoustic rig: a private PulseAudio server, ``voice-repair run`` on it, and two taps.

Shared by ``tests/audio/test_end_to_end.py`` and ``bench/acoustic.py``. The product runs as a real
child process (``tests/audio/live.py``); the rig records both ends of the room all the time,
``room.monitor`` (what the microphone hears) and ``speaker.monitor`` (what the assistant says),
with arrival times on one clock, so "end of speech -> first audio out" is measured on the audio
itself. The one exception is where a "stop" cut the speech off: the "Okay." that follows leaves
no gap to see, so that moment is the product's log line, put on the same clock (``logged_at``).
"""

from __future__ import annotations

import datetime
import re
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from live import QUIET_CONFIG, LiveRun
from pulse import PulseServer
from testspeech import peak_memory_mb
from timing import budget

RATE = 16000
FRAME_BYTES = 640
"""20 ms of s16le mono at 16 kHz: the loudness resolution of the taps."""
LOUD_RMS = 150.0
"""A 20 ms frame louder than this is sound (the null sinks give digital silence otherwise)."""

_INTENT = re.compile(r"\bintent ([\w.]+)(?: \([\w ]+\))?\s*$")  # "intent pause.start (idle)"


@dataclass
class Tap:
    """``parec`` on one source, keeping (mid-frame time.monotonic(), RMS) per 20 ms frame."""

    source: str
    env: dict[str, str]
    frames: list[tuple[float, float]] = field(default_factory=list)

    def start(self) -> Tap:
        self._proc = subprocess.Popen(
            ["parec", f"--device={self.source}", "--format=s16le", f"--rate={RATE}",
             "--channels=1", "--latency-msec=10", "--raw"],
            env=self.env, stdout=subprocess.PIPE,
        )  # fmt: skip
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + budget(5)  # a busy machine starts parec later
        while not self.frames and time.monotonic() < deadline:
            time.sleep(0.01)
        return self

    def _read(self) -> None:
        assert self._proc.stdout is not None
        pending = b""
        while True:
            block = self._proc.stdout.read1(FRAME_BYTES)  # type: ignore[attr-defined]
            if not block:
                return
            now = time.monotonic()
            pending += block
            n = len(pending) // FRAME_BYTES
            for i in range(n):
                frame = np.frombuffer(pending[i * FRAME_BYTES : (i + 1) * FRAME_BYTES], "<i2")
                age = (n - i - 0.5) * FRAME_BYTES / 2 / RATE
                rms = float(np.sqrt(np.mean(frame.astype(np.float64) ** 2)))
                self.frames.append((now - age, rms))
            pending = pending[n * FRAME_BYTES :]

    def loud(self, t0: float, t1: float) -> np.ndarray:
        """Times of the loud frames between ``t0`` and ``t1``."""
        return np.array([t for t, r in list(self.frames) if t0 <= t <= t1 and r > LOUD_RMS])

    def first_loud(self, t0: float, t1: float) -> float | None:
        times = self.loud(t0, t1)
        return float(times[0]) if times.size else None

    def last_loud(self, t0: float, t1: float) -> float | None:
        times = self.loud(t0, t1)
        return float(times[-1]) if times.size else None

    def close(self) -> None:
        self._proc.terminate()
        self._proc.wait(5)
        self._thread.join(5)


class Rig:
    """The product listening on the private server, with the room and speaker taps running."""

    def __init__(
        self,
        pulse: PulseServer,
        base: Path,
        minute: float = 600.0,
        extra: tuple[str, ...] = (),
        config: str = QUIET_CONFIG,
        start_timeout: float = 240.0,
        env: dict[str, str | None] | None = None,
    ) -> None:
        """``minute`` seconds per minute: 600 keeps any pause or reminder asked for from
        coming due (and speaking) in the middle of a measurement. ``extra``: more options for
        ``voice-repair run`` (``--voice espeak``); ``config``: its settings file;
        ``start_timeout``: seconds its start may take, ``env``: added to its environment
        (both ``LiveRun``'s)."""
        self.pulse = pulse
        self.room = Tap("room.monitor", pulse.child_env()).start()
        self.speaker = Tap("speaker.monitor", pulse.child_env()).start()
        self.run = LiveRun(
            pulse, base, minute=minute, extra=extra, config=config,
            start_timeout=start_timeout, env=env,
        )  # fmt: skip

    @staticmethod
    def logged_at(line: str) -> float | None:
        """When the product wrote a log ``line``, on the taps' clock (``time.monotonic()``).

        The log's timestamps are wall-clock times to the millisecond, on the same machine.
        """
        try:
            wall = datetime.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
        except ValueError:
            return None
        return wall - (time.time() - time.monotonic())

    def peak_memory_mb(self) -> float | None:
        """The product process's peak resident memory so far (VmHWM), None once it ended."""
        return peak_memory_mb(self.run.proc.pid)

    def lines(self) -> list[str]:
        return self.run.log().splitlines()

    @staticmethod
    def intents(lines: list[str]) -> list[str]:
        """Intent names logged in ``lines`` (the log names intents, never words)."""
        return [m.group(1) for line in lines if (m := _INTENT.search(line))]

    def speaking(self) -> bool:
        """The last speech event in the log is a start, not "speech ended: listening"."""
        marks = ("speaking: ", "speech ended: listening")
        events = [ln for ln in self.lines() if any(m in ln for m in marks)]
        return bool(events) and "speech ended: listening" not in events[-1]

    def play(self, wav: Path) -> tuple[float, float]:
        """Play ``wav`` into the room; (start, end of the speech in it) on the taps' clock."""
        t0 = time.monotonic()
        self.pulse.play_into_room(wav)
        end = self.room.last_loud(t0, time.monotonic() + 0.1)
        return t0, end if end is not None else time.monotonic()

    def outcome(self, mark: int, timeout: float = 8.0) -> list[str]:
        """Log lines after line ``mark`` once the utterance was decided (or ``timeout`` passed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            new = self.lines()[mark:]
            if self.intents(new) or any("utterance without a request" in ln for ln in new):
                return new
            time.sleep(0.05)
        return self.lines()[mark:]

    def settle(self, timeout: float = 180.0) -> None:
        """Wait until the assistant is quiet and listening again."""
        deadline = time.monotonic() + timeout
        while self.speaking() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)

    def close(self) -> int:
        code = self.run.stop()
        self.room.close()
        self.speaker.close()
        return code
