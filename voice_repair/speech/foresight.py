"""The sentences the next reply may open with, kept rendered in memory while the speaker is idle.

Why: the warm-up at start-up (``cache.py``) renders every fixed opening sentence, but a reply
whose first sentence holds a value ("Your pause has about nine minutes to go.") was rendered
only after the decision: a few hundred milliseconds of Piper on a quiet 2-core machine, seconds
on a busy one, all of it heard as the answer's lateness. The values the next reply can hold
are few, and the session can list them (``Session.likely_lines``: the time left now and a
minute on, the default lengths, the next reminder). Every ``PERIOD_SECONDS`` while nothing is
said, nobody talks and no decode runs, this asks again and renders the opening sentences not
yet in the cache, giving way to a reply mid-sentence (``turns.py``).

* **At the normal priority, not niced** (unlike the start-up warm-up), and stopped
  mid-sentence the moment someone starts talking, a decode or a reply begins
  (``WATCH_SECONDS``; rendered again once quiet). Niced, it went on rendering under a request
  and its decode at a crawl (a niced thread also makes the others wait while it holds Python's
  lock); with the stop, in a live run side by side, the decision was as fast with it as
  without (paired median -0.01 s, load 8-15), and the value replies started in 0.02-0.03 s
  where they took 0.4-1.7 s.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from ..switches import switch_on
from .cache import CLOSE_SECONDS, CachedTTS
from .speaker import opening_sentences

__all__ = ["FORESEE_VARIABLE", "MAX_HELD", "Foresight", "PERIOD_SECONDS", "foresee_by_default"]

log = logging.getLogger(__name__)

PERIOD_SECONDS = 2.0
"""How often the likely sentences are asked for again: well within the minute in which the time
left may change, and soon after a reply (the next reply's wording rotates with every reply).
Asking costs a few handler calls (about a millisecond); only new sentences are rendered."""

MAX_HELD = 48
"""Sentences rendered here kept in memory at most (about 4 MB of Piper's speech), the ones
least recently foreseen let go first: room for every variant of the replies foreseen (about
two dozen) and a few minutes of values, so the rotation of the wording renders nothing twice."""

WATCH_SECONDS = 0.03
"""How often, while a sentence renders, whether the room is still quiet is looked at again: a
rendering ahead stops within about this long of someone starting to talk."""

DUTY = 0.25
"""Share of the time spent rendering (the rest is rest), as the start-up warm-up does: the
engine's own threads are not niced, and the recognizer comes first."""


FORESEE_VARIABLE = "VOICE_REPAIR_FORESEE"
"""A measurement switch, not a setting: ``0`` turns this off in a live run (``bench/acoustic.py
--foresee on,off`` compares the two in one run); ``1`` (or unset) leaves it on."""


def foresee_by_default() -> bool:
    """On, unless ``$VOICE_REPAIR_FORESEE`` is ``0``; another value than ``0``/``1`` is a
    mistake, said with what to write instead."""
    return switch_on(
        FORESEE_VARIABLE, "render the likely next sentences ahead", "render them when said"
    )


class Foresight:
    """A daemon thread keeping ``lines()``'s opening sentences rendered in ``voice``."""

    def __init__(
        self,
        voice: CachedTTS,
        lines: Callable[[], list[str]],
        idle: Callable[[], bool],
        unknown: str,
        period: float = PERIOD_SECONDS,
    ) -> None:
        """``lines``: the whole replies the next request could get (``Session.likely_lines``);
        ``idle``: nothing is being said; ``unknown``: the stand-in for a value only the
        request gives (such sentences are left out)."""
        self._voice = voice
        self._lines = lines
        self._idle = idle
        self._unknown = unknown
        self._period = period
        self._stop = threading.Event()
        self._held: OrderedDict[str, None] = OrderedDict()
        """Sentences this thread rendered that are still in memory, least recently foreseen
        first."""
        self.rendered = 0
        """Sentences rendered ahead so far (for tests and benches)."""
        self._rendering = threading.Event()
        self._thread = threading.Thread(target=self._run, name="speech-foresight", daemon=True)
        self._watch = threading.Thread(target=self._watch_idle, name="foresight-watch",
                                       daemon=True)  # fmt: skip

    def start(self) -> Foresight:
        self._thread.start()
        self._watch.start()
        return self

    def stop(self, timeout: float = CLOSE_SECONDS) -> bool:
        """End both threads: the sentence under way gives way (Piper stops mid-sentence), and
        each thread is waited for, ``timeout`` seconds at most (never without one). True when
        they ended: a thread left inside the engine while the interpreter ends could fault."""
        self._stop.set()
        self._voice.give_way()
        for thread in (self._thread, self._watch):
            if thread.is_alive():
                thread.join(timeout)
        ended = not (self._thread.is_alive() or self._watch.is_alive())
        if not ended:
            log.warning("rendering ahead did not stop within %.1f s", timeout)
        return ended

    def look_now(self) -> int:
        """One look: render what is likely and new (letting the oldest go past ``MAX_HELD``).
        Returns how many sentences it rendered."""
        wanted = opening_sentences(self._lines(), self._unknown)
        for text in wanted:
            if text in self._held:
                self._held.move_to_end(text)
        done = 0
        for text in wanted:
            if self._stop.is_set() or not self._idle():
                break
            began = time.perf_counter()
            self._rendering.set()
            try:
                if not self._voice.ahead(text, self._idle):
                    continue
            finally:
                self._rendering.clear()
            self._held[text] = None
            self._let_go()
            done += 1
            self.rendered += 1
            took = time.perf_counter() - began
            self._stop.wait(took * (1 - DUTY) / DUTY)
        return done

    def _let_go(self) -> None:
        while len(self._held) > MAX_HELD:
            oldest, _ = self._held.popitem(last=False)
            self._voice.forget([oldest])

    def _watch_idle(self) -> None:
        """While a sentence renders, someone who starts talking (or a reply, or a decode)
        stops it at once (``CachedTTS.give_way``); it is rendered again once all is quiet."""
        while not self._stop.is_set():
            self._rendering.wait(10 * WATCH_SECONDS)  # at once when one begins
            if self._rendering.is_set() and not self._idle():
                self._voice.give_way()
            self._stop.wait(WATCH_SECONDS)

    def _run(self) -> None:
        while not self._stop.wait(self._period):
            if not self._idle():
                continue
            try:
                done = self.look_now()
            except Exception as exc:  # a failing engine shows when a line is said for real
                log.warning("rendering the likely next sentences stopped: %s", exc)
                return
            if done:
                log.debug("rendered %d likely next sentence(s) ahead", done)
