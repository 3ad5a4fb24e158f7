"""Replies that open with a value (the time left in a pause, a round's turn length) start from
audio rendered before the request, with the value as it is when they are said, never an older
one. The real session says what it says; real espeak-ng renders; the player is a recorder."""

from __future__ import annotations

import importlib.util
import os
import threading
import time

import numpy as np
import pytest
from speech.test_cache import Player, Recording
from timing import CpuWait

from voice_repair.models import Say
from voice_repair.speech.cache import UNKNOWN, CachedTTS
from voice_repair.speech.foresight import MAX_HELD, Foresight, foresee_by_default
from voice_repair.speech.speaker import Speaker, opening_sentences


@pytest.fixture
def session_at(tmp_path):
    """A real session whose minute lasts ``minute`` real seconds; what it says is collected."""
    from voice_repair import app
    from voice_repair.config import Config

    made = []

    def start(minute: float = 60.0):
        said: list[Say] = []
        options = app.Options(config=Config(data_dir=tmp_path / "data"), minute_seconds=minute)
        session, engine = app.start_session(options, said.append)
        made.append(engine)
        return session, said

    yield start
    for engine in made:
        engine.shutdown()


VALUE_ANSWERS = [
    (None, "let's take turns"),  # "Let's take turns, three minutes each." (the default length)
    ("I need a pause", "how much time is left"),  # "You have about twenty minutes left..."
    ("I need a pause", "I need a pause"),  # "You're already in a pause, with ... left."
    ("I need a pause", "I need more time"),  # "Adding five minutes." (the default)
    (None, "I need ten minutes"),  # "Okay." and "Pausing for ten minutes." (asked for often)
]


@pytest.mark.parametrize(("before", "request_"), VALUE_ANSWERS)
def test_an_answer_that_opens_with_a_value_opens_with_a_sentence_foreseen(
    session_at, before, request_
) -> None:
    session, said = session_at()
    if before:
        session.handle_text(before)
    likely = set(opening_sentences(session.likely_lines(), UNKNOWN))
    mark = len(said)
    session.handle_text(request_)
    assert len(said) > mark, f"nothing said for {request_!r}"
    opening = opening_sentences([said[mark].text], UNKNOWN)
    assert opening and set(opening) <= likely, (opening, sorted(likely))


def test_the_time_left_is_said_as_it_is_now_never_as_it_was_rendered(session_at) -> None:
    """Two real seconds a minute: the time left changes while the foresight holds the old
    sentence; the status heard says the new value, from a fresh look or a fresh rendering."""
    session, said = session_at(minute=2.0)
    session.handle_text("I need a pause")
    engine = Recording()
    voice = CachedTTS(engine)
    player = Player()
    speaker = Speaker(voice, player)
    sight = Foresight(voice, session.likely_lines, lambda: not speaker.speaking, UNKNOWN)
    try:
        sight.look_now()
        foreseen = {t for t in engine.rendered if "left" in t or "to go" in t}
        assert foreseen, engine.rendered  # the time left was rendered ahead
        stale = [voice.render(t)[0] for t in foreseen]  # held in memory, looked up here
        time.sleep(5.0)  # two and a half minutes later: every sentence foreseen is out of date
        mark = len(said)
        session.handle_text("how much time is left")
        first = opening_sentences([said[mark].text], UNKNOWN)[0]
        assert first not in foreseen  # the value changed
        speaker.say(said[mark])
        assert speaker.wait_idle(30)
        assert engine.rendered[-1] == first  # rendered when said, with the value of now
        assert np.array_equal(player.played[0], voice.render(first)[0])
        assert not any(np.array_equal(player.played[0], old) for old in stale)
    finally:
        speaker.close()


def test_a_status_asked_within_the_minute_is_a_lookup(session_at) -> None:
    session, said = session_at(minute=600.0)
    session.handle_text("I need a pause")
    engine = Recording()
    voice = CachedTTS(engine)
    player = Player()
    speaker = Speaker(voice, player)
    try:
        Foresight(voice, session.likely_lines, lambda: not speaker.speaking, UNKNOWN).look_now()
        rendered = len(engine.rendered)
        mark = len(said)
        session.handle_text("how much time is left")
        speaker.say(said[mark])
        assert speaker.wait_idle(30)
        assert engine.rendered[rendered:] == []  # nothing rendered after the request
        first = opening_sentences([said[mark].text], UNKNOWN)[0]
        assert "twenty minutes" in first
        assert first in engine.rendered  # rendered ahead, before the request
        assert np.array_equal(player.played[0], voice.render(first)[0])
    finally:
        speaker.close()


def test_a_long_pause_holds_only_the_latest_values_foreseen() -> None:
    """An hour of "about N minutes to go": at most ``MAX_HELD`` of them stay in memory, the
    newest; the rest are let go."""

    class Quick:
        name = "quick"
        cache_id = "quick"

        def render(self, text: str) -> tuple[np.ndarray, int]:
            return np.full(22050, len(text), dtype=np.int16), 22050

    voice = CachedTTS(Quick())
    minutes = [60]
    sight = Foresight(
        voice, lambda: [f"Your pause has about {minutes[0]} minutes to go."], lambda: True, UNKNOWN
    )
    for n in range(60, 0, -1):
        minutes[0] = n
        sight.look_now()
    held = [n for n in range(1, 61) if voice.cached(f"Your pause has about {n} minutes to go.")]
    assert held == list(range(1, MAX_HELD + 1))
    assert voice.cached_bytes == MAX_HELD * 22050 * 2


def test_the_foresight_thread_renders_while_idle_and_waits_while_speaking() -> None:
    engine = Recording()
    voice = CachedTTS(engine)
    idle = [False]
    lines = ["Your pause has about nine minutes to go."]
    sight = Foresight(voice, lambda: lines, lambda: idle[0], UNKNOWN, period=0.05).start()
    try:
        time.sleep(0.5)
        assert engine.rendered == []  # the speaker is busy: nothing rendered meanwhile
        idle[0] = True
        deadline = time.monotonic() + 30
        while not voice.cached(lines[0]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert voice.cached(lines[0])
    finally:
        sight.stop()


@pytest.mark.parametrize("value", ["yes", "2", "off"])
def test_a_misspelt_switch_says_what_to_write(monkeypatch, value) -> None:
    from voice_repair.errors import ConfigError

    monkeypatch.setenv("VOICE_REPAIR_FORESEE", value)
    with pytest.raises(ConfigError, match=r"use 1 .* or 0"):
        foresee_by_default()


LONG = (
    "You have about nineteen minutes left in your pause so there is time to breathe out "
    "slowly and let your shoulders drop and notice the floor under your feet before you talk."
)
"""Seconds of Piper's work: someone surely starts talking while it renders. No comma: a long
first sentence with a natural pause is rendered ahead only up to it (``speech/clauses.py``)."""


@pytest.mark.model  # Piper's voice, loaded and run here
@pytest.mark.skipif(importlib.util.find_spec("piper") is None, reason="no piper")
def test_someone_talking_stops_the_sentence_rendered_ahead_and_it_is_rendered_after() -> None:
    from voice_repair.speech.engines import PiperTTS
    from voice_repair.speech.turns import GiveWay

    class Watched:
        """Real Piper; counts the renderings ahead that gave way."""

        def __init__(self) -> None:
            self.real = PiperTTS(variation=False)
            self.cache_id = self.real.cache_id
            self.name = "piper"
            self.gave_way = threading.Event()

        def render(self, text: str):
            return self.real.render(text)

        def render_ahead(self, text: str):
            try:
                return self.real.render_ahead(text)
            except GiveWay:
                self.gave_way.set()
                raise

        def give_way(self) -> None:
            self.real.give_way()

    engine = Watched()
    voice = CachedTTS(engine)
    voice.render("Hello.")  # the model's first run is slow; not what is measured
    quiet = [True]
    sight = Foresight(voice, lambda: [LONG], lambda: quiet[0], UNKNOWN, period=0.05).start()
    try:
        deadline = time.monotonic() + 30
        while not sight._rendering.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)  # into the sentence (seconds long)
        quiet[0] = False  # someone starts talking
        assert engine.gave_way.wait(5), "the rendering ahead went on while someone talked"
        assert not voice.cached(LONG)
        quiet[0] = True
        deadline = time.monotonic() + 180
        while not voice.cached(LONG) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert voice.cached(LONG)  # rendered once the room was quiet again
    finally:
        sight.stop()


@pytest.mark.model  # Piper's voice, loaded and run here
@pytest.mark.skipif(importlib.util.find_spec("piper") is None, reason="no piper")
def test_stopping_ends_the_rendering_ahead_at_once() -> None:
    """At shutdown the thread rendering ahead ends, mid-sentence, and is waited for: a thread
    left inside Piper while the interpreter ends could fault; one waited for without a timeout
    could hang the exit."""
    from voice_repair.speech.engines import PiperTTS

    voice = CachedTTS(PiperTTS(variation=False))
    voice.render("Hello.")  # the model's first run is slow; not what is measured
    sight = Foresight(voice, lambda: [LONG], lambda: True, UNKNOWN, period=0.05).start()
    deadline = time.monotonic() + 30
    while not sight._rendering.is_set() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)  # into the sentence (seconds long)
    began = time.monotonic()
    with CpuWait(os.getpid()) as cpu:  # Piper's threads are this process's
        ended = sight.stop()
    took = time.monotonic() - began
    assert ended and not any(t.is_alive() for t in (sight._thread, sight._watch))
    # the sentence was stopped, not finished (seconds of Piper): 1.5 s quiet, stretched by the
    # waits for a CPU measured meanwhile
    assert took < cpu.allowing(1.5), (took, cpu.waited_most)
    assert not voice.cached(LONG)
