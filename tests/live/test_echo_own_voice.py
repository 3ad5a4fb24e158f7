"""Its own reply looped back through a room that misbehaves is never taken for a "stop".

Live (README, fifteenth session), with SpeexDSP in the path and the speaker looped back into the
room (``tests/audio/test_end_to_end.py``'s own-voice case, ``VR_TEST_ECHO=speex+process`` and
``speex+inprocess`` alike), the detector (``audio.duck``) took stretches of the assistant's own
voice for a person, the spotter heard "stop" or "shut up" in them, and the reply was cut:
where the canceller left a residual at a transient, where the room's delay moved under it (the
test room's loopback moved 50 -> 63 ms, once 370 ms, within a reply), and where the microphone
heard an onset of its voice before the reference predicted it. What tells them apart is the
whole stretch measured against what was played (``audio.echomatch``): its own voice follows
the reference closely, a person as loud as it cannot, and a canceller that made the stretch
louder than the microphone heard it made it up.

It also holds a person's "stop" said as its reply falls silent, heard whole (the detector
followed it only while its voice played, and cut it short there).

Real parts: Piper's voice, SpeexDSP, the echo path's own ``EchoCanceller`` (its delay tracker,
its detector) and the pocketsphinx spotter behind ``BargeIn``; the room is synthetic (the
reply played into it 60 ms late, its delay moving mid-reply), fed block by block as the
microphone would (no sound server is needed to show what a user notices: nobody spoke, and
the reply is not cut; the live room is ``test_end_to_end``).
"""

from __future__ import annotations

import numpy as np
import pytest
from testspeech import recording, speech_rms

from voice_repair.audio.echo import EchoCanceller, PlayedAudio
from voice_repair.audio.echomatch import against_reference
from voice_repair.live.bargein import ADDED_DB, ECHO_MATCH, BargeIn
from voice_repair.models import AudioChunk, Utterance

pytestmark = pytest.mark.model  # Piper's voice for the room, pocketsphinx for the spotter

REPLY = (
    "Try: I need a pause. Or: help me calm down. Or: read me a validation example. "
    "For another, say: next one, and stop to quiet me."
)
"""The help reply, which says "stop" itself (its own "stop" must never stop it)."""
RATE = 16000
BLOCK = 320
PHRASES = ["stop", "stop talking", "be quiet", "shut up"]


def _room(
    moves: list[tuple[float, float | None]], stop_at: float | None = None, tail_s: float = 2.5
) -> list[Utterance]:
    """The reply played at t=1 s, block by block 80 ms ahead at the gain the detector asks for
    (its duck), into a room whose echo delay is ``moves[k][1]`` s from ``moves[k][0]`` s into
    the reply on (None: the microphone hears nothing there, its stream stalled); the echo as
    loud as a Piper "stop" said ``stop_at`` s into it (None: nobody talks). Returns the stops
    the barge-in handed to the voice loop; the microphone runs on ``tail_s`` after the reply."""
    reply = recording(REPLY, "piper").astype(np.float64)
    stop = recording("stop", "piper").astype(np.float64)
    level = speech_rms(stop) / speech_rms(reply)
    t0, n = 1.0, int((reply.size / RATE + tail_s) * RATE)
    played = PlayedAudio()
    canceller = EchoCanceller(played, "speex")
    heard: list[Utterance] = []
    barge = BargeIn.over(canceller, PHRASES)
    assert barge is not None
    barge._deliver = heard.append
    full = np.zeros(n)
    full[int(t0 * RATE) : int(t0 * RATE) + reply.size] = reply
    out = np.zeros(n)  # what the speaker played, ducked as asked
    delays = np.full(n, -1)
    for k, (since, delay) in enumerate(moves):
        lo = int((t0 + since) * RATE) if k else 0
        hi = int((t0 + moves[k + 1][0]) * RATE) if k + 1 < len(moves) else n
        delays[lo:hi] = -1 if delay is None else int(delay * RATE)
    person = np.zeros(n)
    if stop_at is not None:
        at = int((t0 + stop_at) * RATE)
        person[at : at + stop.size] = stop
    noise = np.random.default_rng(0).normal(0.0, 20.0, n)
    ahead = int(0.08 * RATE)
    for i in range(0, n - BLOCK - ahead, BLOCK):
        j = i + ahead  # the player hands this block over now, at the gain it reads
        gain = played.gain
        out[j : j + BLOCK] = full[j : j + BLOCK] * gain
        if full[j : j + BLOCK].any():
            played.started(out[j : j + BLOCK].astype(np.int16), j / RATE, gain)
        idx = np.arange(i, i + BLOCK)
        d = delays[idx]
        echo = np.where(d >= 0, out[np.maximum(idx - d, 0)] * level, 0.0)
        mic = np.where(d >= 0, echo + noise[idx], 0.0) + person[idx]
        mic = np.clip(mic, -32768, 32767).astype("<i2")
        canceller.cancel(AudioChunk(mic.tobytes(), RATE, i / RATE), i / RATE)
    return heard


@pytest.mark.parametrize(
    "moves",
    [[(0.0, 0.06), (2.5, 0.09)], [(0.0, 0.06), (6.0, None), (6.3, 0.37)]],
    ids=["later-at-2.5s", "stalled-then-far-later"],
)
def test_its_own_reply_saying_stop_is_never_taken_for_a_stop(moves) -> None:
    """A guard, not the reproduction: this synthetic room did not make the code before this
    change cut the reply either (the live room did, ``test_end_to_end``; README)."""
    heard = _room(moves)
    assert heard == [], [(u.text, round(u.start, 2)) for u in heard]


@pytest.mark.parametrize("after_s", [0.6, 0.8])
def test_a_stop_said_as_its_reply_falls_silent_is_heard_whole(after_s: float) -> None:
    """A "stop" that begins ``after_s`` after the last sound of its reply (a script's silence
    between steps, a reply ending) runs past the moment the detector stops listening over its
    voice (``duck.PLAYING_S`` after that sound). The stretch was closed there, mid-word, and
    handed on cut short: the spotter heard no phrase in it (live, a clear 0.41 s stretch, 98%
    above the echo, README sixteenth session); both places here were missed before."""
    reply = recording(REPLY, "piper")
    sound_ends = (np.flatnonzero(reply)[-1] + 1) / RATE
    heard = _room([(0.0, 0.06)], stop_at=sound_ends + after_s, tail_s=4.0)
    assert [u.text for u in heard] == ["stop"], heard


def _frames(mic: np.ndarray, out: np.ndarray, far: np.ndarray):
    return [(k / 100, mic[k * 160 : (k + 1) * 160], out[k * 160 : (k + 1) * 160],
             far[k * 160 : (k + 1) * 160]) for k in range(mic.size // 160)]  # fmt: skip


@pytest.mark.parametrize("voice", ["piper", "espeak"])
def test_its_own_voice_follows_the_reference_and_a_person_as_loud_does_not(voice) -> None:
    """The measure the rule stands on, on real speech: its reply heard 60 ms late, the delay
    jumping to 90 ms inside the stretch, follows what was played (``ECHO_MATCH`` and more);
    the same echo with a "stop" as loud said over it does not."""
    reply = recording(REPLY, voice).astype(np.float64)[: 3 * RATE]
    stop = recording("stop", voice).astype(np.float64)
    stop = stop[np.abs(stop) > 0][: int(0.5 * RATE)]
    level = speech_rms(stop) / speech_rms(reply)
    far = reply.astype(np.int16)
    echo = np.zeros(reply.size)
    echo[960:] = reply[:-960] * level  # 60 ms
    echo[int(1.3 * RATE) :] = reply[int(1.3 * RATE) - 1440 : -1440] * level  # then 90 ms
    noise = np.random.default_rng(1).normal(0.0, 20.0, reply.size)
    own = np.clip(echo + noise, -32768, 32767).astype(np.int16)
    start, end = 1.0, 1.0 + stop.size / RATE
    own_voice = against_reference(_frames(own, own, far), start, end)
    assert min(own_voice.match, own_voice.hiss_match) >= ECHO_MATCH, own_voice
    said = echo + noise
    said[int(start * RATE) : int(start * RATE) + stop.size] += stop
    person = np.clip(said, -32768, 32767).astype(np.int16)
    said_over = against_reference(_frames(person, person, far), start, end)
    assert said_over.match < ECHO_MATCH, said_over
    assert said_over.removed_db == pytest.approx(0.0, abs=0.01)  # the canceller removed nothing
    louder = np.clip(person.astype(np.float64) * 3, -32768, 32767).astype(np.int16)
    made_up = against_reference(_frames(person, louder, far), start, end)
    assert made_up.removed_db <= -ADDED_DB  # a canceller that made it louder made it up


def test_a_persons_s_over_its_voice_stands_apart_from_it_in_the_hiss_band() -> None:
    """The start of a Piper "stop" (its "s", 0.1 s) said over its reply, the whole word as
    loud as the echo, measured as the detector hands on such a stretch (0.08 s): over the
    whole band it follows the reference as its own voice does at most places (the echo's
    vowels fill it; live, two stops were lost so, README sixteenth session), in the hiss band
    it never does; its own voice alone follows it in both bands everywhere it speaks."""
    reply = recording(REPLY, "piper").astype(np.float64)[: 6 * RATE]
    stop = recording("stop", "piper").astype(np.float64)
    loud = np.flatnonzero(np.abs(stop) > 300)
    stop = stop[loud[0] : loud[-1]]
    level = speech_rms(stop) / speech_rms(reply)
    far = reply.astype(np.int16)
    echo = np.zeros(reply.size)
    echo[960:] = reply[:-960] * level  # 60 ms
    noise = np.random.default_rng(1).normal(0.0, 20.0, reply.size)
    own = np.clip(echo + noise, -32768, 32767).astype(np.int16)
    onset = stop[: int(0.1 * RATE)]
    trapped = 0
    for start in np.arange(0.5, 5.5, 0.25):
        alone = against_reference(_frames(own, own, far), start, start + 0.08)
        if alone.match < ECHO_MATCH:  # a gap in its reply: nothing of its own to mistake
            continue
        assert alone.hiss_match >= ECHO_MATCH, (start, alone)
        said = echo + noise
        said[int(start * RATE) : int(start * RATE) + onset.size] += onset
        mic = np.clip(said, -32768, 32767).astype(np.int16)
        over = against_reference(_frames(mic, mic, far), start, start + 0.08)
        trapped += over.match >= ECHO_MATCH
        assert over.hiss_match < ECHO_MATCH, (start, over)
    assert trapped >= 8, trapped  # the whole band alone would have called these its own


@pytest.fixture(scope="module")
def spotted_stop() -> bytes:
    """A Piper "stop" as the detector hands a stretch on (0.2 s of quiet each side)."""
    stop = recording("stop", "piper")
    quiet = np.zeros(int(0.2 * RATE), np.int16)
    return np.concatenate([quiet, stop, quiet]).astype("<i2").tobytes()


@pytest.mark.parametrize(
    ("match", "hiss", "removed", "acted"),
    [
        (0.3, 0.3, 0.5, True), (0.95, 0.95, 0.5, False), (0.3, 0.3, -20.0, False),
        (0.95, 0.4, 0.5, True), (0.95, None, 0.5, False),
    ],
    ids=["a-person", "its-own-voice", "the-cancellers-own", "a-persons-s", "hiss-not-measured"],
)  # fmt: skip
def test_a_stretch_of_its_own_voice_is_not_spotted_even_when_it_sounds_like_stop(
    spotted_stop: bytes, match: float, hiss: float | None, removed: float, acted: bool
) -> None:
    """The same "stop" audio handed on five ways: a person's (acted on), one that follows
    what it played, one the canceller made louder (neither acted on, and a recognizer's later
    reading of "stop" there is not acted on either); one that follows it over the whole band
    but not in the hiss band (a person's "s" over its vowels: acted on; not before the hiss
    band was measured), and one whose hiss band was not measured (the whole band decides)."""
    from voice_repair.asr.stopspot import StopSpotter
    from voice_repair.audio.duck import NearSpeech
    from voice_repair.live.bargein import FOLLOW_S, THRESHOLD

    barge = BargeIn(StopSpotter(PHRASES, THRESHOLD))
    heard: list[Utterance] = []
    barge._deliver = heard.append
    seconds = len(spotted_stop) / 2 / RATE - 0.4
    speech = NearSpeech(10.0, 10.0 + seconds, spotted_stop, 9.8, 0.6, removed, match, hiss)
    barge.hear(speech)
    barge.tick(speech.end + 1.0 + FOLLOW_S, False)
    assert [u.text for u in heard] == (["stop"] if acted else []), heard
    reading = barge.overheard.sentence(10.0, 10.0 + seconds)
    assert (reading is None) == acted, reading
