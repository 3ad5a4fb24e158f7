"""Saying ``Say`` lines aloud: chime, speech, timed silences, on one worker thread.

Replies are queued and spoken in order by a single thread that owns the player, so handlers
never block on audio; a second thread renders the next sentences while one is playing (Piper
takes a few hundred milliseconds per sentence on a Pi-class CPU). ``stop()`` interrupts the
current line at once and drops everything queued behind it.

``busy`` drives half-duplex listening: it is true from the moment a line is queued until
``tail_seconds`` after the last sound, because the room still echoes the voice and the
microphone path lags the speaker by a block or two.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from ..audio.chime import chime
from ..audio.playback import Player
from ..models import Say
from .clauses import CLAUSE_GAP_SECONDS, first_clause_split
from .engines import TextToSpeech
from .markup import Silence, parse

__all__ = ["Speaker", "opening_sentences"]

log = logging.getLogger(__name__)

DEFAULT_TAIL_SECONDS = 0.5
"""How long after the last sound ``busy`` stays true."""

SENTENCE_GAP_SECONDS = 0.35
"""Pause between sentences of one stretch of speech (the engines' own padding is trimmed)."""

RENDER_WAIT_SECONDS = 60.0
"""Longest a line waits for one sentence's rendering (Piper took 9 s for a long one with a busy
loop on one core). Past it the rest of the line is dropped with an error line: an engine hung
inside its C library (a thread was found inside libespeak-ng in a hang) would otherwise keep
the speaker "speaking" for ever, every later line and every stop stuck behind it."""
CLOSE_AT_STOP_SECONDS = 0.5
"""At most this long ``close`` waits for the speaker stream to close: as the microphone's close
at a stop (``service.resilience.STOP_CLOSE_SECONDS``), so a frozen sound server cannot hold a
stop past its 1.5 s (the long-lived stream's 2 s wait did: 2.4 s, a fresh clone, 2026-12-07);
a stream not closed by then is left to its own thread and the process exits."""
_RENDER_POLL_SECONDS = 0.05
"""How often a line waiting for its rendering looks for a stop."""

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class _Job:
    say: Say
    cancel: threading.Event
    """Set by ``stop()``; shared by every job queued before that stop."""
    queued: float = field(default_factory=time.monotonic)
    """``time.monotonic()`` when ``say`` queued it (for the latency log)."""


class Speaker:
    """Speaks ``Say`` lines through a ``TextToSpeech`` engine and a ``Player``."""

    def __init__(
        self,
        tts: TextToSpeech,
        player: Player,
        tail_seconds: float = DEFAULT_TAIL_SECONDS,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        self._tts = tts
        self._player = player
        self._tail = tail_seconds
        self._on_error = on_error
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._lock = threading.Condition()
        self._cancel = threading.Event()
        self._pending = 0
        self._quiet_after = 0.0
        self._chime: tuple[np.ndarray, int] | None = None
        self._renderer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="speaker-tts")
        self._thread = threading.Thread(target=self._run, name="speaker", daemon=True)
        self._thread.start()

    def say(self, say: Say) -> None:
        """Queue ``say``; returns at once. ``busy`` is true from now on."""
        with self._lock:
            if not self._thread.is_alive():
                raise RuntimeError("Speaker is closed")
            self._pending += 1
            self._queue.put(_Job(say, self._cancel))

    def stop(self) -> None:
        """Interrupt what is being said now and forget everything queued."""
        with self._lock:
            self._cancel.set()
            self._cancel = threading.Event()
        self._player.interrupt()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until everything queued has been said (or dropped). False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: self._pending == 0, timeout)

    @property
    def speaking(self) -> bool:
        """Something is queued or being said right now."""
        with self._lock:
            return self._pending > 0

    @property
    def busy(self) -> bool:
        """Speaking, or less than ``tail_seconds`` since the last sound ended."""
        with self._lock:
            return self._pending > 0 or time.monotonic() < self._quiet_after

    @property
    def quiet_since(self) -> float:
        """``time.monotonic()`` at which ``busy`` last became (or will become) false."""
        with self._lock:
            return self._quiet_after

    def close(self) -> None:
        """Stop speaking and end the worker thread."""
        self.stop()
        self._queue.put(None)
        self._thread.join(timeout=5)
        self._renderer.shutdown(wait=False, cancel_futures=True)
        close = getattr(self._player, "close", None)  # the player's long-lived stream
        if close is not None:
            close(wait=CLOSE_AT_STOP_SECONDS)

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            try:
                if not job.cancel.is_set():
                    self._speak(job)
            except Exception as exc:  # keep the voice alive whatever one line does
                log.error("speaking a %s line failed: %s", job.say.source, exc)
                if self._on_error is not None:
                    self._on_error(exc)
            finally:
                with self._lock:
                    self._pending -= 1
                    self._quiet_after = time.monotonic() + self._tail
                    self._lock.notify_all()

    def _speak(self, job: _Job) -> None:
        log.info("speaking: %s", job.say.source)  # the source, never the words
        cancel = job.cancel
        pieces = _pieces(job.say.text)
        # Render every sentence ahead on the render thread, in order: the first sentence is
        # heard as soon as it alone is ready, and the next renders while this one plays.
        renders: dict[int, Future[tuple[np.ndarray, int]]] = {
            i: self._renderer.submit(self._render, piece, cancel)
            for i, piece in enumerate(pieces)
            if isinstance(piece, str)
        }
        first = True
        try:
            if job.say.chime:
                _log_first_sound(job, "the chime")
                first = False
                if not self._player.play(*self._chime_pcm(), cancel=cancel):
                    return
            for i, piece in enumerate(pieces):
                if cancel.is_set():
                    return
                if isinstance(piece, float):
                    if cancel.wait(piece):
                        return
                    continue
                pcm = self._rendered(renders[i], job)
                if pcm is None:
                    return
                if first:
                    _log_first_sound(job, "speech")
                    first = False
                if not self._player.play(*pcm, cancel=cancel):
                    return
        finally:
            for future in renders.values():
                future.cancel()

    def _rendered(
        self, render: Future[tuple[np.ndarray, int]], job: _Job
    ) -> tuple[np.ndarray, int] | None:
        """The sentence's sound once rendered; None when stopped meanwhile (at once, not once
        the engine is done) or when the engine takes past ``RENDER_WAIT_SECONDS``."""
        deadline = time.monotonic() + RENDER_WAIT_SECONDS
        while True:
            try:
                return render.result(timeout=_RENDER_POLL_SECONDS)
            except TimeoutError:
                if job.cancel.is_set():
                    return None
                if time.monotonic() > deadline:
                    log.error("speech engine: no sound for a sentence of a %s line after %.0f s "
                              "(the engine hung?); the rest of the line is dropped",
                              job.say.source, RENDER_WAIT_SECONDS)  # fmt: skip
                    return None

    def _render(self, text: str, cancel: threading.Event) -> tuple[np.ndarray, int]:
        if cancel.is_set():  # stopped while waiting its turn: skip the work
            return np.zeros(0, dtype=np.int16), self._player.sample_rate
        return self._tts.render(text)

    def _chime_pcm(self) -> tuple[np.ndarray, int]:
        if self._chime is None:
            self._chime = (chime(self._player.sample_rate), self._player.sample_rate)
        return self._chime


def _log_first_sound(job: _Job, what: str) -> None:
    """The moment a reply's first sound goes to the player, against when it was queued (the
    wait is the first sentence's rendering, or an earlier reply still playing): the synthesis
    stage of the answer's latency, which ``bench/acoustic.py`` reads. Timings only."""
    waited = time.monotonic() - job.queued
    log.info("first sound of a %s line: %s, %.3f s after it was queued", job.say.source, what,
             waited)  # fmt: skip


def opening_sentences(lines: Iterable[str], unknown: str) -> list[str]:
    """The sentences each line is heard to start with, exactly as ``Speaker`` renders them:
    the first, and the second too when the first is a word or two ("Okay."), since it must be
    ready by the time those end. A sentence holding ``unknown`` (a value only known when the
    line is said) is left out. What ``cache.CachedTTS.warm`` renders ahead, every first
    sentence before any second one (the first is what is waited for). A long first sentence
    cut at its clause (``clauses.py``) opens with that clause, and its rest is a second: warm,
    the rest must be ready when the clause ends, or the cut would be heard as a long pause."""
    firsts: list[str] = []
    seconds: list[str] = []
    for line in lines:
        sentences = [p for p in _pieces(line) if isinstance(p, str)]
        whole = [p for p in _pieces(line, cut_first=False) if isinstance(p, str)]
        if sentences and (len(sentences[0].split()) <= 2 or sentences[0] != whole[0]):
            seconds += sentences[1:2]
        firsts += sentences[:1]
    return [s for s in dict.fromkeys(firsts + seconds) if unknown not in s]


def _pieces(text: str, cut_first: bool = True) -> list[str | float]:
    """Sentences to say (str) and silences to keep (float seconds), in order.

    Engines trim their padding, so a short breath is put back between sentences of one stretch
    of speech; timed silences from the markup are kept exactly. The line's first sentence, when
    long, is cut at its first natural pause (``clauses.py``), so the first sound waits only for
    the first clause's rendering; the rest renders while it plays.
    """
    pieces: list[str | float] = []
    for segment in parse(text):
        if isinstance(segment, Silence):
            pieces.append(segment.seconds)
            continue
        for n, sentence in enumerate(_SENTENCE_END.split(segment.text)):
            if sentence.strip():
                if n:
                    pieces.append(SENTENCE_GAP_SECONDS)
                first = cut_first and not any(isinstance(p, str) for p in pieces)
                for c, clause in enumerate(
                    first_clause_split(sentence.strip()) if first else [sentence.strip()]
                ):
                    if c:
                        pieces.append(CLAUSE_GAP_SECONDS)
                    pieces.append(clause)
    return pieces
