"""``recognize --json``'s ``decided_at``: when the decision would be ready had the file been
played in real time, the compute after the end of speech included, for every engine."""

from __future__ import annotations

import json
import os
import time

import numpy as np
import pytest
from testspeech import recording, write_wav
from timing import CpuWait

from voice_repair import cli
from voice_repair.asr.realtime import hear_in_real_time
from voice_repair.audio.wavfile import chunks
from voice_repair.models import AudioChunk, Utterance

SLOW = 0.5
"""Seconds the slow engine below spends on each decision."""


class SlowDecisions:
    """A real recognizer that takes ``SLOW`` seconds longer over each call that decides."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name, self.sample_rate = inner.name, inner.sample_rate
        self.missing_words = inner.missing_words
        self.heard: list[Utterance] = []

    def _slow(self, heard: list[Utterance]) -> list[Utterance]:
        if heard:
            time.sleep(SLOW)
        self.heard += heard
        return heard

    def accept(self, chunk: AudioChunk) -> list[Utterance]:
        return self._slow(self.inner.accept(chunk))

    def flush(self) -> list[Utterance]:
        return self._slow(self.inner.flush())

    def reset(self) -> None:
        self.inner.reset()


@pytest.mark.model
def test_recognize_json_decided_at_includes_the_compute_after_the_endpoint(
    tmp_path, monkeypatch, capsys
):
    speech = recording("i need a pause", "piper")
    audio = np.concatenate([np.zeros(8000), speech, np.zeros(24000)])
    audio += np.random.default_rng(0).normal(0, 20, audio.size)
    wav = write_wav(tmp_path / "pause.wav", np.clip(audio, -32768, 32767).astype(np.int16))
    import voice_repair.live.listen as listen

    real, engines = listen.build_recognizer, []

    def slow_engine(*args, **kwargs):
        engines.append(SlowDecisions(real(*args, **kwargs)))
        return engines[-1]

    monkeypatch.setattr(listen, "build_recognizer", slow_engine)
    with CpuWait(os.getpid()) as cpu:  # this process decodes: its own waits for a CPU
        assert cli.main(["recognize", "--json", "--engine", "pocketsphinx", str(wav)]) == 0
    [row] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    [heard] = engines[0].heard  # what pocketsphinx itself said, with its audio-only time
    assert row["intent"] == "pause.start" and row["end"] == heard.end
    assert heard.decided_at - heard.end >= 0.27  # the endpoint: a short pause after the phrase
    assert row["decided_at"] >= heard.decided_at + SLOW  # ... plus the decision's compute
    # the compute's wall time: 0.6 s at most quiet, plus the waits for a CPU measured over the
    # call (at load 30 it took 23 s, stretched past the 8 times ``lateness`` allows)
    assert row["decided_at"] - row["end"] < 0.27 + SLOW + cpu.allowing(0.6), cpu.waited_most


class Scripted:
    """Decides on the chunks listed, spending ``cost`` clock seconds on every call."""

    name, sample_rate, missing_words = "scripted", 16000, []

    def __init__(self, clock: list[float], cost: float, decide: set[int], at_flush: bool):
        self.clock, self.cost, self.decide, self.at_flush = clock, cost, decide, at_flush
        self.calls = 0

    def _spend(self) -> None:
        self.clock[0] += self.cost

    def accept(self, chunk: AudioChunk) -> list[Utterance]:
        self._spend()
        self.calls += 1
        end = chunk.start
        return [Utterance("x", 0.0, end, end, 1.0, True)] if self.calls in self.decide else []

    def flush(self) -> list[Utterance]:
        self._spend()
        return [Utterance("y", 0.9, 1.0, 1.75, 1.0, True)] if self.at_flush else []

    def reset(self) -> None:
        pass


def test_a_backlog_of_compute_delays_later_decisions_and_flush_waits_for_its_silence():
    clock = [0.0]
    audio = np.zeros(16000)  # ten 0.1 s blocks
    # Each block costs 0.15 s: more than real time, so the backlog grows 0.05 s per block.
    rec = Scripted(clock, 0.15, decide={3, 10}, at_flush=True)
    got = hear_in_real_time(rec, chunks(audio), clock=lambda: clock[0])
    ready = [round(t, 3) for _, t in got]
    assert ready[0] == pytest.approx(0.1 + 3 * 0.15)  # block 1 arrives at 0.1, three calls
    assert ready[1] == pytest.approx(0.1 + 10 * 0.15)
    # Flush: its decision lies 0.75 s into the closing silence, which must arrive first.
    assert ready[2] == pytest.approx(max(1.75, 0.1 + 10 * 0.15) + 0.15)
