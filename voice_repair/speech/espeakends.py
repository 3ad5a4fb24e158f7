"""Knowing when pyttsx3's espeak driver has really finished a phrase (``EspeakTTS``).

pyttsx3 runs espeak-ng in its asynchronous mode: espeak-ng synthesizes on a thread of its own,
and the driver writes the phrase's WAV file from that thread when espeak-ng reports the end of
the message, then ends its loop. ``runAndWait`` does not always wait for that:

* the first phrase of a fresh driver: its queued end-of-loop command runs before the phrase
  starts, so the loop ends at once, with espeak-ng still speaking;
* a stop left over from a phrase whose thread was still winding down cancels the next phrase.

Read too early, the file is missing (an empty phrase, retried), or half written: the driver
writes the header with the full length first, so a reader on a busy machine got the first
128 KiB of a six-second phrase and spoke half of it (``make test-under-load``; reproduced with
three busy loops, 1 phrase in 240 cut to 65,514 samples, a whole 128 KiB file, of 68,588).

So ``EspeakTTS`` waits for the driver's own end-of-utterance notification (sent after the file
is closed), and for espeak-ng to be idle before it starts the next phrase.
"""

from __future__ import annotations

import threading
import time
from typing import Any

__all__ = ["UtteranceEnds", "wait_until_idle"]


class UtteranceEnds:
    """The driver's ``finished-utterance`` notifications, for one phrase at a time.

    One per engine, connected once; the caller holds the engine's lock, so at most one phrase
    is awaited at a time."""

    def __init__(self, engine: Any) -> None:
        self._done = threading.Event()
        self._completed = False
        engine.connect("finished-utterance", self._on_finished)

    def expect(self) -> None:
        """Forget any earlier end: call before starting a phrase."""
        self._done.clear()
        self._completed = False

    def wait(self, timeout_s: float) -> bool | None:
        """True when the phrase ended complete (its file written and closed), False when the
        driver cancelled it, None when nothing ended within ``timeout_s`` seconds."""
        if not self._done.wait(timeout_s):
            return None
        return self._completed

    def _on_finished(self, name: str | None = None, completed: bool = False, **_: Any) -> None:
        # On espeak-ng's thread, after the driver closed the file (or on ours, for a cancel).
        self._completed = bool(completed)
        self._done.set()


def wait_until_idle(is_playing: Any, timeout_s: float, poll_s: float = 0.002) -> bool:
    """Wait until espeak-ng's thread has let go of the last phrase (``is_playing()`` false).

    Its callback has returned by the time the end is notified, but the thread marks itself
    idle a moment later; a phrase started in between found espeak-ng "playing", and the
    driver's stop for it cancelled the new phrase instead. False if still busy at the end."""
    deadline = time.monotonic() + timeout_s
    while is_playing():
        if time.monotonic() >= deadline:
            return False
        time.sleep(poll_s)
    return True
