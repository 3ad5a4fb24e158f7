"""A "stop" said over the assistant's own speech, decided on the stretch of it the person said.

While the assistant speaks, its voice comes back into the microphone as loud as the person's,
and the recognizer hears one long stretch of speech with a "stop" somewhere inside it. The echo
path (``audio.duck``) tells the person's sound from the echo with the exact samples played,
ducks the assistant's voice, and hands over each stretch of the person's speech
(``NearSpeech``). Here that stretch goes through the keyphrase spotter (``asr.stopspot``, a
bare "stop" decided in well under 0.1 s of compute) and, when it is a stop phrase, into the voice
loop as an utterance said over the speech, so the session's front door decides it as every
other "stop" (it silences the speaker there, ends a round, says "Okay."). The recognizer's own
later reading of the same speech is then not acted on again (``already_acted``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass

from ..asr.stopspot import MAX_SECONDS, StopSpotter
from ..audio.capture import Microphone
from ..audio.duck import DUCK_GAIN, HANG_S, NearSpeech
from ..audio.echo import EchoCanceller
from ..audio.echoremote import EchoProcess
from ..models import AudioChunk, Utterance
from .overheard import Overheard

__all__ = [
    "ADDED_DB", "BargeIn", "ECHO_MATCH", "FOLLOW_S", "JOIN_S", "MUTE_GAIN", "SHORTEST_S",
    "THRESHOLD",
]  # fmt: skip

log = logging.getLogger(__name__)

SHORTEST_S = 0.07
"""A stretch above the echo shorter than this is not a stop. Replayed offline from live
recordings, every stop spotted in its own voice alone came from a stretch of 0.04-0.06 s
(a block of the echo a little off its prediction), every "stop" said over it gave 0.07-0.52 s.
It was 0.1: live, 4 of 9 missed stops were stretches of 0.06-0.10 s (bench bargein, 20 trials,
load 10-14); at 0.07 the next run acted on 16 of 20 (11 before), none of its replies cut by
its own voice, no everyday sentence of 10 cutting one (load 8-10, README "Its own voice")."""

THRESHOLD = 1e-40
"""The spotter's keyphrase threshold over its own speech (``asr.stopspot.THRESHOLD`` is 1e-30):
what it hears there is the end of the word under the ducked echo and its start under the full
one. Offline (12 places in a Piper reply echoed as loud as the "stop"): 1e-30 heard 7,
1e-40 10, 1e-50 10."""

MUTE_GAIN = 0.0
"""Its voice from the moment a stop phrase is spotted until it is acted on or dropped."""

JOIN_S = 0.5
"""A stretch that starts this soon after another (of at least ``SHORTEST_S``) ended is part
of the same speech: a fragment of a longer sentence, not a stop on its own ("we should water
the plants" said over its voice came as several stretches, and one was spotted as "stop")."""

FOLLOW_S = 0.15
"""A stop phrase is acted on once the person has been quiet this long after its stretch closed
(``duck.HANG_S`` after its last frame): more speech starting meanwhile makes it a fragment of a
longer sentence. Its voice is silenced meanwhile (``silence``), so the wait costs no time heard;
what it costs is this much later a cut of the rest of the reply and the "Okay."."""


ECHO_MATCH = 0.75
"""A stretch whose microphone audio follows the reference this closely (``NearSpeech.echo_match``)
is its own voice, not a person, and is not spotted. With SpeexDSP in the path its own replies
looped back were cut as a "stop" in process and in the echo process alike (README, fifteenth
session): replayed offline from two live records, every stretch of its own voice alone gave
0.88-1.00 (those spotted as a stop 0.99-1.00), every stretch a Piper or espeak-ng "stop" was
added to as loud as the echo and spotted gave 0.15-0.64. A person as loud as its echo caps the
correlation at 0.71; one about 5 dB quieter than its voice would reach 0.75 (and is not heard).
It must follow it in the hiss band too (``NearSpeech.hiss_match``): live, two of three stops
missed in process were a 0.07-0.09 s stretch at the word's start, its "s" standing out in the
hiss band over the echo's vowels, which followed the reference at 0.91-0.97 in the whole band
and 0.28-0.54 in the hiss band (``bench bargein``'s records, sixteenth session, README); every
stretch of its own voice alone there followed it at 0.92-0.99 in the hiss band."""
ADDED_DB = 3.0
"""A stretch the canceller made this much *louder* (``NearSpeech.removed_db`` at or under
minus this) is the canceller's own making, not a person: live, with the room's delay jumped
(50 to 370 ms), the microphone was nearly silent while the canceller's estimate of an echo not
yet come stood 59 dB above it, and was spotted as "stop". A person over its voice is not in
the reference: their stretches lost -0.2 to +2.3 dB (replayed offline)."""


def _own_echo(speech: NearSpeech) -> bool:
    """Is ``speech`` its own voice (``ECHO_MATCH``) or the canceller's making (``ADDED_DB``)?"""
    hiss = speech.echo_match if speech.hiss_match is None else speech.hiss_match
    follows = min(speech.echo_match, hiss) >= ECHO_MATCH
    return follows or speech.removed_db <= -ADDED_DB


def _figure(value: float | None) -> str:
    return "not measured" if value is None else f"{value:.2f}"


@dataclass
class _Pending:
    """A stop phrase spotted, waiting ``FOLLOW_S`` to see whether more speech follows."""

    phrase: str
    speech: NearSpeech
    due: float
    """``time.monotonic()`` (the microphone's clock) from which it is acted on."""


class BargeIn:
    """Stretches of speech heard over its own voice -> a "stop" for the voice loop."""

    def __init__(
        self, spotter: StopSpotter | None, silence: Callable[[bool], None] = lambda _on: None
    ) -> None:
        """``silence(True)`` mutes its voice the moment a stop phrase is spotted, before the
        ``FOLLOW_S`` wait (the end of the word to the cut heard was 0.4-1.8 s, the wait
        0.35 s of it, README); ``silence(False)`` gives it back, ducked, when more speech
        showed the phrase was part of a sentence, or once the stop was handed on."""
        self._spotter = spotter
        self._silence = silence
        self._deliver: Callable[[Utterance], None] = lambda _u: None
        self._stream_time: Callable[[float], float] = lambda t: t
        self._acted: list[tuple[float, float]] = []
        self._delivering: int | None = None
        """The thread handing a stop to the voice loop now: its own utterance is not "already
        acted on"; the recognizer's reading of the same speech, on another thread, is."""
        self._speech_end = float("-inf")
        """When the last stretch of someone's speech (not a stray frame) ended."""
        self._last_was_stop = False
        self._pending: _Pending | None = None
        self._origin: Callable[[], float] = lambda: 0.0
        """``time.monotonic()`` of the microphone stream's first sample."""
        self.overheard = Overheard()
        """Each stretch heard over its voice, as judged (``overheard``)."""
        self.on_judged: Callable[[float, float, str], None] = self.overheard.note
        """Told each stretch's verdict (the echo process sends it to the assistant)."""

    @classmethod
    def over(
        cls,
        canceller: EchoCanceller | EchoProcess | None,
        phrases: Collection[str],
        silence: Callable[[bool], None] | None = None,
    ) -> BargeIn | None:
        """One listening to ``canceller``'s stretches of speech over its own voice; None when
        there is no echo path (nothing knows what was played). With the echo path in a process
        of its own (``EchoProcess``) the spotting and the mute happen there; the one returned
        here only hands its stops to the voice loop. ``silence``: the mute, when not the
        ``canceller``'s own played gain (the echo process holds it until the stop is acted on)."""
        if canceller is None:
            return None
        if isinstance(canceller, EchoProcess):
            barge = cls(None, lambda on: None if on else canceller.stop_acted())
            canceller.on_judged = barge.overheard.note
            canceller.spot(phrases, barge.handed_on)
            return barge
        played = canceller.played

        def gain(on: bool) -> None:
            played.gain = MUTE_GAIN if on else DUCK_GAIN

        barge = cls(StopSpotter(phrases, THRESHOLD), silence or gain)
        canceller.on_near_speech = barge.hear
        canceller.on_frame = barge.tick
        return barge

    def connect_here(self, deliver: Callable[[Utterance], None]) -> None:
        """In the echo process: ``deliver`` hands the stop over, its times on the monotonic
        clock (the assistant turns them into its stream's)."""
        self._deliver = deliver

    def handed_on(self, phrase: str, start: float, end: float, at: float) -> None:
        """A stop the echo process spotted and handed on at ``at`` (its voice already muted
        there): acted on here as one spotted in process."""
        log.info("a stop from the echo process: %.3f s on its way", time.monotonic() - at)
        self._act(phrase, NearSpeech(start, end, b"", start), at)

    def connect(self, deliver: Callable[[Utterance], None], mic: Microphone) -> None:
        """A new microphone stream: ``deliver`` hands an utterance to its voice loop as heard
        now (``VoiceLoop.hear_early``); its clock turns ``time.monotonic()`` into the stream's
        seconds (what ``Utterance`` times are in)."""
        zero = AudioChunk(b"", mic.sample_rate, 0.0)
        self._deliver = deliver
        self._origin = lambda: mic.captured_at(zero)
        self._stream_time = lambda t: t - self._origin()
        self._acted.clear()

    def _judged(self, speech: NearSpeech, verdict: str) -> None:
        self.on_judged(speech.start, speech.end, verdict)

    def sentence_over(self, utterance: Utterance) -> str | None:
        """Why ``utterance``, a stop the recognizer read over its voice, was a sentence the
        echo path heard (``overheard``); None when it may be a stop. Logs what it heard."""
        start, end = utterance.start + self._origin(), utterance.end + self._origin()
        why = self.overheard.sentence(start, end)
        log.info("a stop read by the recognizer over its own speech; heard there: %s",
                 self.overheard.describe(start, end))  # fmt: skip
        return why

    def hear(self, speech: NearSpeech) -> None:
        """One stretch of someone's speech over the assistant's: a stop (acted on once nothing
        follows it, ``tick``), or nothing."""
        if _own_echo(speech):  # not a person
            log.info("speech over its own: its own echo (%.2f s, follows what it played at "
                     "%.2f, %s in the hiss band, %.1f dB of it removed)", speech.seconds,
                     speech.echo_match, _figure(speech.hiss_match), speech.removed_db)  # fmt: skip
            self._judged(speech, "echo")
            return
        joined = speech.start - self._speech_end < JOIN_S and not self._last_was_stop
        if speech.seconds >= SHORTEST_S:
            self._speech_end = speech.end
            self._last_was_stop = False
        if not SHORTEST_S <= speech.seconds <= MAX_SECONDS:
            log.info("speech over its own: too short or long for a stop (%.2f s)", speech.seconds)
            self._judged(speech, "short" if speech.seconds < SHORTEST_S else "long")
            return
        if joined:
            log.info("speech over its own: part of longer speech (%.2f s)", speech.seconds)
            self._judged(speech, "joined")
            return
        if self._spotter is None:
            return
        t0 = time.monotonic()
        phrase = self._spotter.spot(speech.audio, max(speech.seconds, 0.01))
        took = time.monotonic() - t0
        if phrase is None:
            log.info(
                "speech over its own: not a stop (%.2f s; %s; ended %.2f s ago, spotter %.3f s)",
                speech.seconds, self._spotter.last, t0 - speech.end, took,
            )  # fmt: skip
            self._judged(speech, "not")
            return
        log.info(
            "a stop phrase spotted over its own speech (%.2f s; ended %.2f s ago, spotter %.3f s; "
            "follows what it played at %.2f, %s in the hiss band)", speech.seconds,
            t0 - speech.end, took, speech.echo_match, _figure(speech.hiss_match),
        )  # fmt: skip
        self._last_was_stop = True
        self._judged(speech, "stop")
        self._pending = _Pending(phrase, speech, speech.end + HANG_S + FOLLOW_S)
        self._silence(True)
        log.info("speech silenced: a stop phrase spotted; cut unless more speech follows")

    def tick(self, at: float, talking: bool) -> None:
        """After every frame of the echo path (recorded at ``at``): a stop waiting to see
        whether more speech follows is dropped when someone talks again, else acted on."""
        pending = self._pending
        if pending is None:
            return
        if talking and at > pending.speech.end + HANG_S:
            self._pending = None
            self._silence(False)
            log.info("speech over its own: more speech followed the stop phrase; not a stop "
                     "(its voice back, ducked)")  # fmt: skip
            return
        if at >= pending.due:
            self._pending = None
            self._act(pending.phrase, pending.speech, at)

    def _act(self, phrase: str, speech: NearSpeech, at: float) -> None:
        """Hand the stop to the voice loop; ``at``: when the frame that made it due was
        recorded (the log says how far behind the microphone the echo path then was)."""
        start, end = self._stream_time(speech.start), self._stream_time(speech.end)
        self._acted = [span for span in self._acted if span[1] > start - 10.0] + [(start, end)]
        t0 = time.monotonic()
        log.info("a stop said over its own speech: acted on, %.2f s after it ended "
                 "(echo path %.3f s behind the microphone)", t0 - speech.end, t0 - at)  # fmt: skip
        self._delivering = threading.get_ident()
        try:
            self._deliver(
                Utterance(phrase, start, end, end, 1.0, accepted=True, enough_to_interrupt=True)
            )
        finally:
            self._delivering = None
            self._silence(False)  # the rest was cut: what it says next ("Okay.") is heard
            log.info("a stop said over its own speech: the voice loop took %.3f s",
                     time.monotonic() - t0)  # fmt: skip

    def already_acted(self, utterance: Utterance) -> bool:
        """Was the speech of ``utterance`` (a later reading by the recognizer) acted on here?"""
        return self._delivering != threading.get_ident() and any(
            s < utterance.end + 0.3 and utterance.start < e + 0.3 for s, e in self._acted
        )
