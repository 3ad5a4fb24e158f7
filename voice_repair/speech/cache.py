"""Rendered sentences kept in memory, so a reply the assistant has said before starts at once.

Most of what the assistant says is fixed lines ("Okay, ending the pause.", "Stopped.", the first
sentence of a grounding line); the speaker renders a reply sentence by sentence and plays the
first as soon as it alone is ready, so the first sentence's rendering was the synthesis stage of
the time from the end of a request to the first audio (about half a second with Piper on a
2-core machine under load). With the sentence already rendered, that stage is a lookup.

* **Key**: the engine's ``cache_id`` (engine, its version, the voice model, rate, settings:
  everything that changes the sound) and the sentence itself. An engine without a ``cache_id``
  (a home Wyoming server, whose voice may change behind our back) is never cached.
* **Filled at start-up** (``warm``), on a background thread at the lowest CPU priority, one
  sentence at a time, resting between them (``WARM_DUTY``), only while the speaker is idle,
  giving way mid-sentence to a reply that needs the engine (``turns.py``: the reply used to
  wait for the warm-up's sentence at its low priority, 9.3 s for one sentence under load),
  with the sentences the content can say before any request (``Session.foreseeable_lines``);
  the sentences with a value the next request may get, while the room is quiet
  (``foresight.py``: ``ahead``, ``forget``); and on first use for everything else (a line with
  a number: "Pausing for twenty-three minutes." is rendered once, then looked up).
* **Bounded**: least recently used sentences go once ``max_bytes`` of audio is held.
* **Kept on disk, the fixed ones only** (with a ``folder``: ``shelf.py``): what the warm-up
  renders is written to the cache folder and mapped from there at the next start, so the two
  minutes of CPU are paid once per voice. These are the assistant's own fixed sentences,
  never what people said nor a line with a value from a request (those stay in memory).
* Piper's variation (its generator noise) is rendered once per sentence, so a repeated sentence
  now sounds the same each time; the words are the same.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from .engines import TextToSpeech
from .shelf import Shelf
from .turns import GiveWay

__all__ = ["CachedTTS", "DEFAULT_MAX_BYTES", "UNKNOWN"]

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 24 * 1024 * 1024
"""The process's own memory for rendered audio, at most: about nine minutes of Piper's 22,050 Hz
16-bit speech. The fixed openings rendered ahead are about 7.5 minutes (20 MB) together; mapped
from the cache folder (``shelf.py``) they are not counted here."""

UNKNOWN = "\x00"
"""Stands for a value only known when a line is said (``Content.every_line``); a sentence
holding it is not rendered ahead."""

WARM_SHARE = 0.8
"""Warming stops once this share of ``max_bytes`` is held, leaving room for lines said for real
(warming never pushes out what was said)."""

WARM_DUTY = 0.25
"""Share of the time the warm-up renders (it rests three times as long as each sentence took):
on this 2-core machine the whole set is about two minutes of CPU, paid once per voice."""

CLOSE_SECONDS = 2.0
"""How long ``close`` waits for the warm-up to end: a Piper sentence gives way within one of
the model's steps; espeak-ng finishes its sentence, tens of milliseconds."""

_IDLE_POLL_SECONDS = 0.2
"""How often the warm-up thread looks again whether the speaker has become idle."""


class CachedTTS:
    """A ``TextToSpeech`` that renders each sentence once per voice and then looks it up."""

    def __init__(
        self, tts: TextToSpeech, max_bytes: int = DEFAULT_MAX_BYTES, folder: Path | None = None
    ) -> None:
        """``max_bytes``: the process's own memory for rendered audio (sentences mapped from
        ``folder`` are not counted: their pages are the files'). ``folder``: where the fixed
        sentences rendered ahead are kept (``shelf.py``); None keeps nothing on disk."""
        if max_bytes < 0:
            raise ValueError(f"cache size {max_bytes} bytes is negative; use 0 (off) or more")
        self._folder = folder
        self._tts = tts
        self.name = tts.name
        self._max = max_bytes
        self._store: OrderedDict[tuple[str, str], tuple[np.ndarray, int]] = OrderedDict()
        self._sizes: dict[tuple[str, str], int] = {}
        """Bytes of each kept sentence counted against ``max_bytes`` (0 when mapped)."""
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        """Sentences answered from the cache (for tests and benches)."""
        self.misses = 0
        """Sentences the engine rendered (warm-up included)."""
        self._closed = threading.Event()
        self._warmers: list[threading.Thread] = []

    @property
    def cache_id(self) -> str | None:
        """The wrapped engine's, read each time (its rate may change): the same voice whether
        cached or not."""
        return getattr(self._tts, "cache_id", None)

    @property
    def cached_bytes(self) -> int:
        """Bytes of audio held now in the process's own memory (mapped sentences not counted)."""
        with self._lock:
            return self._bytes

    def cached(self, text: str) -> bool:
        """Whether ``text`` would be a lookup now, with the voice as it is now."""
        voice = self.cache_id
        with self._lock:
            return voice is not None and (voice, text) in self._store

    def render(self, text: str) -> tuple[np.ndarray, int]:
        """The sentence's audio: from the cache when it was rendered before with this voice."""
        return self._render(text, self._tts.render)

    def _render(
        self, text: str, engine: Callable[[str], tuple[np.ndarray, int]]
    ) -> tuple[np.ndarray, int]:
        voice = self.cache_id
        if voice is None or self._max == 0:
            return engine(text)
        key = (voice, text)
        with self._lock:
            hit = self._store.get(key)
            if hit is not None:
                self._store.move_to_end(key)
                self.hits += 1
                return hit
        kept = self._shelf(voice).get(text) if self._folder is not None else None
        if kept is not None:
            with self._lock:
                self.hits += 1
                self._keep(key, *kept, mapped=True)
            return kept
        samples, rate = engine(text)  # an engine failure raises: nothing is kept
        samples = np.array(samples, dtype=np.int16)  # our own copy, read-only from here on
        samples.setflags(write=False)
        with self._lock:
            self.misses += 1
            self._keep(key, samples, rate)
        return samples, rate

    def _keep(
        self, key: tuple[str, str], samples: np.ndarray, rate: int, mapped: bool = False
    ) -> None:
        size = 0 if mapped else samples.nbytes
        if size > self._max:
            return
        old = self._store.pop(key, None)
        if old is not None:
            self._bytes -= self._sizes.pop(key)
        self._store[key] = (samples, rate)
        self._sizes[key] = size
        self._bytes += size
        while self._bytes > self._max:
            gone, _ = self._store.popitem(last=False)
            self._bytes -= self._sizes.pop(gone)

    def _shelf(self, voice: str) -> Shelf:
        assert self._folder is not None
        return Shelf(self._folder, voice)

    def warm(
        self, sentences: Iterable[str], idle: Callable[[], bool] = lambda: True
    ) -> threading.Thread:
        """Render ``sentences`` on a background thread, in order, each only while ``idle()``.

        ``idle``: the speaker has nothing to say; a reply queued meanwhile stops the sentence
        being warmed (an engine with ``render_ahead``), which is rendered again later. The
        thread runs at the lowest CPU priority, so the recognizer comes first. Returns the
        started thread (daemon: it never holds up exit).
        """
        todo = list(dict.fromkeys(s for s in sentences if s.strip()))
        thread = threading.Thread(
            target=self._warm, args=(todo, idle), name="speech-cache-warm", daemon=True
        )
        thread.start()
        self._warmers.append(thread)
        return thread

    def close(self, timeout: float = CLOSE_SECONDS) -> bool:
        """Stop warming: the sentence under way gives way (an engine that can stop), and the
        warm-up threads are waited for, ``timeout`` seconds at most. True when they ended (a
        thread still inside the engine at exit could fault while the interpreter ends)."""
        self._closed.set()
        self.give_way()
        for thread in self._warmers:
            thread.join(timeout)
        ended = not any(thread.is_alive() for thread in self._warmers)
        if not ended:
            log.warning("the speech warm-up did not stop within %.1f s", timeout)
        return ended

    def _warm(self, todo: list[str], idle: Callable[[], bool]) -> None:
        voice = self.cache_id
        if voice is None or self._max == 0:
            return
        # An engine that can stop mid-sentence for a reply (Piper) is asked to; another
        # (espeak-ng: tens of milliseconds a sentence) is waited for.
        ahead = getattr(self._tts, "render_ahead", self._tts.render)
        _lowest_priority()
        shelf = self._shelf(voice) if self._folder is not None else None
        if shelf is not None:
            shelf.keep_only_this_voice()
        done = 0
        for text in todo:
            if self._closed.is_set():
                return
            if self.cached(text) or (shelf is not None and self._from_shelf(shelf, voice, text)):
                continue
            if self.cached_bytes >= self._max * WARM_SHARE:  # what is said for real needs room
                log.info("speech cache: full after %d sentences rendered ahead", done)
                return
            try:
                rendered = self._render_when_idle(text, ahead, idle)
            except Exception as exc:  # a failing engine shows when the line is said for real
                log.warning("warming the speech cache stopped: %s", exc)
                return
            if rendered is None:  # closed
                return
            samples, rate, took = rendered
            if shelf is not None and shelf.put(text, samples, rate):
                self._from_shelf(shelf, voice, text)  # the mapped copy replaces our own
            done += 1
            # The engine's own threads are not niced: rest, so warming takes at most
            # WARM_DUTY of the time and the recognizer keeps the cores it needs.
            self._closed.wait(took * (1 - WARM_DUTY) / WARM_DUTY)
        log.info("speech cache warm: %d sentences rendered ahead, %.1f MB of our own memory", done,
                 self.cached_bytes / 1e6)  # fmt: skip

    def ahead(self, text: str, idle: Callable[[], bool] = lambda: True) -> bool:
        """Render ``text`` into memory now (never onto the shelf: it may hold a value), if
        ``idle()``. False when it was there already, nothing is cached for this engine, the
        speaker was not idle or the rendering gave way to a reply (then nothing is kept and the
        caller asks again later: it never waits here); a failing engine raises."""
        voice = self.cache_id
        if voice is None or self._max == 0 or self.cached(text) or not idle():
            return False
        try:
            self._render(text, getattr(self._tts, "render_ahead", self._tts.render))
        except GiveWay:
            log.debug("rendering ahead gave way to a reply")
            return False
        return True

    def give_way(self) -> None:
        """Stop the engine's rendering ahead in progress (an engine that cannot stop one,
        espeak-ng: tens of milliseconds a sentence, finishes it)."""
        stop = getattr(self._tts, "give_way", None)
        if stop is not None:
            stop()

    def forget(self, texts: Iterable[str]) -> None:
        """Drop these sentences from memory (a value rendered ahead that will not be said)."""
        voice = self.cache_id
        with self._lock:
            for text in texts:
                if self._store.pop((voice, text), None) is not None:
                    self._bytes -= self._sizes.pop((voice, text))

    def _render_when_idle(
        self,
        text: str,
        ahead: Callable[[str], tuple[np.ndarray, int]],
        idle: Callable[[], bool],
    ) -> tuple[np.ndarray, int, float] | None:
        """``text`` rendered while the speaker is idle; again when a reply interrupted it.
        Returns (samples, rate, seconds the rendering took), or None once closed."""
        while not self._closed.is_set():
            if not idle():
                self._closed.wait(_IDLE_POLL_SECONDS)
                continue
            began = time.perf_counter()
            try:
                samples, rate = self._render(text, ahead)
            except GiveWay:
                log.debug("rendering ahead gave way to a reply")
                continue
            return samples, rate, time.perf_counter() - began
        return None

    def _from_shelf(self, shelf: Shelf, voice: str, text: str) -> bool:
        kept = shelf.get(text)
        if kept is not None:
            with self._lock:
                self._keep((voice, text), *kept, mapped=True)
        return kept is not None


def _lowest_priority() -> None:
    """Nice this thread (only this thread, on Linux) to 19; elsewhere, leave it.

    Safe only because a reply stops the sentence being rendered (``turns.py``): before that, a
    reply waited for it at this priority (37.7 s for one sentence at a load average of 17).
    With the stop, a reply took as long as alone (3.1 s against 2.8 s at that load)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
