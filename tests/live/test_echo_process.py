"""The echo path in a process of its own: "stop" over its voice mutes the player from there.

A real echo process (``live/echoproc.py``: SpeexDSP, the detector, pocketsphinx's spotter)
fed through ``EchoProcess`` as the voice loop feeds it. The player's side is the real shared
memory layout (``playring``), written by this test the way the player process writes it (a
block of the reply handed over every 20 ms, 80 ms ahead, at the gain in the memory then): no
sound server is needed to show what the user notices, that their "stop" silences the voice with
nothing of the assistant's process in the way, and that its own voice alone never does. The
live room (a real player process and PulseAudio) is ``bench bargein`` with
``audio.echo_process`` on (README).
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from testspeech import recording
from timing import budget

from voice_repair.audio import playring as pr
from voice_repair.audio.duck import DUCK_GAIN
from voice_repair.audio.echoremote import CLOSE_WAIT_S, EchoProcess
from voice_repair.errors import AudioDeviceError
from voice_repair.live.echoproc import HOLD_S
from voice_repair.models import AudioChunk, Utterance

pytestmark = pytest.mark.model  # Piper's voice for the room, pocketsphinx in the process

REPLY = (
    "Let's slow down together. Sit or stand so your body feels supported. "
    "Breathe in through your nose."
)
RATE = 16000
BLOCK = 320
"""20 ms: the microphone's blocks with an echo path (``echopath.BLOCK_MS``)."""
DELAY, AHEAD = int(0.06 * RATE), int(0.08 * RATE)
"""The room's echo delay; how far ahead of the sound the player hands blocks over."""


def _rms(x: np.ndarray) -> float:
    frames = x[: x.size // 320 * 320].reshape(-1, 320).astype(np.float64)
    rms = np.sqrt((frames**2).mean(axis=1))
    return float(np.sqrt((rms[rms > 150] ** 2).mean()))


@pytest.fixture(scope="module")
def echo():
    """One echo process for the module; ``acts`` on: the voice loop's answer to each stop
    (``stop_acted``) comes as soon as the stop arrives."""
    proc = EchoProcess("speex")
    stops: list[tuple[str, float, float, float]] = []
    acts = {"on": False}

    def on_stop(*stop) -> None:
        stops.append(stop)
        if acts["on"]:
            proc.stop_acted()

    proc.spot(["stop", "stop talking", "be quiet"], on_stop)
    yield proc, stops, acts
    proc.close()


def _room(proc: EchoProcess, stop_at: float | None):
    """The reply played through a new player memory, echoed into the microphone as loud as a
    Piper "stop" said ``stop_at`` s into it (None: nobody talks), fed in real time. Returns the
    player's memory, the (time, gain) of each block it played, the chunks handed back, and the
    stop word's end (the reply's own seconds)."""
    reply = recording(REPLY, "piper").astype(np.float64)
    stop = recording("stop", "piper").astype(np.float64)
    level = _rms(stop) / _rms(reply)
    n = reply.size + RATE
    full = np.zeros(n)
    full[: reply.size] = reply
    person = np.zeros(n)
    word_end = float("inf")
    if stop_at is not None:
        at = int(stop_at * RATE)
        person[at : at + stop.size] = stop
        loud = np.flatnonzero(np.abs(stop) > 300)
        word_end = stop_at + loud[-1] / RATE
    noise = np.random.default_rng(0).normal(0, 20.0, n)
    shared = pr.Shared.create()
    shared.write(full.astype(np.int16))
    proc.attach_player(shared.fd, RATE)
    played, gains = np.zeros(n), []
    t0 = time.monotonic() + 0.2

    def chunks():
        for k, i in enumerate(range(0, n - BLOCK - AHEAD, BLOCK)):
            j = i + AHEAD  # the player hands this block over now, at the gain it reads
            g = float(shared.floats[pr.GAIN])
            played[j : j + BLOCK] = full[j : j + BLOCK] * g
            shared.log[k % pr.LOG_ROWS] = (j, BLOCK if j < reply.size else 0, BLOCK,
                                           t0 + i / RATE, t0 + j / RATE, 0.0, g, 0.0)  # fmt: skip
            shared.ints[pr.LOG_COUNT] = k + 1
            gains.append((j / RATE, g))
            echo = played[max(0, i - DELAY) : max(0, i - DELAY) + BLOCK] * level
            if echo.size < BLOCK:
                echo = np.zeros(BLOCK)
            near = np.clip(echo + person[i : i + BLOCK] + noise[i : i + BLOCK], -32768, 32767)
            time.sleep(max(0.0, t0 + (i + BLOCK) / RATE - time.monotonic()))  # recorded by now
            yield AudioChunk(near.astype("<i2").tobytes(), RATE, i / RATE)
        time.sleep(1.0)  # the process's last chunks come back

    out = list(proc.stream(chunks(), lambda c: t0 + c.start))
    return shared, gains, out, word_end, t0


def test_its_own_voice_alone_never_mutes_nor_stops_it(echo) -> None:
    proc, stops, _ = echo
    stops.clear()
    _, gains, out, _, _ = _room(proc, None)
    assert stops == []
    assert min(g for _, g in gains) > 0.0, "its voice was muted with nobody talking"
    # every block came back cancelled, in order, in the recognizer's 100 ms chunks
    starts = [c.start for c in out]
    assert starts == sorted(starts) and starts[0] == 0.0
    assert sum(len(c.samples) for c in out) // 2 >= len(gains) * BLOCK - 1600


@pytest.mark.parametrize("acts", [False, True], ids=["no-answer", "acted-on"])
def test_a_stop_over_its_voice_mutes_the_player_from_the_echo_process(echo, acts) -> None:
    proc, stops, acting = echo
    stops.clear()
    acting["on"] = acts
    shared, gains, _, word_end, t0 = _room(proc, 2.4)
    muted = [t for t, g in gains if g == 0.0]
    assert [s[0] for s in stops] == ["stop"], stops
    assert muted, "the player's gain never went to 0"
    # the mute is in the player's memory soon after the word, counted in the reply's own time
    # (fed in real time, so the echo process's lag shows there)
    assert muted[0] - word_end <= budget(0.6), (muted[0], word_end)
    _, start, _, _ = stops[0]
    assert 2.2 <= start - t0 <= word_end + 0.2
    after = [g for t, g in gains if t > muted[0]]
    if acts:  # the assistant cut the rest there: what it says next is heard, ducked
        assert DUCK_GAIN in after[: int(budget(1.0) / 0.02)], after[:60]
    else:  # held muted while the assistant has not acted (the detector would have given it
        # back after ``duck.UNDUCK_S``), and given back once ``HOLD_S`` passed without a word
        held = [g for t, g in gains if muted[0] <= t < muted[0] + 1.0]
        assert set(held) == {0.0}, held
        assert time.monotonic() - (t0 + muted[0]) > HOLD_S  # the stream outlasted the hold
        # the microphone goes on after the reply (here: quiet blocks): its first block after
        # the hold gives the voice back (``echoproc._Hold.tick``; before it, only a new
        # word from the detector did, so a reply that ended inside the hold stayed muted)
        quiet, t1 = np.zeros(BLOCK, dtype="<i2").tobytes(), time.monotonic()

        def more():
            for k in range(int(budget(1.0) * RATE / BLOCK)):
                time.sleep(max(0.0, t1 + (k + 1) * BLOCK / RATE - time.monotonic()))
                yield AudioChunk(quiet, RATE, k * BLOCK / RATE)

        list(proc.stream(more(), lambda c: t1 + c.start))
        assert float(shared.floats[pr.GAIN]) > 0.0


def test_a_dead_echo_process_ends_the_stream_with_a_clear_error_and_close_is_quick() -> None:
    proc = EchoProcess("speex")

    def chunks():
        for k in range(1000):
            if k == 10:
                proc._proc.kill()
            time.sleep(0.02)
            yield AudioChunk(bytes(640), RATE, k * 0.02)

    with pytest.raises(AudioDeviceError, match="echo process ended"):
        for _ in proc.stream(chunks(), lambda c: c.start):
            pass
    stream = proc.stream(iter([AudioChunk(bytes(640), RATE, 0.0)] * 5), lambda c: c.start)
    assert isinstance(list(stream), list)  # a new stream starts a new process
    live = proc._proc
    t0 = time.monotonic()
    proc.close()
    assert time.monotonic() - t0 <= CLOSE_WAIT_S + budget(0.5)
    assert live is not None and live.wait(2.0) is not None


def test_the_recognizers_reading_of_a_stop_being_handed_on_is_not_acted_on_again() -> None:
    """The echo process's stop reaches the voice loop on this side's reader thread; the
    recognizer's own reading of the same "stop" came on the listening thread in the same
    millisecond and was acted on too (live: two "stop heard while speaking", two "Okay."s)."""
    import threading

    from voice_repair.live.bargein import BargeIn

    barge = BargeIn(None)
    mine, theirs = [], []
    recognizer_said = Utterance("stop", 10.0, 10.5, 10.5, 0.9, accepted=True)

    def deliver(u: Utterance) -> None:  # the voice loop, while the recognizer hears it too
        mine.append(barge.already_acted(u))
        t = threading.Thread(target=lambda: theirs.append(barge.already_acted(recognizer_said)))
        t.start()
        t.join()

    barge._deliver = deliver
    barge.handed_on("stop", 10.1, 10.4, time.monotonic())
    assert mine == [False]  # its own stop goes through the door
    assert theirs == [True]  # the recognizer's reading of it does not, even meanwhile


@pytest.mark.parametrize("block", [1102, 1024, 441])
def test_the_reference_from_the_players_blocks_is_the_sentence_it_played(block: int) -> None:
    """The player hands 22,050 Hz blocks; laid end to end at 16 kHz they must be the sentence,
    sample for sample, as the assistant lays it (resampled whole): each block resampled on its
    own drifted by up to 3 ms against its echo (error +2.8 dB, the canceller removed 0.4 dB live
    against 2.1-3.3 dB in process)."""
    from voice_repair.audio.echo import PlayedAudio
    from voice_repair.live.echoproc import _Resampler

    x = recording(REPLY, "piper").astype(np.float64)
    x = np.interp(np.arange(0, x.size, RATE / 22050), np.arange(x.size), x).astype(np.int16)
    whole = PlayedAudio.at_rate(x, 22050).astype(np.float64)
    played, resampler = PlayedAudio(), _Resampler(22050)
    for i in range(0, x.size, block):
        samples, first = resampler.block(x[i : i + block])
        played.started(samples, 100.0 + (i + first) / 22050)
    laid = played.window(100.0, whole.size).astype(np.float64)
    err = (laid - whole)[100:-100]
    assert 10 * np.log10(np.mean(err**2) / np.mean(whole**2)) < -15.0


def test_an_error_acting_on_a_stop_reaches_the_stream_and_ends_it() -> None:
    """The voice loop's answer to a stop may raise (its route check: the microphone gone,
    ``audio.route``); in process that error reaches the stream's consumer, which reopens the
    microphone. From the echo process it ended the reader thread instead (live, with the
    microphone unplugged: a traceback on ``echo-read``, and no more audio for the recognizer)."""
    proc = EchoProcess("speex")

    def on_stop(*_stop) -> None:
        raise AudioDeviceError("the microphone stream records 'speaker.monitor'")

    proc.spot(["stop", "stop talking", "be quiet"], on_stop)
    try:
        with pytest.raises(AudioDeviceError, match="records"):
            _room(proc, 2.4)
    finally:
        proc.close()
