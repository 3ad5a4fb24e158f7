"""Cutting a live stream into stretches of speech, and deciding quickly when one has ended.

Both engines share this endpointer, so they decide at the same moments and ``decided_at`` means
the same thing for each. Voice activity comes from pocketsphinx's WebRTC-style ``Vad``
(30 ms frames).

Why an adaptive hang-over: a fixed silence timeout must choose between acting fast (0.25 s) and
not cutting people off at the short pauses inside a sentence ("pause for ... twenty minutes").
Here the engine is asked, once the silence reaches ``short_end``, whether what it has heard so far
is already a complete product phrase; only then does the segment end early. Otherwise it waits for
``long_end``. A complete phrase followed by more words ("stop ... by the bakery") gets heard whole
as long as the gap is shorter than ``short_end``.

Why a pre-roll that reaches back 0.6 s: the noise gate judges a frame against the room's noise
floor, which it learns from the quietest frames heard since the last ``reset()``. When speech
begins right after a reset (a file that starts with speech; the first words after the assistant
stops talking, when the voice loop resets) the first frames *are* the floor, and the start fires
only once a quieter frame has taught it otherwise: up to 0.54 s after the first word (five
voices, 80 sentences each; Piper's "I need a pause" fired at "a pause", and Whisper heard "to
pause"). So the frames since the last segment are kept in a ring (``preroll``), and at the start
they are judged again against the floor as it is now: the segment begins ``lead`` before the
first loud frame of the speech (gaps inside it shorter than ``bridge`` are bridged). With room
before the speech the start fires at most 0.22 s late (five voices, clean, 10 dB noise, a
reverberant room), the frames before it are quiet, and the segment begins ``lead`` before the
frames that started it, as it always did: handing pocketsphinx 0.6 s of room every time cost it
commands (16 against 17 of 20), so the reach is used only where speech is.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from pocketsphinx import Vad

from ..errors import ModelError
from ..models import AudioChunk, Utterance

__all__ = ["Segment", "SegmentedStream", "Segmenter"]

FRAME_SECONDS = 0.03
PREROLL_SECONDS = 0.6
"""How far back before the frames that start a segment speech can be found (module docstring)."""


@dataclass
class Segment:
    """What the segmenter reports for one frame of audio."""

    started: bool = False
    """Speech began with this frame; ``audio`` holds the pre-roll plus the frames that started
    it."""
    audio: bytes = b""
    """Audio to hand to the decoder now (empty outside speech)."""
    ended: bool = False
    """The stretch of speech is over; decide now."""
    speech_start: float = 0.0
    """Stream time (s) of the first speech frame (valid once started)."""
    speech_end: float = 0.0
    """Stream time (s) just after the last speech frame (valid when ended)."""


class Segmenter:
    """Frame-by-frame speech/non-speech state machine with pre-roll and adaptive hang-over."""

    def __init__(
        self,
        sample_rate: int = 16000,
        vad_mode: int = 2,
        preroll: float = PREROLL_SECONDS,
        lead: float = 0.2,
        bridge: float = 0.3,
        start_frames: int = 3,
        short_end: float = 0.27,
        long_end: float = 0.75,
        min_speech: float = 0.15,
        max_speech: float = 8.0,
        gate_db: float = 3.0,
        floor_rise_db: float = 2.0,
    ) -> None:
        self.vad = Vad(vad_mode, sample_rate, FRAME_SECONDS)
        self.sample_rate = sample_rate
        self.frame_bytes = self.vad.frame_bytes
        self.frame_seconds = self.vad.frame_length
        fs = self.frame_seconds
        self._start_frames = max(1, start_frames)
        ring = round(max(0.0, preroll) / fs) + self._start_frames
        self._preroll: deque[tuple[bytes, bool, float]] = deque(maxlen=ring)
        """The frames heard since the last segment, at most ``ring``: (audio, speech?, level dB)."""
        self._lead = round(max(0.0, lead) / fs)
        self._bridge = round(max(0.0, bridge) / fs)
        self._short = max(1, round(short_end / fs))
        self._long = max(self._short, round(long_end / fs))
        self._min = max(1, round(min_speech / fs))
        self._max = round(max_speech / fs)
        self._gate = gate_db
        self._rise = floor_rise_db * fs
        self.reset()

    def reset(self) -> None:
        """Forget everything heard (half-duplex: drop what was heard while we spoke)."""
        self._preroll.clear()
        self.in_speech = False
        self._silent_run = 0
        self._speech_frames = 0
        self._frames_in = 0
        self.speech_start = 0.0
        self._last_speech_end = 0.0
        self._floor: float | None = None
        self._level = 0.0
        self._levels: list[float] = []

    def _loud(self, frame: bytes) -> bool:
        """Whether the frame stands ``gate_db`` above the tracked noise floor (sets ``_level``).

        The WebRTC VAD alone calls steady noise (a fan, a TV at 10 dB SNR) speech, and a segment
        that never ends is never decided. The floor follows the quietest frames at once and
        rises slowly (``floor_rise_db`` per second), so a louder room is learnt in a few seconds.
        """
        x = np.frombuffer(frame, "<i2").astype(np.float32)
        level = 10.0 * math.log10(float(np.mean(x * x)) + 1.0)
        self._level = level
        if self._floor is None or level < self._floor:
            self._floor = level
        elif not self.in_speech:
            self._floor += self._rise
        return level > self._floor + self._gate

    def process(
        self, frame: bytes, now: float, complete: Callable[[], bool] = lambda: False
    ) -> Segment:
        """Classify one frame whose first sample is at stream time ``now``.

        ``complete`` is asked (only during a silence of ``short_end``) whether the speech so far
        is a complete phrase, which allows ending early.
        """
        speech = self.vad.is_speech(frame) and self._loud(frame)
        fs = self.frame_seconds
        if not self.in_speech:
            self._preroll.append((frame, speech, self._level))
            recent = list(self._preroll)[-self._start_frames :]
            if len(recent) == self._start_frames and all(s for _, s, _ in recent):
                self.in_speech = True
                self._silent_run = 0
                self._speech_frames = self._start_frames
                frames = list(self._preroll)
                onset = self._onset(frames)
                self.speech_start = now - (len(frames) - 1 - onset) * fs
                self._last_speech_end = now + fs
                handed = frames[max(0, onset - self._lead) :]
                self._frames_in = len(handed)
                audio = b"".join(f for f, _, _ in handed)
                self._preroll.clear()
                self._levels = [self._level]
                return Segment(started=True, audio=audio, speech_start=self.speech_start)
            return Segment()
        self._frames_in += 1
        if speech:
            self._levels.append(self._level)
            self._silent_run = 0
            self._speech_frames += 1
            self._last_speech_end = now + fs
        else:
            self._silent_run += 1
        ended = self._frames_in >= self._max or self._silent_run >= self._long
        if not ended and self._silent_run >= self._short and self._silent_run % 3 == 0:
            ended = complete()
        if ended:
            self.in_speech = False
            return Segment(
                audio=frame,
                ended=True,
                speech_start=self.speech_start,
                speech_end=self._last_speech_end,
            )
        return Segment(audio=frame, speech_start=self.speech_start)

    def _onset(self, frames: list[tuple[bytes, bool, float]]) -> int:
        """Index in ``frames`` (the ring, ending with the start frames) where speech began.

        Walking back from the start frames, every frame louder than the floor as it is *now*
        is speech, across quiet gaps shorter than ``bridge``: when the floor was learnt late,
        the words before the start are found again (the module docstring).
        """
        assert self._floor is not None  # a frame has been measured
        onset, quiet = len(frames) - self._start_frames, 0
        for i in range(onset - 1, -1, -1):
            if frames[i][2] > self._floor + self._gate:
                onset, quiet = i, 0
            else:
                quiet += 1
                if quiet > self._bridge:
                    break
        return onset

    @property
    def last_speech_end(self) -> float:
        """Stream time (s) just after the last speech frame of the current or last segment."""
        return self._last_speech_end

    @property
    def silence(self) -> float:
        """Seconds of silence since the last speech frame of the segment under way (0 outside
        one): how much of the tail after the speech is already in hand."""
        return self._silent_run * self.frame_seconds if self.in_speech else 0.0

    @property
    def snr_db(self) -> float:
        """Signal-to-noise ratio of the segment just ended, in dB (``inf`` when unknown).

        The louder speech frames (75th percentile of their level) against the tracked noise
        floor: a rough figure, good enough to tell a quiet room from a noisy one.
        """
        if not self._levels or self._floor is None:
            return math.inf
        return float(np.percentile(self._levels, 75)) - self._floor

    @property
    def too_short(self) -> bool:
        """Whether the segment just ended had less than ``min_speech`` of speech (a click)."""
        return self._speech_frames < self._min


class SegmentedStream:
    """``accept`` and ``flush`` for an engine that decides once per segment (vosk, whisper).

    The engine sets ``name``, ``sample_rate``, ``_seg`` (a ``Segmenter``), ``_buf`` (bytes not yet
    framed), ``_t`` (stream time) and ``_started``, and implements ``_drain``, which consumes
    the whole frames of ``_buf`` (only while in speech when ``stop_when_idle``).
    """

    name: str
    sample_rate: int
    _seg: Segmenter
    _buf: bytes
    _t: float
    _started: bool

    @property
    def hearing(self) -> bool:
        """Someone is talking now (a segment is under way): work that can wait (the speaker
        rendering ahead, ``speech/foresight.py``) leaves the CPU to the recognizer."""
        return self._seg.in_speech

    def accept(self, chunk: AudioChunk) -> list[Utterance]:
        if chunk.sample_rate != self.sample_rate:
            raise ModelError(
                f"audio at {chunk.sample_rate} Hz given to {self.name}, which needs "
                f"{self.sample_rate} Hz; resample it first (voice_repair.audio.wavfile)."
            )
        if not self._started:
            self._t, self._started = chunk.start, True
        self._buf += chunk.samples
        return self._drain()

    def flush(self) -> list[Utterance]:
        """End of input: pad the last partial frame, then a second of silence to close a segment."""
        fb = self._seg.frame_bytes
        if len(self._buf) % fb:
            self._buf += bytes(fb - len(self._buf) % fb)
        self._buf += bytes(fb * round(1.0 / self._seg.frame_seconds))
        out = self._drain(stop_when_idle=True)
        self._buf = b""
        return out

    def _frames(self, stop_when_idle: bool = False) -> Iterator[tuple[bytes, float]]:
        """The whole frames of ``_buf`` with their stream times, taken off as they are used;
        with ``stop_when_idle``, only while the segmenter is in speech (checked before each)."""
        fb = self._seg.frame_bytes
        while len(self._buf) >= fb and not (stop_when_idle and not self._seg.in_speech):
            frame, self._buf = self._buf[:fb], self._buf[fb:]
            now = self._t
            self._t += self._seg.frame_seconds
            yield frame, now

    def _drain(self, stop_when_idle: bool = False) -> list[Utterance]:
        """Decide over ``_frames(stop_when_idle)``; the engine's own part."""
        raise NotImplementedError
