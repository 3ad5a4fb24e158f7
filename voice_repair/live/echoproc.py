"""The echo process: the canceller, the detector and the stop spotter, out of the assistant.

Why a process (README "'Stop' heard over its own voice", eleventh session): on a thread of the
assistant's process the echo path fell seconds behind the microphone at load 15-28 (median
0.24-0.88 s, worst 4.15 s when a stop fell due), because it shared one niced process, and its
interpreter lock, with the recognizer, the speech engines and the session; a real-time priority
for that thread did not help (it still waited for the lock). Here the echo path has a process
of its own, at a raised priority where allowed (``priority.py``), and everything the cut needs
is within reach without the assistant:

* the reference is read straight from the player process's shared memory (``playring``: its log
  of blocks handed to PortAudio, the samples in its ring), on the same steady timeline the
  assistant lays it on (``playclock``);
* a stop phrase spotted mutes the player with one write into that memory (``GAIN``), and keeps
  it muted until the assistant says it acted on the stop (the cut and the "Okay."), or
  ``HOLD_S`` passed;
* the assistant only feeds it microphone blocks and takes back the cancelled audio and the stops
  (``echoremote``; messages on a socket pair, ``echowire.Msg``).

Run as ``python -m voice_repair.live.echoproc FD ENGINE VERBOSE`` by
``audio.echoremote.EchoProcess``; it lives in ``live`` because it runs the barge-in check
(``live.bargein``), which the audio stage may not import. It
logs its own lines to the standard error it inherits (the product's log, with its own
timestamps). End of file on the socket (the assistant gone or closing) ends it at once. Nothing
is written anywhere: audio lives in memory, the spotter's dictionary in a temporary folder.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import struct
import sys
import time

import numpy as np

from ..audio import playring as pr
from ..audio.duck import DUCK_GAIN
from ..audio.echo import KEEP_SECONDS, EchoCanceller, PlayedAudio
from ..audio.echopath import OUT_MS, _Batcher
from ..audio.echowire import Channel, Msg
from ..audio.playclock import PlayClock
from ..audio.priority import raise_priority
from ..models import AudioChunk

log = logging.getLogger("voice_repair.live.echoproc")

HOLD_S = 3.0
"""A stop handed to the assistant keeps its voice muted this long at most, waiting to hear that
the stop was acted on (then the rest was cut and what it says next is heard)."""
RATE = 16000
RECENT_S = KEEP_SECONDS
"""Blocks the player handed over before this process looked at its memory are still taken
when they sound this recently (as long as ``PlayedAudio`` keeps any block): the memory
reaches this process in a message it reads only after the ones before it, and a new echo
process first starts and loads its spotter (0.5 s quiet, 4 s beside two busy loops at load
26-31), while the player plays on and the microphone's blocks wait for it. Taking only the rows
logged after that, the first 0.5 s of the reply had no reference at all, its echo stood above
nothing, and it was heard as someone talking over it in every run of
``tests/live/test_echo_process.py``'s first test (0.14-0.46 s stretches); with 4 s here, a
start 4 s late still left 0.8 s of it without one."""


class _Resampler:
    """Consecutive blocks at ``rate`` to 16 kHz as one signal, the phase carried from block to
    block. Each block resampled on its own (``PlayedAudio.at_rate``) is a fraction of a sample
    too long or short (1,102 samples at 22,050 Hz make 799.6 at 16 kHz), and laid end to end
    the reference drifts against its echo by up to ``PlayedAudio.SNAP_S``: measured against the
    sentence resampled whole, an error of +2.8 dB (none of the signal left), and live the
    canceller removed 0.4-0.5 dB against 2.1-3.3 dB in process (README, twelfth session)."""

    def __init__(self, rate: int) -> None:
        self.step = rate / RATE
        self.reset()

    def reset(self) -> None:
        """The next block does not follow the last one (a gap, an underrun, a new piece)."""
        self._pos = 0.0  # the next output sample, in source samples from the next block's start
        self._last: float | None = None

    def block(self, x: np.ndarray) -> tuple[np.ndarray, float]:
        """``x`` at 16 kHz, and where its first sample lies, in source samples from ``x[0]``."""
        src = x.astype(np.float64)
        first = self._pos
        if self._last is not None:
            src = np.concatenate([[self._last], src])
        off = 1 if self._last is not None else 0
        n = int(np.floor((x.size - 1 - first) / self.step)) + 1 if x.size - 1 >= first else 0
        t = first + self.step * np.arange(n)
        out = np.interp(t + off, np.arange(src.size), src)
        self._pos = first + self.step * n - x.size
        self._last = float(x[-1]) if x.size else self._last
        return out.astype(np.int16), first


class _PlayerTap:
    """The player process's memory, read here: what it played, when; its gain, written."""

    def __init__(self, fd: int, rate: int, played: PlayedAudio) -> None:
        self.shared = pr.Shared(fd)
        os.close(fd)  # the mapping keeps the memory
        self.rate = rate
        self.played = played
        self.clock = PlayClock(rate)
        self.seen = self._recent_rows(int(self.shared.ints[pr.LOG_COUNT]))
        self._buf = np.zeros(4096, np.int16)
        self._resampler = _Resampler(rate)
        self._follows = -1
        """Ring position the next block starts at if it follows the last one without a gap."""

    def _recent_rows(self, count: int) -> int:
        """The first of the last ``count`` rows that sound within ``RECENT_S`` of now (older
        ones, a player's earlier replies, are long out of the microphone)."""
        since = time.monotonic() - RECENT_S
        first = count
        while first > max(0, count - pr.LOG_ROWS + 1):
            if float(self.shared.log[(first - 1) % pr.LOG_ROWS][pr.SOUNDS_AT]) < since:
                break
            first -= 1
        return first

    def drain(self) -> None:
        """Every block the player handed over since the last look, into ``played``."""
        ints, rows = self.shared.ints, self.shared.log
        count = int(ints[pr.LOG_COUNT])
        if count - self.seen > pr.LOG_ROWS:
            self.seen = count - pr.LOG_ROWS
        for i in range(self.seen, count):
            row = rows[i % pr.LOG_ROWS].copy()
            frames, taken = int(row[pr.FRAMES]), int(row[pr.TAKEN])
            underrun, pos = bool(row[pr.UNDERRUN]), int(row[pr.POS])
            at = self.clock.block(float(row[pr.SOUNDS_AT]), frames, underrun)
            if not taken:
                self._follows = -1
                continue
            if taken > self._buf.size:
                self._buf = np.zeros(taken, np.int16)
            self.shared.read_into(self._buf, pos, taken)
            gain = float(row[pr.ROW_GAIN])
            if underrun or pos != self._follows:
                self._resampler.reset()
            self._follows = pos + taken if taken == frames else -1
            block, first = self._resampler.block(self._buf[:taken])
            if gain != 1.0:
                block = (block.astype(np.float32) * gain).astype(np.int16)
            self.played.started(block, at + first / self.rate, gain)
        self.seen = count

    def set_gain(self, gain: float) -> None:
        self.shared.floats[pr.GAIN] = gain


class _Hold:
    """The player's gain as this process sets it: the detector's duck, and the mute from a stop
    spotted until the assistant acted on it (a write of the detector meanwhile keeps it 0)."""

    def __init__(self) -> None:
        self.tap: _PlayerTap | None = None
        self.muted_until = 0.0
        self.waiting = False

    def gain(self, value: float) -> None:
        if self.waiting and time.monotonic() > self.muted_until:
            self.waiting = False
            log.warning("echo process: the stop handed on was not acted on within %.1f s; "
                        "its voice back, ducked", HOLD_S)  # fmt: skip
            value = DUCK_GAIN
        if self.tap is not None:
            self.tap.set_gain(0.0 if self.waiting else value)

    def tick(self) -> None:
        """At each microphone block: a hold past ``HOLD_S`` gives the voice back, ducked, even
        when the detector has nothing new to say (it only calls ``gain`` on a change, and its
        unduck may have come while the hold still stood: the fresh clone at the twelfth merge
        saw the voice still muted after the hold, on a busy machine)."""
        if self.waiting and time.monotonic() > self.muted_until:
            self.gain(DUCK_GAIN)

    def silence(self, on: bool) -> None:
        """``live.bargein``'s mute: on at a stop phrase spotted; off (back, ducked) when more
        speech followed it, or, once it was handed on, when the assistant acted on it."""
        if on:
            if self.tap is not None:
                self.tap.set_gain(0.0)
        elif not self.waiting and self.tap is not None:
            self.tap.set_gain(DUCK_GAIN)

    def acted(self) -> None:
        self.waiting = False
        if self.tap is not None:
            self.tap.set_gain(DUCK_GAIN)


def serve(channel: Channel, engine: str) -> int:
    """Until the end of ``channel``: cancel each microphone block, spot stops, send back."""
    from .bargein import BargeIn

    played, hold = PlayedAudio(), _Hold()
    played.on_gain = hold.gain
    canceller = EchoCanceller(played, engine)
    batch = _Batcher(OUT_MS)
    barge: BargeIn | None = None

    def deliver(u) -> None:  # in this process the stop is handed on, and the mute held
        hold.waiting, hold.muted_until = True, time.monotonic() + HOLD_S
        channel.send(Msg.STOP, struct.pack("<ddd", u.start, u.end, time.monotonic())
                     + u.text.encode())  # fmt: skip

    channel.send(Msg.READY)
    while True:
        kind, body, fds = channel.receive()
        if not kind:
            return 0
        if kind == Msg.MIC:
            at, start = struct.unpack_from("<dd", body)
            hold.tick()
            if hold.tap is not None:
                hold.tap.drain()
            chunk = AudioChunk(body[16:], RATE, start)
            for ready in batch.add(canceller.cancel(chunk, at)):
                channel.send(Msg.OUT, struct.pack("<d", ready.start) + ready.samples)
        elif kind == Msg.PLAYER:
            (rate,) = struct.unpack_from("<i", body)
            hold.tap = _PlayerTap(fds[0], rate, played)
        elif kind == Msg.PHRASES:
            barge = BargeIn.over(canceller, json.loads(body), silence=hold.silence)
            if barge is not None:
                barge.connect_here(deliver)
                barge.on_judged = lambda start, end, verdict: channel.send(
                    Msg.JUDGED, struct.pack("<dd", start, end) + verdict.encode()
                )
        elif kind == Msg.ACTED:
            hold.acted()
        elif kind == Msg.RESET:
            canceller.reset()
            batch = _Batcher(OUT_MS)
        for fd in fds[1:]:
            os.close(fd)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the assistant decides when to end
    logging.basicConfig(level=logging.INFO if argv[3] == "1" else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)  # fmt: skip
    channel = Channel(socket.socket(fileno=int(argv[1])))
    log.info("%s", raise_priority("echo process"))
    try:
        return serve(channel, argv[2])
    except Exception as exc:  # said to the assistant, which raises it as a device error
        log.exception("echo process failed")
        with contextlib.suppress(OSError):
            channel.send(Msg.FAILED, f"{type(exc).__name__}: {exc}".encode())
        return 3


if __name__ == "__main__":
    os._exit(main(sys.argv))
