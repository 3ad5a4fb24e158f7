"""The room's echo: the assistant's own voice carried back into its microphone.

A speaker beside a microphone: whatever the app plays into sink ``speaker`` comes back into sink
``room`` (what the microphone hears), ``level_db`` louder or quieter than it was played and
``delay_ms`` later; optionally through a reverberant room (an exponentially decaying noise tail,
the usual synthetic impulse response).

The plain echo is PulseAudio's own ``module-loopback`` (its ``latency_msec`` is the delay, its
sink-input volume the level): native, so a busy machine does not make it stutter. The
reverberant one is a relay in this process (``parec`` -> convolution -> ``pacat``): its delay is
the one asked for plus the pipes' own latency (~30 ms).
"""

from __future__ import annotations

import subprocess
import threading
from dataclasses import dataclass

import numpy as np

RATE = 16000
"""Sample rate of the relay, Hz (the room sink's rate)."""


@dataclass(frozen=True)
class EchoSpec:
    """How the room carries the speaker back into the microphone."""

    level_db: float = 0.0
    """Gain from what is played to what the microphone hears, dB (0: as loud as played)."""
    delay_ms: int = 60
    """Speaker to microphone, milliseconds."""
    reverb_s: float = 0.0
    """Reverberation time (RT60), seconds; 0 for a dry echo."""


def impulse_response(spec: EchoSpec, seed: int = 7) -> np.ndarray:
    """The direct path (at the level asked for) followed by a decaying diffuse tail."""
    n = max(1, int(spec.reverb_s * RATE))
    t = np.arange(n) / RATE
    tail = np.random.default_rng(seed).standard_normal(n) * np.exp(-6.9 * t / spec.reverb_s)
    tail *= 0.5 / np.sqrt(np.sum(tail**2))  # the tail carries a quarter of the direct energy
    ir = np.concatenate([[1.0], tail[1:]])
    return ir * 10 ** (spec.level_db / 20)


class Relay:
    """``parec speaker.monitor`` -> convolution with an impulse response -> ``pacat room``."""

    BLOCK = 320
    """20 ms blocks."""

    def __init__(self, env: dict[str, str], spec: EchoSpec, pipe_ms: int = 30) -> None:
        self._ir = impulse_response(spec)
        pre = max(0, int((spec.delay_ms - pipe_ms) * RATE / 1000))
        self._ir = np.concatenate([np.zeros(pre), self._ir])
        self._tail = np.zeros(self._ir.size - 1)
        fmt = ["--format=s16le", f"--rate={RATE}", "--channels=1", "--latency-msec=10", "--raw"]
        self._rec = subprocess.Popen(
            ["parec", "--device=speaker.monitor", *fmt], env=env, stdout=subprocess.PIPE
        )
        self._out = subprocess.Popen(
            ["pacat", "--playback", "--device=room", *fmt], env=env, stdin=subprocess.PIPE
        )
        self._thread = threading.Thread(target=self._run, daemon=True, name="echo-relay")
        self._thread.start()

    def _run(self) -> None:
        assert self._rec.stdout is not None and self._out.stdin is not None
        size = self.BLOCK * 2
        nfft = 1 << int(np.ceil(np.log2(self.BLOCK + self._ir.size - 1)))
        ir_f = np.fft.rfft(self._ir, nfft)
        pending = b""
        while True:
            data = self._rec.stdout.read1(size)  # type: ignore[attr-defined]
            if not data:
                return
            pending += data
            while len(pending) >= size:
                block = np.frombuffer(pending[:size], "<i2").astype(np.float64)
                pending = pending[size:]
                wet = np.fft.irfft(np.fft.rfft(block, nfft) * ir_f, nfft)[
                    : self.BLOCK + self._tail.size
                ]
                wet[: self._tail.size] += self._tail
                self._tail = wet[self.BLOCK :].copy()
                out = np.clip(wet[: self.BLOCK], -32768, 32767).astype("<i2")
                try:
                    self._out.stdin.write(out.tobytes())
                    self._out.stdin.flush()
                except (BrokenPipeError, ValueError):
                    return

    def close(self) -> None:
        self._rec.terminate()
        self._rec.wait(5)
        self._thread.join(5)
        if self._out.stdin is not None:
            self._out.stdin.close()
        self._out.terminate()
        self._out.wait(5)
