""" "stop" silences a ringing pause, never an end nobody heard yet.

Bench chaos seed 130 (2026-12-07, load average 29-36): "stop" was sent 9 ms before a pause's
end was due and taken up 99 ms after it, while the ticker was still saying the pause's nudge;
the pause counted as ringing (its deadline had passed), so "stop" ended it and its end was never
said. Real engine and SQLite store; the ticker is held inside the nudge's words (``on_event``
waits) the way a busy machine holds it.
"""

from __future__ import annotations

import threading
import time

from voice_repair.models import StartPause, StopAlarm, TimerEvent
from voice_repair.timers.engine import TimerEngine, TimerSettings

MIN = 0.2
"""Real seconds per assistant minute: the nudge at 0.2 s, the end at 0.4 s."""


class HeldSpeaker:
    """Takes events as the app would; holds the ticker inside the first one until released."""

    def __init__(self) -> None:
        self.heard: list[str] = []
        self.first = threading.Event()
        self.release = threading.Event()
        self.got = threading.Condition()

    def __call__(self, event: TimerEvent) -> None:
        with self.got:
            self.heard.append(event.kind)
            self.got.notify_all()
        self.first.set()
        assert self.release.wait(30), "never released"

    def wait_for(self, kind: str, timeout: float) -> bool:
        with self.got:
            return self.got.wait_for(lambda: kind in self.heard, timeout)


def test_stop_after_the_deadline_before_the_end_was_said_keeps_the_end(tmp_path):
    speaker = HeldSpeaker()
    engine = TimerEngine(tmp_path, TimerSettings(MIN, nudges_at=(0.5,)), speaker)
    engine.start()
    try:
        engine.apply(StartPause(2))
        assert speaker.first.wait(30) and speaker.heard == ["pause.nudge"]
        status = engine.pause_status()
        while status is not None and not status.ringing:  # the deadline passes, held
            time.sleep(0.02)
            status = engine.pause_status()
        engine.apply(StopAlarm())  # "stop", over the nudge's words
        speaker.release.set()
        assert speaker.wait_for("pause.finished", 30), speaker.heard
    finally:
        speaker.release.set()
        engine.shutdown()
    assert speaker.heard[:2] == ["pause.nudge", "pause.finished"]


def test_stop_once_the_end_was_said_silences_the_invitations(tmp_path):
    """What "stop" is for: the end said, its repeats (3 s apart here) are not."""
    speaker = HeldSpeaker()
    speaker.release.set()
    settings = TimerSettings(MIN, nudges_at=(), repeat_every_minutes=15)
    engine = TimerEngine(tmp_path, settings, speaker)
    engine.start()
    try:
        engine.apply(StartPause(1))
        assert speaker.wait_for("pause.finished", 30), speaker.heard
        engine.apply(StopAlarm())
        assert engine.pause_status() is None
        time.sleep(settings.seconds(15) + 1.0)  # past the first repeat's time
    finally:
        engine.shutdown()
    assert speaker.heard == ["pause.finished"]
