"""The half-duplex gate of the live loop, with a scripted recognizer and speaker.

Fakes on purpose: recognition belongs to ``voice_repair/asr`` and is tested there with real
pocketsphinx; the real Speaker's timing is tested through PulseAudio in ``tests/audio``. Here we
need exact control over *when* the assistant is speaking and *what* was heard, to pin down the
gate's rules one by one. (The loop with the real speaker and microphone is in tests/audio.)
"""

from __future__ import annotations

import threading

from voice_repair.live.loop import VoiceLoop
from voice_repair.models import AudioChunk, Utterance


def _chunk(i: int) -> AudioChunk:
    return AudioChunk(samples=b"\0\0" * 1600, sample_rate=16000, start=i * 0.1)


def _utt(text: str, accepted: bool = True, interrupt: bool | None = None) -> Utterance:
    return Utterance(
        text,
        start=0.0,
        end=0.5,
        decided_at=0.6,
        confidence=0.9,
        accepted=accepted,
        enough_to_interrupt=accepted if interrupt is None else interrupt,
    )


class ScriptedRecognizer:
    """Hears ``script[i]`` at chunk ``i``; records resets."""

    def __init__(self, script: dict[int, list[Utterance]], at_flush: list[Utterance] = ()) -> None:
        self.script = script
        self.at_flush = list(at_flush)
        self.fed = 0
        self.resets_at: list[int] = []

    def accept(self, chunk: AudioChunk) -> list[Utterance]:
        i = self.fed
        self.fed += 1
        return self.script.get(i, [])

    def flush(self) -> list[Utterance]:
        return self.at_flush

    def reset(self) -> None:
        self.resets_at.append(self.fed)


class ScriptedSpeaker:
    """Busy while the chunk being handled (``now``) is in ``busy_chunks``."""

    def __init__(self, busy_chunks: set[int]) -> None:
        self.busy_chunks = busy_chunks
        self.now = -1
        self.stopped = 0

    @property
    def busy(self) -> bool:
        return self.now in self.busy_chunks

    @property
    def quiet_since(self) -> float:
        past = [i for i in self.busy_chunks if i < self.now]
        return max(past) + 1 if past else float("-inf")

    def stop(self) -> None:
        self.stopped += 1
        self.busy_chunks = {i for i in self.busy_chunks if i <= self.now}

    def chunks(self, n: int | None):
        """The microphone: chunk ``i`` is yielded at time ``now == i``."""
        i = 0
        while n is None or i < n:
            self.now = i
            yield _chunk(i)
            i += 1


STOPS = {"stop", "be quiet"}


def front_door(heard: list, speaker, stops=STOPS, keep=lambda u: u.text):
    """A stand-in for the session's front door: while speaking only a stop acts, and it
    silences the speaker (the real one: tests/live/test_front_door.py)."""

    def on_utterance(u: Utterance, speaking: bool) -> bool:
        if speaking and u.text not in stops:
            return False
        if u.text in stops and speaking:
            speaker.stop()
        heard.append(keep(u))
        return True

    return on_utterance


def _run(script, busy, n=20, at_flush=(), lag=None):
    """``lag``: chunks reach the recognizer ``lag`` blocks after they were recorded."""
    rec = ScriptedRecognizer(script, at_flush)
    speaker = ScriptedSpeaker(set(busy))
    heard: list[str] = []
    loop = VoiceLoop(
        speaker.chunks(n),
        rec,
        speaker,
        on_utterance=front_door(heard, speaker),
        captured_at=None if lag is None else (lambda c: round(c.start * 10) - lag),
    )
    loop.run(threading.Event())
    return heard, rec, speaker, loop


def test_requests_heard_while_quiet_are_passed_on_including_rejections() -> None:
    heard, rec, speaker, _ = _run({2: [_utt("i need a pause")], 5: [_utt("", accepted=False)]}, [])
    assert heard == ["i need a pause", ""]
    assert speaker.stopped == 0 and rec.resets_at == []


def test_its_own_voice_never_triggers_anything() -> None:
    # It reads an example containing "i need a pause"; the recognizer hears it during speech.
    script = {4: [_utt("i need a pause")], 6: [_utt("help me calm down")]}
    heard, _, speaker, loop = _run(script, busy=range(3, 10))
    assert heard == []
    assert speaker.stopped == 0 and loop.dropped == 2


def test_stop_during_speech_interrupts_and_is_passed_on() -> None:
    heard, _, speaker, loop = _run({5: [_utt("stop")]}, busy=range(3, 12))
    assert heard == ["stop"]
    assert speaker.stopped == 1 and loop.stops == 1


def test_a_rejected_stop_like_sound_does_not_interrupt() -> None:
    heard, _, speaker, _ = _run({5: [_utt("stop", accepted=False)]}, busy=range(3, 12))
    assert heard == [] and speaker.stopped == 0


def test_a_stop_below_the_request_bar_still_interrupts_speech_and_counts_as_a_stop() -> None:
    # A one-word "stop" rarely clears the full bar; enough to interrupt is enough while speaking,
    # and it is passed on as accepted so the app also silences a ringing invitation.
    said: list[Utterance] = []
    rec = ScriptedRecognizer({5: [_utt("stop", accepted=False, interrupt=True)]})
    speaker = ScriptedSpeaker(set(range(3, 12)))
    on = front_door(said, speaker, {"stop"}, keep=lambda u: u)
    loop = VoiceLoop(speaker.chunks(20), rec, speaker, on)
    loop.run(threading.Event())
    assert speaker.stopped == 1 and [(u.text, u.accepted) for u in said] == [("stop", True)]


def test_below_the_bar_other_phrases_never_interrupt_and_quiet_stops_stay_rejected() -> None:
    script = {5: [_utt("be quiet", accepted=False, interrupt=False)],
              6: [_utt("i need a pause", accepted=False, interrupt=True)]}  # fmt: skip
    heard, _, speaker, loop = _run(script, busy=range(3, 12))
    assert heard == [] and speaker.stopped == 0 and loop.dropped == 2
    # While it is quiet the lower bar means nothing: the utterance goes on as rejected.
    said: list[Utterance] = []
    rec = ScriptedRecognizer({2: [_utt("stop", accepted=False, interrupt=True)]})
    speaker = ScriptedSpeaker(set())
    on = front_door(said, speaker, {"stop"}, keep=lambda u: u)
    VoiceLoop(speaker.chunks(5), rec, speaker, on).run(threading.Event())
    assert [(u.text, u.accepted) for u in said] == [("stop", False)]


def test_buffered_audio_is_dropped_once_speech_ends() -> None:
    # Busy for chunks 3..7: the reset happens at the first quiet chunk, before it is fed.
    heard, rec, _, _ = _run({12: [_utt("thank you")]}, busy=range(3, 8))
    assert rec.resets_at == [8]
    assert heard == ["thank you"]


def test_audio_recorded_during_speech_is_ignored_even_when_decoded_late() -> None:
    # The recognizer runs 5 blocks behind: at chunk 10 it decodes audio recorded at block 5,
    # while the assistant was speaking (blocks 3..7), though the speaker is quiet by now.
    heard, rec, _, loop = _run(
        {10: [_utt("i need a pause")], 16: [_utt("thanks")]}, range(3, 8), lag=5
    )
    assert heard == ["thanks"] and loop.dropped == 1
    assert rec.resets_at == [13]  # at the first block recorded after speech ended
    # Without capture times the loop can only go by "is it speaking now", and is fooled.
    heard, *_ = _run({10: [_utt("i need a pause")]}, range(3, 8))
    assert heard == ["i need a pause"]


def test_end_of_stream_flushes_and_stop_event_ends_the_loop() -> None:
    heard, *_ = _run({}, [], n=5, at_flush=[_utt("i need a pause")])
    assert heard == ["i need a pause"]

    rec = ScriptedRecognizer({1: [_utt("stop")]}, [_utt("late")])
    stop_event = threading.Event()
    seen: list[str] = []

    def on_utterance(u: Utterance, speaking: bool) -> bool:
        seen.append(u.text)
        stop_event.set()
        return True

    speaker = ScriptedSpeaker(set())
    loop = VoiceLoop(speaker.chunks(None), rec, speaker, on_utterance)
    loop.run(stop_event)
    assert seen == ["stop"] and rec.fed == 2  # ended at the next chunk, no flush
