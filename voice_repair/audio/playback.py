"""Interruptible playback of PCM through a player process of its own.

Speech must stop the moment someone says "stop", must not stutter on a busy machine, and the
echo canceller needs the exact samples played and when each sounded. The audio callback used to
be a Python function in this process, and on a busy machine it missed its 50 ms buffer hundreds
of times a run (audible gaps, each moving the echo under the canceller: ``playring``'s docstring,
README "A player process of its own"). Now a small process plays (``playerproc.py``): this one
writes the samples into shared memory (``playring``), and reads back, block by block, which
samples were handed to PortAudio and when PortAudio says they sound (``_Feed``, on its own
thread). The process's one stream is kept for the player's life, fed silence between pieces, so
its delay stays put (SpeexDSP needs seconds of a steady echo path).

A cut moves the player process's read position past everything written (``CUT``): it drops the
rest at its next block, and what PortAudio buffered (one latency, ``_LATENCY_SECONDS``) still
plays. The duck is a gain in shared memory, applied from the next block. ``play`` blocks until
the piece's last sample has sounded, so the silences a caller waits between pieces are heard as
asked. A piece at another rate than the stream's is resampled (linear) before it is written.

Every wait here ends when the stream dies: the process or its stream ended, the server stopped
asking for audio (``STALL_SECONDS``), or the devices were re-scanned; each logs a line and the
next piece starts a new process. Closing never hangs: a process that does not quit in time is
killed (``playchild``).
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from dataclasses import dataclass, field

import numpy as np

from ..errors import AudioDeviceError
from . import playring as pr
from .devices import check_device, device_id
from .echo import PlayedAudio
from .echorecord import from_env as _echo_record
from .playchild import PlayerChild
from .playclock import PlayClock

__all__ = ["Player", "CLOSE_WAIT_SECONDS"]

log = logging.getLogger(__name__)

_POLL_SECONDS = 0.01
"""How often the log of played blocks is read, and a blocked ``play`` looks for a cancel (an
``interrupt`` cuts at once, from the caller's thread)."""

_IDLE_POLL_SECONDS = 0.05
"""How often the log is read while nothing plays (its rows still set the steady timeline)."""

_LATENCY_SECONDS = 0.05
"""Output buffer: small enough that "stop" is heard at once, big enough to avoid underruns."""

CLOSE_WAIT_SECONDS = 2.0
"""How long ``close`` waits for the player process to close its stream before killing it."""

STALL_SECONDS = 5.0
"""No audio taken by the sound server for this long: it is gone (killed under the stream, or
hung). Through ALSA's pulse plugin a stream's first asks came 1.5-1.9 s apart here, so the
window is well past that. A stalled process is killed and the next piece starts a new one."""


def _resampled(samples: np.ndarray, rate: int, to: int) -> np.ndarray:
    if rate == to or not samples.size:
        return samples
    n = round(samples.size * to / rate)
    x = np.linspace(0, samples.size - 1, n)
    return np.interp(x, np.arange(samples.size), samples).astype(np.int16)


@dataclass
class _Piece:
    """One piece being played: where it lies in the ring's positions and when it ends."""

    data: np.ndarray
    """int16 mono at the stream's rate."""
    reference: np.ndarray | None
    """The same at the echo canceller's rate (``PlayedAudio.at_rate``), when one listens."""
    cancel: threading.Event | None
    start: int = 0
    """Ring position of its first sample."""
    consumed: threading.Event = field(default_factory=threading.Event)
    """Set when its last sample was handed to PortAudio."""
    ends_at: float = float("inf")
    """``time.monotonic()`` when its last sample sounds (set with ``consumed``)."""


class _Feed:
    """The player process in use and what its log of played blocks says: the steady timeline
    (``PlayClock``), the echo canceller's reference, the bench's record, each piece's end.
    Never refers to the ``Player``, so a player dropped without ``close`` is collected."""

    def __init__(self, sample_rate: int, played: PlayedAudio | None) -> None:
        self.sample_rate = sample_rate
        self.played = played
        self.interrupt = threading.Event()
        self.piece: _Piece | None = None
        self.child: PlayerChild | None = None
        self.clock = PlayClock(sample_rate)
        self.record = _echo_record()
        """The bench's record of the echo path (``echorecord``; None unless asked)."""
        self._past_underruns = 0
        self.cut_asked = 0.0
        """``time.monotonic()`` of the last cut that had samples to drop (for the log line
        saying how long the player process took to apply it)."""
        self._lock = threading.Lock()
        if played is not None:
            played.on_gain = self.set_gain

    @property
    def underruns(self) -> int:
        child = self.child
        now = int(child.shared.ints[pr.UNDERRUNS]) if child is not None else 0
        return self._past_underruns + now

    def set_gain(self, gain: float) -> None:
        """The duck: applied by the player process from its next block."""
        child = self.child
        if child is not None:
            child.shared.floats[pr.GAIN] = gain

    def cut(self) -> None:
        """Drop everything written and not yet handed to PortAudio."""
        child = self.child
        if child is not None:
            ints = child.shared.ints
            if ints[pr.WRITE] > max(ints[pr.READ], ints[pr.CUT]):
                self.cut_asked = time.monotonic()
            ints[pr.CUT] = ints[pr.WRITE]

    def stopped(self, piece: _Piece) -> bool:
        return self.interrupt.is_set() or (piece.cancel is not None and piece.cancel.is_set())

    def attach(self, child: PlayerChild) -> None:
        """``child`` plays from now on, on a timeline of its own; its log is read on a thread
        that ends when it is detached."""
        with self._lock:
            self.detach()
            self.child = child
            self.clock = PlayClock(self.sample_rate)
            if self.played is not None:
                child.shared.floats[pr.GAIN] = self.played.gain
                if self.played.on_player is not None and child.memfd >= 0:
                    self.played.on_player(child.memfd, self.sample_rate)
        threading.Thread(target=self._read, args=(child,), name="speaker-log", daemon=True).start()

    def detach(self) -> PlayerChild | None:
        child, self.child = self.child, None
        if child is not None:
            self._past_underruns += int(child.shared.ints[pr.UNDERRUNS])
        return child

    def _read(self, child: PlayerChild) -> None:
        seen, cut_at = 0, 0.0
        ints, floats, rows = child.shared.ints, child.shared.floats, child.shared.log
        while self.child is child:
            if floats[pr.CUT_AT] != cut_at:  # the last stage of a stop, timed in the log
                cut_at = float(floats[pr.CUT_AT])
                log.info("playback: the speaker process dropped the rest %.3f s after the cut",
                         cut_at - self.cut_asked)  # fmt: skip
            with self._lock:
                count = int(ints[pr.LOG_COUNT])
                if count - seen > pr.LOG_ROWS:  # this thread starved for minutes: skip
                    log.warning("playback: %d played blocks unread", count - seen - pr.LOG_ROWS)
                    seen = count - pr.LOG_ROWS
                for i in range(seen, count):
                    self._row(rows[i % pr.LOG_ROWS].copy())
                seen = count
            piece = self.piece  # idle: the rows wait (the log holds minutes of them)
            busy = piece is not None and not piece.consumed.is_set()
            time.sleep(_POLL_SECONDS if busy else _IDLE_POLL_SECONDS)

    def _row(self, row: np.ndarray) -> None:
        """One block the player process handed to PortAudio."""
        pos, taken, frames = int(row[pr.POS]), int(row[pr.TAKEN]), int(row[pr.FRAMES])
        underrun, gain = bool(row[pr.UNDERRUN]), float(row[pr.ROW_GAIN])
        at = self.clock.block(float(row[pr.SOUNDS_AT]), frames, underrun)
        if self.record is not None:
            self.record.played(float(row[pr.NOW]), float(row[pr.SOUNDS_AT]), frames, underrun)
        piece = self.piece
        if piece is None or not taken:
            return
        lo, hi = max(pos, piece.start), min(pos + taken, piece.start + piece.data.size)
        if lo >= hi:
            return
        sounds_at = at + (lo - pos) / self.sample_rate
        if self.played is not None and piece.reference is not None:
            ref, size, first = piece.reference, piece.data.size, piece.start
            block = ref[(lo - first) * ref.size // size : (hi - first) * ref.size // size]
            if gain != 1.0:
                block = (block.astype(np.float32) * gain).astype(np.int16)
            self.played.started(block, sounds_at, gain)
        if hi == piece.start + piece.data.size:
            piece.ends_at = sounds_at + (hi - lo) / self.sample_rate
            piece.consumed.set()


class Player:
    """Plays int16 mono arrays on one output device, one at a time, through a player process."""

    def __init__(
        self, device: str | int | None, sample_rate: int = 22050, played: PlayedAudio | None = None
    ) -> None:
        """Check now that ``device`` exists, so a wrong name fails at start-up, not mid-reply,
        and start the player process (a Python start with numpy and sounddevice, measured
        1.4-1.7 s at load 14 here; its stream's first asks come late too, 1.5 s on PulseAudio).

        ``played``: told what is played and when, for the echo canceller."""
        check_device(device, "output", sample_rate)
        self.played = played
        self.device = device_id(device)
        self.sample_rate = sample_rate
        self._feed = _Feed(sample_rate, played)
        self._lock = threading.Lock()
        self._reported = 0
        self._finalizer = weakref.finalize(self, _kill, self._feed)
        self._open()  # now: a wrong device fails here, and the process's start is paid once

    @property
    def underruns(self) -> int:
        """Blocks the sound server found missing since the player opened."""
        return self._feed.underruns

    @property
    def pid(self) -> int | None:
        """The player process's id (None when closed): it shows in `ps` as the speaker."""
        child = self._feed.child
        return child.proc.pid if child is not None else None

    def play(
        self, samples: np.ndarray, sample_rate: int, cancel: threading.Event | None = None
    ) -> bool:
        """Play ``samples`` and block until they have sounded. False if interrupted (or
        ``cancel`` was set).

        ``cancel`` lets a caller own the interruption of one particular piece, so a stop that
        arrives just before ``play`` starts is not lost.
        """
        data = np.ascontiguousarray(samples, dtype=np.int16).reshape(-1)
        data = _resampled(data, sample_rate, self.sample_rate)
        feed = self._feed
        with self._lock:
            feed.interrupt.clear()
            if feed.underruns != self._reported:
                log.info("playback: %d underruns since the last piece",
                         feed.underruns - self._reported)  # fmt: skip
                self._reported = feed.underruns
            if data.size == 0 or (cancel is not None and cancel.is_set()):
                return not (cancel is not None and cancel.is_set())
            child = self._open()
            reference = None
            if self.played is not None:
                reference = PlayedAudio.at_rate(data, self.sample_rate)
            start = int(child.shared.ints[pr.WRITE])
            feed.piece = _Piece(data, reference, cancel, start)
            return self._wait(feed.piece, child)

    def _wait(self, piece: _Piece, child: PlayerChild) -> bool:
        """Write ``piece`` as room frees and wait until it has sounded: True; False once cut;
        ends, with a log line, when the stream dies under it; raises on a stalled server."""
        feed, shared, written = self._feed, child.shared, 0
        while True:
            if written < piece.data.size and (n := min(piece.data.size - written, shared.free())):
                shared.write(piece.data[written : written + n])
                written += n
            if feed.stopped(piece):
                feed.cut()  # again: an interrupt may have come between a write and its count
                return False
            if piece.consumed.is_set() and time.monotonic() >= piece.ends_at:
                return True
            if why := child.dead():
                log.warning("playback: %s under a line; the rest of it is dropped", why)
                self._forget(child)
                return True
            if time.monotonic() - child.asked > STALL_SECONDS:
                self._forget(child)
                raise AudioDeviceError(
                    f"the speaker took no audio for {STALL_SECONDS:.0f} s (the sound "
                    "server gone or hung); the rest of this line is dropped"
                )
            left = piece.ends_at - time.monotonic() if piece.consumed.is_set() else _POLL_SECONDS
            time.sleep(min(max(left, 0.0), _POLL_SECONDS))

    def _open(self) -> PlayerChild:
        """The player process, started once and kept; a new one if the last died, stalled, or
        the devices were re-scanned. Raises ``AudioDeviceError`` when it cannot play."""
        child = self._feed.child
        if child is not None:
            stalled = (child.state == pr.RUNNING
                       and time.monotonic() - child.asked > STALL_SECONDS)  # fmt: skip
            if child.dead() or stalled:
                self._forget(child)
                child = None
        if child is None:
            child = PlayerChild(self.device, self.sample_rate, _LATENCY_SECONDS)
            self._feed.attach(child)
        try:
            child.wait_ready()
        except AudioDeviceError:
            self._forget(child)
            raise
        return child

    def _forget(self, child: PlayerChild) -> None:
        """Leave ``child`` behind: killed (a dead or hung stream is not waited for)."""
        if self._feed.child is child:
            self._feed.detach()
        child.kill()

    def interrupt(self) -> None:
        """Stop what is playing now, at once (safe from any thread; no effect when idle)."""
        self._feed.interrupt.set()
        self._feed.cut()

    def close(self, wait: float = CLOSE_WAIT_SECONDS) -> None:
        """End the player process (a new one starts if asked to play again). Waits for a piece
        playing to stop, and for the process to close its stream at most ``wait`` seconds, then
        kills it (``Speaker.close`` at the process's stop waits less: a stop must end within
        1.5 s, frozen server or not)."""
        self.interrupt()
        locked = self._lock.acquire(timeout=STALL_SECONDS)
        try:
            child = self._feed.detach()
            if child is not None:
                child.quit(wait)
        finally:
            if locked:
                self._lock.release()


def _kill(feed: _Feed) -> None:
    """A player collected without ``close``, or the interpreter's exit: its process ends."""
    child = feed.detach()
    if child is not None:
        child.kill()
