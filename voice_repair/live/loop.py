"""The half-duplex live loop: microphone chunks -> recognizer -> utterances, gated by speech.

Pure wiring, no matching: what an utterance means is decided by ``on_utterance`` (the session's
front door, which matches it once and decides "stop" in one place). What this module decides is
*whether to listen*:

* While the speaker is busy (speaking, or within its short tail), utterances are dropped, so the
  assistant never acts on its own voice: reading aloud an example that contains "I need a pause"
  or hearing itself come back from the room does nothing.
* The one exception is "stop": an utterance heard while speaking is handed on with
  ``speaking=True`` when it is ``Utterance.enough_to_interrupt`` (a lower bar than
  ``accepted``: a one-word "stop" is too short to clear the full one, and a wrong interruption
  only costs a "say that again"); the front door acts on it only if it is "stop" (or danger,
  when the assistant's own voice is cancelled out of the microphone: ``audio.echo``), and then
  silences the speaker itself. ``on_utterance`` returns whether it acted.
* When speech ends, the recognizer's buffered audio (full of the assistant's voice) is thrown
  away with ``reset()`` before listening resumes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Protocol

from ..models import AudioChunk, Utterance

__all__ = ["VoiceLoop", "Recognizer", "BusySpeaker"]

log = logging.getLogger(__name__)


class Recognizer(Protocol):
    """What the loop needs of a recognizer (the same shape as ``voice_repair.asr.base``)."""

    def accept(self, chunk: AudioChunk) -> list[Utterance]:
        """Feed one block; return the utterances decided on by the end of it."""
        ...

    def flush(self) -> list[Utterance]:
        """End of stream: decide on whatever speech is still buffered."""
        ...

    def reset(self) -> None:
        """Forget buffered audio and any half-heard utterance."""
        ...


class BusySpeaker(Protocol):
    """What the loop needs of the speaker (``voice_repair.speech.speaker.Speaker``)."""

    @property
    def busy(self) -> bool: ...

    @property
    def quiet_since(self) -> float:
        """``time.monotonic()`` when ``busy`` last became false."""
        ...

    def stop(self) -> None: ...


class VoiceLoop:
    """Runs chunks through the recognizer and hands on the utterances worth acting on."""

    def __init__(
        self,
        chunks: Iterable[AudioChunk],
        recognizer: Recognizer,
        speaker: BusySpeaker,
        on_utterance: Callable[[Utterance, bool], bool],
        captured_at: Callable[[AudioChunk], float] | None = None,
    ) -> None:
        """``captured_at(chunk)`` gives the ``time.monotonic()`` at which a chunk was recorded
        (``Microphone.captured_at``). With it, audio recorded while the assistant spoke is
        treated as such even when the recognizer falls behind and decodes it after speech ended.
        """
        self._chunks = chunks
        self._captured_at = captured_at
        self._recognizer = recognizer
        self._speaker = speaker
        self._on_utterance = on_utterance
        self.dropped = 0
        """Utterances ignored because the assistant was speaking (a count, never the words)."""
        self.stops = 0
        """Times "stop" interrupted the assistant's speech."""
        self._chunk: AudioChunk | None = None

    def run(self, stop_event: threading.Event) -> None:
        """Listen until ``stop_event`` is set or the chunks end (then flush what is buffered).

        ``stop_event`` is checked once per chunk, so the loop ends within one block of it.
        """
        was_busy = False
        for chunk in self._chunks:
            if stop_event.is_set():
                return
            busy = self._busy_during(chunk)
            if was_busy and not busy:
                # Speech (and its tail) just ended: what is buffered is our own voice.
                self._recognizer.reset()
                log.info("speech ended: listening for requests")
            was_busy = busy
            self._chunk = chunk
            self._deliver(self._recognizer.accept(chunk), chunk)
        if not stop_event.is_set():
            self._deliver(self._recognizer.flush(), None)

    def hear_early(self, utterance: Utterance) -> None:
        """An utterance the recognizer hands out before ``accept`` returns (a first reading
        while a home server transcribes: ``asr.wyoming``), judged like the others by whether
        the assistant was speaking when the chunk being decided was recorded."""
        self._deliver([utterance], self._chunk)

    def _busy_during(self, chunk: AudioChunk | None) -> bool:
        """Was the assistant speaking when ``chunk`` was recorded (or is it speaking now)?"""
        if self._speaker.busy:
            return True
        if chunk is None or self._captured_at is None:
            return False
        return self._captured_at(chunk) < self._speaker.quiet_since

    def _deliver(self, utterances: list[Utterance], chunk: AudioChunk | None) -> None:
        for utterance in utterances:
            self._log_decision(utterance, chunk)
            # Ask the speaker again: a reply may have started while this chunk was decoded.
            if not self._busy_during(chunk):
                self._on_utterance(utterance, False)
            elif utterance.enough_to_interrupt and self._on_utterance(
                replace(utterance, accepted=True), True
            ):
                log.info("stop heard while speaking: interrupted")
                self.stops += 1
            else:
                self.dropped += 1
                log.debug("ignored an utterance heard while speaking")

    def _log_decision(self, utterance: Utterance, chunk: AudioChunk | None) -> None:
        """Log how long after the end of speech the recognizer decided, and how much of that
        was the endpointer waiting for silence (the rest is compute and backlog): the first
        two stages of the answer's latency, which ``bench/acoustic.py`` reads. Timings only."""
        if chunk is None or self._captured_at is None:
            return
        spoken_end = self._captured_at(chunk) - chunk.start + utterance.end
        log.info(
            "decided %.3f s after the end of speech (%.3f s of it waiting for silence)",
            time.monotonic() - spoken_end,
            utterance.decided_at - utterance.end,
        )
