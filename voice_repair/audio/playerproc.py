"""The player process: one PortAudio output stream fed from shared memory, nothing else.

Run as a plain script by ``playchild.PlayerChild`` (``python playerproc.py FD DEVICE RATE
LATENCY``), never imported by the package: it imports only numpy, sounddevice and
``playring``, so it starts quickly and its audio callback never waits for another Python thread
(the reason it exists: ``playring``'s docstring). The callback copies the next block from the
ring, scales it by the gain, and writes one log row saying what it took and when PortAudio says
it will sound; the assistant does everything else.

Protocol on stdout: ``note: <what>`` lines (its priority, ``priority.py``), then one line,
``ready`` or ``error: <what PortAudio said>``. On stdin: ``quit``
(or end of file: the assistant is gone) aborts the stream and exits. Ctrl-C is ignored here:
the terminal sends it to the whole process group, and the assistant decides when speech ends.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import sys
import time

import numpy as np
import sounddevice as sd

try:
    from . import playring as pr  # imported within the package (the architecture test)
    from .priority import raise_priority
except ImportError:
    import playring as pr  # run as a plain script by ``playchild``: no package around it
    from priority import raise_priority

MAX_AHEAD_SECONDS = 2.0
"""At most this long from handing a block over to its sounding, whatever PortAudio estimates."""


def _callback(shared: pr.Shared):
    ints, floats, log = shared.ints, shared.floats, shared.log

    def callback(outdata: np.ndarray, frames: int, when, status: sd.CallbackFlags) -> None:
        now = time.monotonic()
        floats[pr.ASKED] = now
        if status:
            ints[pr.UNDERRUNS] += 1
        ahead = min(max(0.0, when.outputBufferDacTime - when.currentTime), MAX_AHEAD_SECONDS)
        read, cut = int(ints[pr.READ]), int(ints[pr.CUT])
        if cut > read:  # a cut drops what was not played yet: when, for the assistant's log
            floats[pr.CUT_AT] = now
        at = max(read, cut)
        n = max(0, min(frames, int(ints[pr.WRITE]) - at))
        gain = float(floats[pr.GAIN])
        out = outdata[:, 0]
        if n:
            shared.read_into(out, at, n)
            if gain != 1.0:
                out[:n] = (out[:n] * gain).astype(np.int16)
        out[n:] = 0
        log[int(ints[pr.LOG_COUNT]) % pr.LOG_ROWS] = (
            at, n, frames, now, now + ahead, 1.0 if status else 0.0, gain, 0.0
        )  # fmt: skip
        ints[pr.LOG_COUNT] += 1  # after the row: the assistant reads rows below the count
        ints[pr.READ] = at + n

    return callback


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    fd, device, rate, latency = int(argv[1]), json.loads(argv[2]), int(argv[3]), float(argv[4])
    shared = pr.Shared(fd)
    # Before the stream: PortAudio's thread (and the sound library's) inherit it. At load 23-28
    # this process, niced like its parent, was starved of CPU and left gaps (README).
    print(f"note: {raise_priority('speaker process', reset_on_fork=False)}", flush=True)

    def ended() -> None:
        shared.ints[pr.STATE] = pr.ENDED

    try:
        stream = sd.OutputStream(
            samplerate=rate, channels=1, dtype="int16", device=device, latency=latency,
            callback=_callback(shared), finished_callback=ended,
        )  # fmt: skip
        stream.start()
    except (sd.PortAudioError, ValueError) as exc:
        shared.ints[pr.STATE] = pr.FAILED
        print(f"error: {exc}", flush=True)
        return 3
    shared.ints[pr.STATE] = pr.RUNNING
    gc.collect()
    gc.disable()  # the callback makes no cycles; a collection would only delay a block
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "quit":
            break
    stream.abort()
    stream.close()
    return 0


if __name__ == "__main__":
    sys.stdout.flush()
    os._exit(main(sys.argv))  # no interpreter teardown: PortAudio's atexit may wait on a server
