"""Someone talking over the assistant: heard against its own echo, and its voice ducked.

A home speaker's own voice reaches its microphone as loud as the person's, and the voice
detector hears speech all the time it talks, so a "stop" said over it is one more sound inside
one long stretch of speech. What tells the person from the echo here is the *reference*: the
exact samples played (``echo.PlayedAudio``), aligned by the measured delay. From them the echo
each 10 ms frame should carry is known to within a gain (the room, and whatever a canceller
took out), and that gain is learned from the frames where only the echo was heard. A frame
standing ``MARGIN_DB`` above the loudest the echo alone reached is someone else's sound:

* the assistant's voice is **ducked** at once (``DUCK_GAIN``, about 20 dB down: the person is
  then far louder than the echo for the rest of the word; the reference is the ducked samples,
  so the prediction stays right), and back to full level when they have been quiet a while;
* the stretch of their speech, from a little before its start to its end, is handed on as a
  ``NearSpeech`` (``NearSpeechDetector.frame``), for a fast "stop" check (``live.bargein``).

It never decides what was said and writes nothing anywhere; the audio kept is the last few
seconds, in memory.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from .echomatch import against_reference

__all__ = ["DUCK_GAIN", "NearSpeech", "NearSpeechDetector"]

RATE = 16000
FRAME_S = 0.01
DUCK_GAIN = 0.1
"""The assistant's voice while someone talks over it: 20 dB down (Voice PE and
linux-voice-assistant duck by about as much)."""
MARGIN_DB = 6.0
"""A frame this far above the loudest the echo reached (its 90th percentile over the last
seconds, the person's own frames, a few, included) is the person's."""
PRIOR_DB = 10.0
"""Echo gain assumed until enough echo has been heard to learn it (``LEARN_FRAMES``)."""
LEARN_FRAMES = 40
"""Frames of echo alone (10 ms each) before the learned gain replaces ``PRIOR_DB``."""
HISTORY_FRAMES = 400
"""Echo-only frames the gain is learned from (the last four seconds of echo)."""
ECHO_WINDOW = 12
"""The reference frames (10 ms each, newest last) one microphone frame's echo may come from:
the canceller's reference leads its echo by 20 ms, and the delay differs from one output stream
(one sentence) to the next by up to ~40 ms (62-99 ms in one live recording, each stream steady
within itself), which the delay estimate follows only after half a second or more. Replayed
offline from live recordings (SpeexDSP, no ducking), stops spotted in its own voice alone: 17 in
one (6 sentences) with 60 ms and the quiet-prediction exemption of ``ABOVE_FLOOR_DB``; 14 with
60 ms and no exemption; 3 with 120 ms (none once ``live.bargein.SHORTEST_S`` applies); 160 ms
heard one "stop" fewer of the 6 said."""
TAIL_DB_PER_FRAME = 1.5
"""How fast the predicted reverberation dies away after the reference falls silent (a room with
an RT60 of 0.4 s)."""
TAIL_UNDER_DB = 10.0
"""The reverberation predicted, this far under the direct echo: a speaker beside its
microphone is heard mostly directly, and the ducked voice must be predicted ducked at once."""
ACTIVE_DB = 40.0
"""Below this predicted echo level (dB re one 16-bit step, an RMS of 100) the echo's gain is not
learned from the frame (too little of it to measure)."""
ABOVE_FLOOR_DB = 15.0
"""A person's frame stands this far above the microphone's quietest frames *and* above the echo
predicted (``threshold_db``), however faint that prediction: the end of each of its sentences
(the echo dying away a little later than predicted, 20-40 dB, over a quiet room's floor) was
otherwise taken for someone talking and spotted as "stop" or "shut up" (live: its reply cut
before anyone spoke, and its own "Okay." cut again and again)."""
SILENT_DB = 3.0
"""A frame at or under this level (an RMS under 1.4: digital silence, a source muted or
suspended) says nothing of the room's quiet, so it leaves the floor as it was. Taken as the
floor (0 dB), it took two minutes to climb back to a real room's (26 dB, at 0.2 dB a second),
and meanwhile ``ABOVE_FLOOR_DB`` kept nothing out: after a stream of silent blocks, the first
0.13 s of the next reply was taken for someone talking in every run of
``tests/live/test_echo_process.py``'s last case."""
ONSET = (2, 3)
"""This many person frames among the last so many start a stretch of their speech, or keep it
going (single frames above the echo come from the echo too: a reference block placed a few
milliseconds off on a busy machine)."""
HANG_S = 0.2
"""Their speech has ended after this long without a person frame."""
LONGEST_S = 2.0
"""A stretch longer than this is closed and handed on as it is (too long to be a "stop")."""
BEFORE_S = 0.2
"""Audio handed on from before the first person frame (the soft start of the word, often under
the echo: the first frame above it came 0.1 s into the word in half the live trials). Replayed
offline (above, with ``ECHO_WINDOW`` 120 ms): 0.1 s let the spotter hear 11 of 14, 0.2 s 13."""
AFTER_S = 0.2
"""Audio handed on after the last one (the "p" of "stop" after its silent closure). Offline (a
Piper reply echoed at the level of a Piper "stop" said over it, 60 ms, the duck 80 ms late; 12
places in the reply; before and after): 0.1 and 0.2 let the spotter hear 10 stops, 0.25 and
0.3 8, 0.15 and 0.3 7."""
UNDUCK_S = 0.6
"""Full level again after this long without anyone talking over it."""
KEEP_S = 3.0
"""Microphone audio kept for the stretches handed on."""
PLAYING_S = 1.0
"""The detector starts stretches while something was played within this long (and its echo can
be heard); one begun then runs on to its end however long after (it was closed here, mid-word:
a "stop" said as a reply fell silent reached the spotter cut short, README sixteenth session)."""


@dataclass(frozen=True)
class NearSpeech:
    """One stretch of someone's speech heard over the assistant's own voice."""

    start: float
    """``time.monotonic()`` of its first frame above the echo."""
    end: float
    """``time.monotonic()`` just after its last frame above the echo."""
    audio: bytes
    """16 kHz 16-bit mono: the stretch with ``BEFORE_S`` before and ``AFTER_S`` after it."""
    audio_start: float
    """``time.monotonic()`` of ``audio``'s first sample."""
    person_share: float = 1.0
    """Share of its frames that stood above the echo (a diagnostic: a stretch the echo kept
    going has few)."""
    removed_db: float = 0.0
    """How much the canceller took out of the microphone over its frames, dB (0 when the
    microphone before the canceller was not given; a diagnostic for the log: a person's
    "stop" over its voice is not in the reference, so little of it is removed)."""
    echo_match: float = 0.0
    """How closely the microphone over the stretch (before any canceller) follows the
    reference at the best lag near the one expected (``echomatch``): the normalized
    correlation, 0-1 (0 when not measured). Near 1 for its own voice alone, at most 0.71
    with a person as loud as its echo (``live.bargein.ECHO_MATCH``)."""
    hiss_match: float | None = None
    """The same in the hiss band (``echomatch.hiss``); None when not measured (the whole
    band's ``echo_match`` then decides alone). A person's "s" over its voice stands out
    there and hardly in the whole band."""

    @property
    def seconds(self) -> float:
        return self.end - self.start


class _Played:
    """What the detector needs of ``echo.PlayedAudio``."""

    gain: float

    def last_end(self) -> float: ...


def _db(x: np.ndarray) -> float:
    return 10.0 * math.log10(float(np.mean(np.square(x, dtype=np.float64))) + 1.0)


class _Band:
    """One band of the microphone against the echo predicted from the reference."""

    def __init__(self) -> None:
        self._far: deque[float] = deque([0.0] * ECHO_WINDOW, maxlen=ECHO_WINDOW)
        self._reverb = 0.0
        self._ratios: deque[float] = deque(maxlen=HISTORY_FRAMES)
        self._floor = 90.0
        self._ratio = 0.0
        self._echo = False
        self.threshold_db = PRIOR_DB + MARGIN_DB
        """Frames above the predicted echo by this much are the person's (learned)."""

    def hear(self, near: np.ndarray, far: np.ndarray) -> bool:
        """Does this frame stand above the echo (and the room's quiet) in this band?"""
        level = _db(near)
        if level > SILENT_DB:  # digital silence is no room's floor
            self._floor = min(self._floor + 0.002, level)
        self._far.append(_db(far))
        direct = max(self._far)
        self._reverb = max(direct - TAIL_UNDER_DB, self._reverb - TAIL_DB_PER_FRAME)
        tail = max(direct, self._reverb)
        self._echo = tail > ACTIVE_DB
        self._ratio = level - tail
        return level > self._floor + ABOVE_FLOOR_DB and self._ratio > self.threshold_db

    def relearn(self, floor: bool) -> None:
        """Forget how loud the echo came back (see ``NearSpeechDetector.relearn``), and the
        room's floor too if ``floor``."""
        self._ratios.clear()
        self.threshold_db = PRIOR_DB + MARGIN_DB
        if floor:
            self._floor = 90.0

    def learn(self) -> None:
        """Learn from the last frame how loud the echo comes back."""
        if not self._echo:
            return
        self._ratios.append(self._ratio)
        if len(self._ratios) >= LEARN_FRAMES:
            self.threshold_db = float(np.percentile(self._ratios, 90)) + MARGIN_DB


class NearSpeechDetector:
    """Frame by frame (10 ms, the canceller's): is someone talking over the echo?"""

    def __init__(self, played: _Played) -> None:
        self._played = played
        self._bands = (_Band(), _Band())  # the whole band, and the hiss of an "s" or "t"
        self._recent: deque[bool] = deque(maxlen=ONSET[1])
        self._audio: deque[tuple[float, np.ndarray]] = deque(maxlen=round(KEEP_S / FRAME_S))
        self._mic: deque[tuple[float, np.ndarray, np.ndarray, np.ndarray]] = deque(
            maxlen=round(KEEP_S / FRAME_S)
        )
        """(time, the microphone before the canceller, after it, the reference) per frame."""
        self._start: float | None = None
        self._last = 0.0
        self._frames = 0
        self._person_frames = 0
        self._ducked_until = -math.inf

    def frame(
        self, near: np.ndarray, far: np.ndarray, at: float, mic: np.ndarray | None = None
    ) -> NearSpeech | None:
        """``near``: one frame of what the microphone heard (after any canceller), recorded
        at ``at``; ``far``: the reference for it (aligned as the canceller's); ``mic``: the
        same frame before the canceller (each stretch then says how much of it was removed
        and how closely it follows the reference). Returns a stretch of the person's
        speech when one has just ended."""
        self._audio.append((at, near))
        if mic is not None:
            self._mic.append((at, mic, near, far))
        whole, hiss = self._bands
        loud = [whole.hear(near, far), hiss.hear(np.diff(near, prepend=near[:1]),
                                                 np.diff(far, prepend=far[:1]))]  # fmt: skip
        playing = self._played.last_end() >= at - PLAYING_S
        if not playing and self._start is None:  # nothing of ours to talk over
            self._recent.clear()
            self._played.gain = 1.0
            return None
        person = any(loud)
        if playing:  # a stretch begun over its voice runs on past it (``PLAYING_S``)
            whole.learn()  # every frame, the person's too: learning only from the frames judged
            hiss.learn()  # echo would never unlearn a gain too low (every frame then "a person")
        self._recent.append(person)
        self._frames += 1
        self._person_frames += person
        if sum(self._recent) >= ONSET[0]:  # a lone frame neither starts nor prolongs one
            self._last = at + FRAME_S
        if self._start is None:
            if sum(self._recent) >= ONSET[0]:
                self._start = at - FRAME_S * (len(self._recent) - 1)
                self._frames, self._person_frames = len(self._recent), sum(self._recent)
                self._played.gain = DUCK_GAIN
            elif at > self._ducked_until:
                self._played.gain = 1.0
            return None
        if at - self._last >= HANG_S or at - self._start >= LONGEST_S:
            return self._close(at)
        return None

    def relearn(self, floor: bool = False) -> None:
        """What was learned of the echo's level no longer holds: the canceller before this one
        forgot the room (a new microphone stream) or its reference moved (a new delay), so its
        echo comes back louder than the level learned while it was settled. Learned on a
        settled canceller (ratios of -3 to -40 dB, a threshold near +5 dB), the first 0.1 s of
        the next reply stood above it by 34-37% of its frames in every run of
        ``tests/live/test_echo_process.py``, and a fresh clone spotted a "stop" there. Back to
        ``PRIOR_DB`` until ``LEARN_FRAMES`` of the echo as it is now were heard; ``floor``: a new
        microphone stream, whose quiet is measured again."""
        for band in self._bands:
            band.relearn(floor)

    @property
    def talking(self) -> bool:
        """Someone is talking over its voice now (a stretch has begun and not ended)."""
        return self._start is not None

    def _close(self, at: float) -> NearSpeech:
        start, end = self._start or at, max(self._last, self._start or at)
        self._start = None
        self._recent.clear()
        self._ducked_until = at + UNDUCK_S
        lo, hi = start - BEFORE_S, end + AFTER_S
        kept = [(t, f) for t, f in self._audio if lo <= t < hi]
        audio = np.concatenate([f for _, f in kept]) if kept else np.zeros(0, np.int16)
        share = self._person_frames / max(1, self._frames)
        first = kept[0][0] if kept else lo
        measured = against_reference(list(self._mic), start, end)
        return NearSpeech(start, end, audio.astype("<i2").tobytes(), first, share,
                          measured.removed_db, measured.match, measured.hiss_match)  # fmt: skip
