"""A private PulseAudio server with two virtual devices, for the real-audio tests.

* sink ``room``: the test plays spoken requests into it; the app records ``room.monitor``.
* sink ``speaker``: the app plays into it; the test records ``speaker.monitor``.

It runs in a private ``XDG_RUNTIME_DIR`` with an anonymous unix socket, so it never touches a
desktop's sound server. The app reaches it through sounddevice -> PortAudio -> ALSA ``pulse``
plugin (libasound2-plugins) -> PulseAudio, with ``PULSE_SINK``/``PULSE_SOURCE`` choosing the
devices, exactly the path a Raspberry Pi speaker uses.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from echoroom import EchoSpec, Relay
from timing import budget

RECORD_RATE = 16000
"""Sample rate of ``speaker.monitor`` recordings, Hz."""

TOOLS = ("pulseaudio", "pactl", "paplay", "parec", "pacat")

_CONFIG = """\
load-module module-native-protocol-unix auth-anonymous=1 socket={socket}
load-module module-null-sink sink_name=room rate=16000 channels=1
load-module module-null-sink sink_name=speaker rate=22050 channels=1
set-default-sink speaker
set-default-source room.monitor
"""


def missing_tools() -> list[str]:
    return [t for t in TOOLS if shutil.which(t) is None]


@dataclass
class Recording:
    """What ``parec`` captured from ``speaker.monitor``, with arrival times of each block."""

    blocks: list[tuple[float, bytes]] = field(default_factory=list)
    """(time.monotonic() when the block arrived, raw s16le mono bytes)."""

    @property
    def samples(self) -> np.ndarray:
        data = b"".join(b for _, b in self.blocks)
        return np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2")

    def rms(self, window_s: float = 0.05) -> np.ndarray:
        """RMS per window of ``window_s`` seconds (a loudness curve)."""
        s = self.samples.astype(np.float64)
        n = int(RECORD_RATE * window_s)
        usable = s[: s.size // n * n].reshape(-1, n)
        return np.sqrt((usable**2).mean(axis=1)) if usable.size else np.zeros(0)

    def first_sound_at(self, threshold: float = 300.0) -> float | None:
        """time.monotonic() at which the first audible sample arrived, or None if silent."""
        offset = 0
        for arrived, block in self.blocks:
            s = np.frombuffer(block[: len(block) // 2 * 2], dtype="<i2").astype(np.int32)
            loud = np.flatnonzero(np.abs(s) > threshold)
            if loud.size:
                # The block arrived when its last sample was recorded; back off to the loud one.
                return arrived - (s.size - loud[0]) / RECORD_RATE
            offset += s.size
        return None


class PulseServer:
    """A running private server and the helpers tests use to talk to it."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.runtime = base / "runtime"
        self.runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.socket = self.runtime / "native"
        self.env = {
            "PULSE_SERVER": f"unix:{self.socket}",
            "PULSE_RUNTIME_PATH": str(self.runtime),
            "PULSE_SINK": "speaker",
            "PULSE_SOURCE": "room.monitor",
        }
        self.log_path = base / "pulseaudio.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._loopback: str | None = None
        self._relay: Relay | None = None
        self._echo_spec: EchoSpec | None = None

    def child_env(self) -> dict[str, str]:
        return {**os.environ, **self.env}

    def start(self, timeout: float = 15.0) -> None:
        self._echo_spec = None  # a new server has no echo running
        config = self.base / "default.pa"
        config.write_text(_CONFIG.format(socket=self.socket))
        server_env = {
            **os.environ,
            "HOME": str(self.base),
            "XDG_RUNTIME_DIR": str(self.runtime),
            "XDG_CONFIG_HOME": str(self.base / "config"),
        }
        server_env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        # Running as root (CI): pulseaudio only warns "not intended to be run as root" in
        # per-user mode; --use-pid-file=no and a private runtime dir keep it from clashing with
        # anything else, and -n skips the system default.pa (no hardware modules).
        cmd = [
            "pulseaudio", "-n", "-F", str(config), "--daemonize=no", "--exit-idle-time=-1",
            "--disallow-exit", "--use-pid-file=no", "--realtime=no", "--high-priority=no",
            "--log-target=stderr", "--log-level=warning",
        ]  # fmt: skip
        with open(self.log_path, "wb") as log:
            self._proc = subprocess.Popen(cmd, env=server_env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"pulseaudio exited at start:\n{self.log_path.read_text()}")
            if self.socket.exists() and self.pactl("info", check=False).returncode == 0:
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"pulseaudio did not answer in {timeout}s:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None

    def kill(self) -> None:
        """SIGKILL the server, as a crash would (clients get no goodbye); ``start()`` again."""
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None
        self._loopback = None
        if self._relay is not None:
            self._relay.close()
            self._relay = None

    def freeze(self) -> None:
        """SIGSTOP the server: it stops answering, as a hung one does, its sockets stay open.
        ``kill()`` (SIGKILL works on a stopped process) and ``start()`` end it."""
        assert self._proc is not None
        os.kill(self._proc.pid, signal.SIGSTOP)

    def fault(self) -> str | None:
        """What is wrong with the server as set up, or None: it answers, and its default
        speaker and microphone are the two it was started with. A test that ends in the middle
        of killing, freezing or replugging it (a failed assertion, a start-up that timed out
        when the machine was starved) leaves it broken for every test after it on the worker."""
        if self._proc is None or self._proc.poll() is not None:
            return "not running"
        try:
            sink = self.pactl("get-default-sink", check=False)
            source = self.pactl("get-default-source", check=False)
        except subprocess.TimeoutExpired:
            return "not answering (frozen?)"
        said = (sink.stdout.strip(), source.stdout.strip())
        if sink.returncode or source.returncode or said != ("speaker", "room.monitor"):
            return f"default devices {said}, not ('speaker', 'room.monitor')"
        return None

    def restore(self) -> None:
        """A fresh server as ``start`` sets it up, in place of a broken one (SIGKILL works on a
        frozen one too); the waiting is stretched as the machine's slowness stretches it."""
        self.kill()
        self.start(timeout=budget(15.0))

    def pactl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pactl", *args], env=self.child_env(), capture_output=True, text=True, check=check,
            timeout=10,
        )  # fmt: skip

    def play_into_room(self, wav_path: str | Path, wait: bool = True) -> subprocess.Popen[bytes]:
        """Play a WAV file into the ``room`` sink (what the app's microphone hears)."""
        proc = subprocess.Popen(["paplay", "--device=room", str(wav_path)], env=self.child_env())
        if wait:
            proc.wait(timeout=120)
            assert proc.returncode == 0, f"paplay failed on {wav_path}"
        return proc

    @contextmanager
    def recording(self) -> Iterator[Recording]:
        """Record ``speaker.monitor`` (what the app says) while the block runs."""
        rec = Recording()
        proc = subprocess.Popen(
            ["parec", "--device=speaker.monitor", "--format=s16le", f"--rate={RECORD_RATE}",
             "--channels=1", "--latency-msec=10", "--raw"],
            env=self.child_env(), stdout=subprocess.PIPE,
        )  # fmt: skip
        assert proc.stdout is not None
        stdout = proc.stdout

        def reader() -> None:
            while True:
                block = stdout.read1(640)  # type: ignore[attr-defined]
                if not block:
                    return
                rec.blocks.append((time.monotonic(), block))

        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        # Wait for the stream to be live, so nothing the block plays is missed.
        deadline = time.monotonic() + budget(5)  # a busy machine starts parec later
        while not rec.blocks and time.monotonic() < deadline:
            time.sleep(0.01)
        try:
            yield rec
        finally:
            proc.terminate()
            proc.wait(5)
            thread.join(5)

    def record_speaker(self, seconds: float) -> np.ndarray:
        """Record ``speaker.monitor`` for ``seconds`` and return int16 samples at 16 kHz."""
        with self.recording() as rec:
            time.sleep(seconds)
        return rec.samples

    def loopback(self, on: bool) -> None:
        """Route the speaker back into the room (the assistant hears itself), or stop doing so:
        ``echo`` as loud as played, 60 ms late."""
        self.echo(EchoSpec() if on else None)

    def echo(self, spec: EchoSpec | None) -> None:
        """The room carries the speaker back into the microphone as ``spec`` says (None: not).

        A dry echo is ``module-loopback`` with its sink input's volume set to the level; a
        reverberant one the relay of ``echoroom``. Replaces any echo already set; the same
        ``spec`` again keeps the one running, as a room keeps its echo: a new
        ``module-loopback`` starts well off its delay and converges over seconds (220 ms
        falling towards 60 over the first few seconds, measured), which moved the echo under
        the canceller in every barge-in trial. Its rate adjustment is off (``adjust_time=0``):
        it resampled the echo to steer its latency (drifting 5 ms a second, 363 to 48 ms over a
        minute in one run), which no room does and no linear canceller follows (SpeexDSP
        removed 0-2 dB of it live; with it off, 7-17 dB after a few seconds).
        """
        if spec is not None and spec == self._echo_spec:
            return
        self._echo_spec = spec
        if self._loopback is not None:
            self.pactl("unload-module", self._loopback)
            self._loopback = None
        if self._relay is not None:
            self._relay.close()
            self._relay = None
        if spec is None:
            return
        if spec.reverb_s > 0:
            self._relay = Relay(self.child_env(), spec)
            return
        out = self.pactl(
            "load-module", "module-loopback", "source=speaker.monitor", "sink=room",
            f"latency_msec={spec.delay_ms}", "source_dont_move=true", "sink_dont_move=true",
            "adjust_time=0",
        )  # fmt: skip
        self._loopback = out.stdout.strip()
        index = None
        for line in self.pactl("list", "sink-inputs").stdout.splitlines():
            if line.startswith("Sink Input #"):
                index = line.removeprefix("Sink Input #").strip()
            elif line.strip() == f"Owner Module: {self._loopback}" and index is not None:
                factor = f"{10 ** (spec.level_db / 20):.4f}"  # linear: "-6dB" reads as a step
                self.pactl("set-sink-input-volume", index, factor)
