"""The half-duplex loop with the real microphone, speaker and PulseAudio path.

The recognizer here is a stand-in built from real parts, because recognition is another
module's job (voice_repair/asr, tested on its own): pocketsphinx keyword spotting for "stop", and
an energy detector that reports *every other* burst of sound as the request "i need a pause".
That is the worst case for self-triggering: a recognizer that takes anything it hears for a
command. The loop must still never act on the assistant's own voice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest
from pocketsphinx import Decoder
from pulse import PulseServer
from test_audio_path import audio_path
from testspeech import synth_wav
from timing import MAX_CPU_STRETCH, MAX_WAKE_LATENESS, CpuWait, budget

from voice_repair.audio.capture import Microphone
from voice_repair.audio.playback import Player
from voice_repair.live.loop import VoiceLoop
from voice_repair.models import AudioChunk, Say, Utterance
from voice_repair.speech.engines import make_tts
from voice_repair.speech.speaker import Speaker

REQUEST = "i need a pause"


class StandInRecognizer:
    """Keyword spotting for "stop" + "every other sound is a request" (see module docstring)."""

    def __init__(self) -> None:
        self._decoder = Decoder(
            keyphrase="stop", kws_threshold=1e-10, samprate=16000, loglevel="FATAL"
        )
        self._decoder.start_utt()
        self._start: float | None = None
        self._quiet = 0
        self.heard = 0
        """Utterances produced, whether or not the loop acted on them."""
        self.slow = False
        """While true, take 0.2 s to decode each 0.1 s block (falls behind the room)."""

    def _utterance(self, text: str, start: float, end: float) -> Utterance:
        self.heard += 1
        return Utterance(
            text, start, end, end, confidence=1.0, accepted=True, enough_to_interrupt=True
        )

    def accept(self, chunk: AudioChunk) -> list[Utterance]:
        if self.slow:
            time.sleep(0.2)
        end = chunk.start + len(chunk.samples) / 2 / chunk.sample_rate
        self._decoder.process_raw(chunk.samples)
        if self._decoder.hyp() is not None:
            start = chunk.start if self._start is None else self._start
            self.reset()
            return [self._utterance("stop", start, end)]
        s = np.frombuffer(chunk.samples, dtype="<i2").astype(np.float64)
        if np.sqrt((s**2).mean()) > 300:
            self._start = chunk.start if self._start is None else self._start
            self._quiet = 0
        elif self._start is not None:
            self._quiet += 1
            if self._quiet >= 3:
                start, self._start = self._start, None
                return [self._utterance(REQUEST, start, end)]
        return []

    def flush(self) -> list[Utterance]:
        return []

    def reset(self) -> None:
        self._decoder.end_utt()
        self._decoder.start_utt()
        self._start = None
        self._quiet = 0


def _front_door(heard: list[str], speaker: Speaker):
    """A stand-in for the session's front door: while speaking only "stop" acts, and it
    silences the speaker itself."""

    def on_utterance(u: Utterance, speaking: bool) -> bool:
        if speaking and u.text != "stop":
            return False
        if speaking:
            speaker.stop()
        heard.append(u.text)
        return True

    return on_utterance


@pytest.fixture
def live(pulse: PulseServer) -> Iterator[tuple[Speaker, StandInRecognizer, VoiceLoop, list[str]]]:
    speaker = Speaker(make_tts("espeak"), Player(None))
    recognizer = StandInRecognizer()
    heard: list[str] = []
    with Microphone(None) as mic:
        loop = VoiceLoop(
            mic.chunks(timeout=3),
            recognizer,
            speaker,
            on_utterance=_front_door(heard, speaker),
            captured_at=mic.captured_at,
        )
        stop_event = threading.Event()
        thread = threading.Thread(target=loop.run, args=(stop_event,))
        thread.start()
        try:
            yield speaker, recognizer, loop, heard
        finally:
            stop_event.set()
            mic.close()
            thread.join(5)
            speaker.close()


HEARD_WITHIN_S = 3.0
"""End of a request played into the room -> acted on, at most, on a quiet machine; stretched by
the CPU waits of this process (the loop, its recognizer) and the sound server."""
STOPPED_WITHIN_S = 1.0
"""End of "please stop" -> the last sound on the speaker, at most, on a quiet machine."""


def _heard_within(heard: list[str], pulse: PulseServer, wav) -> tuple[float, CpuWait]:
    """Play ``wav`` into the room and wait for the loop to act on it: (seconds from the end
    of the file to the action, or the longest wait when it never came; the CPU waits)."""
    longest = HEARD_WITHIN_S * MAX_CPU_STRETCH + MAX_WAKE_LATENESS
    with audio_path(pulse) as cpu:
        pulse.play_into_room(wav)
        ended = time.monotonic()
        while not heard and time.monotonic() < ended + longest:
            time.sleep(0.05)
        return time.monotonic() - ended, cpu


def test_it_never_hears_itself_but_hears_people_afterwards(
    live, pulse: PulseServer, loopback, tmp_path
) -> None:
    speaker, recognizer, loop, heard = live
    loopback(True)  # everything it says comes back into the room, and so to its microphone
    speaker.say(Say("You could say: I need a pause. [0.6s] Or: help me calm down.", "example"))
    assert speaker.wait_idle(20)
    time.sleep(1.0)  # its tail, and the loopback's latency
    assert recognizer.heard >= 1, "the stand-in recognizer should have heard the assistant"
    assert heard == [] and loop.dropped == recognizer.heard

    wav = synth_wav("I need a pause.", tmp_path / "request.wav", voice="piper")
    took, cpu = _heard_within(heard, pulse, wav)
    assert heard == [REQUEST]
    assert took <= budget(HEARD_WITHIN_S, cpu.stretch()), (took, cpu.stretch())


def test_a_recognizer_that_falls_behind_still_never_hears_itself(
    live, pulse: PulseServer, loopback, tmp_path
) -> None:
    speaker, recognizer, _, heard = live
    loopback(True)
    # Decoding runs at half speed while it speaks: when speech and its tail are over, the
    # recognizer is seconds behind, still chewing on audio of the assistant's own voice.
    recognizer.slow = True
    speaker.say(Say("You could say: I need a pause. [0.6s] Or: help me calm down.", "example"))
    assert speaker.wait_idle(20)
    time.sleep(0.5)
    recognizer.slow = False
    time.sleep(1.5)  # let it catch up with the room
    assert recognizer.heard >= 1
    assert heard == [], "acted on its own voice decoded after speech ended"

    wav = synth_wav("I need a pause.", tmp_path / "request.wav", voice="piper")
    took, cpu = _heard_within(heard, pulse, wav)
    assert heard == [REQUEST]
    assert took <= budget(HEARD_WITHIN_S, cpu.stretch()), (took, cpu.stretch())


def test_stop_said_over_its_speech_silences_it(live, pulse: PulseServer, tmp_path) -> None:
    speaker, _, loop, heard = live
    stop_wav = synth_wav("Please stop.", tmp_path / "stop.wav", voice="piper")
    long_text = "Here is an example of validation. It makes sense that you feel hurt. " * 3
    longest = STOPPED_WITHIN_S * MAX_CPU_STRETCH + MAX_WAKE_LATENESS
    with pulse.recording() as rec, audio_path(pulse) as cpu:
        speaker.say(Say(long_text, "repair.validate"))
        time.sleep(1.5)
        pulse.play_into_room(stop_wav)
        said_stop = time.monotonic()
        assert speaker.wait_idle(longest + 2.0), "still speaking after stop"
        time.sleep(0.5)
    assert heard == ["stop"] and loop.stops == 1
    loud = [t for t, b in rec.blocks if np.abs(np.frombuffer(b, "<i2")).max(initial=0) > 300]
    silenced = loud[-1] - said_stop
    print(f"\nend of 'please stop' -> speech silenced: {silenced * 1000:.0f} ms")
    assert silenced < budget(STOPPED_WITHIN_S, cpu.stretch()), (silenced, cpu.stretch())
