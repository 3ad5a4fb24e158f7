"""The speech cache and the speaker's early start: a fixed reply's first sound needs no rendering
once warmed, and a long reply starts before all of it is rendered. Real espeak-ng renders every
sentence; the player is a recorder (what reaches the sound card is tests/audio's job)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from voice_repair.content.loader import load_content
from voice_repair.errors import VoiceRepairError
from voice_repair.models import Say
from voice_repair.service.resilience import ChimeFallbackTTS
from voice_repair.speech.cache import UNKNOWN, CachedTTS
from voice_repair.speech.engines import EspeakTTS
from voice_repair.speech.speaker import Speaker, opening_sentences

ROOT = Path(__file__).resolve().parents[2]


class Recording:
    """Wraps the real espeak-ng engine; remembers what it was asked to render, and can be held
    on one sentence (to see what the speaker does meanwhile) or fail on it."""

    name = "espeak"

    def __init__(self, rate_wpm: int = 150) -> None:
        self.real = EspeakTTS(rate_wpm)
        self.rendered: list[str] = []
        self.hold: dict[str, threading.Event] = {}
        self.fail: set[str] = set()

    @property
    def cache_id(self) -> str:
        return self.real.cache_id

    def render(self, text: str) -> tuple[np.ndarray, int]:
        if text in self.hold:
            self.hold[text].wait(30)
        self.rendered.append(text)
        if text in self.fail:
            raise VoiceRepairError("engine failed")
        return self.real.render(text)


class Player:
    """Records each piece played, at once."""

    sample_rate = 22050

    def __init__(self) -> None:
        self.played: list[np.ndarray] = []
        self.first = threading.Event()

    def play(self, samples: np.ndarray, sample_rate: int, cancel=None) -> bool:
        self.played.append(samples)
        self.first.set()
        return True

    def interrupt(self) -> None:
        pass


def test_a_sentence_said_again_is_the_same_sound_without_rendering() -> None:
    engine = Recording()
    cache = CachedTTS(engine)
    first, rate = cache.render("Okay, ending the pause.")
    again, rate_again = cache.render("Okay, ending the pause.")
    assert engine.rendered == ["Okay, ending the pause."]
    assert rate == rate_again and np.array_equal(first, again) and first.size > rate // 2
    assert cache.render("Stopped.")[0].size != first.size  # other words: rendered, not reused
    assert engine.rendered == ["Okay, ending the pause.", "Stopped."]


def test_another_speaking_rate_is_rendered_anew_not_taken_from_the_cache() -> None:
    """A stand-in engine whose sentence lasts as long as its rate says (espeak-ng through
    pyttsx3 applies a changed rate one phrase late, which would blur what this test shows)."""

    class Paced:
        name = "paced"
        rate_wpm = 150

        @property
        def cache_id(self) -> str:
            return f"paced rate={self.rate_wpm}"

        def render(self, text: str) -> tuple[np.ndarray, int]:
            seconds = len(text.split()) * 60 / self.rate_wpm
            return np.full(round(seconds * 16000), 1000, dtype=np.int16), 16000

    engine = Paced()
    cache = CachedTTS(engine)
    calm, _ = cache.render("Let your shoulders drop, and breathe out slowly.")
    engine.rate_wpm = 300
    fast, _ = cache.render("Let your shoulders drop, and breathe out slowly.")
    assert fast.size * 2 == calm.size  # the faster voice, not the calm one kept
    engine.rate_wpm = 150
    assert cache.render("Let your shoulders drop, and breathe out slowly.")[0] is calm


def test_the_voice_is_part_of_the_key() -> None:
    assert EspeakTTS(150).cache_id != EspeakTTS(200).cache_id
    assert EspeakTTS(150).cache_id == EspeakTTS(150).cache_id


def test_a_voice_without_an_identity_is_never_cached() -> None:
    """A home Wyoming server's voice may change behind our back: every line goes to it."""

    class Remote:
        name = "wyoming"
        calls = 0

        def render(self, text: str) -> tuple[np.ndarray, int]:
            Remote.calls += 1
            return np.ones(100, dtype=np.int16), 16000

    cache = CachedTTS(Remote())
    cache.render("Stopped.")
    cache.render("Stopped.")
    assert Remote.calls == 2


def test_a_failed_rendering_is_not_kept_and_the_line_renders_when_the_engine_works_again() -> None:
    engine = Recording()
    engine.fail.add("Stopped.")
    voice = ChimeFallbackTTS(CachedTTS(engine))  # the order run_voice uses
    chimed, _ = voice.render("Stopped.")
    engine.fail.clear()
    spoken, _ = voice.render("Stopped.")
    assert engine.rendered == ["Stopped.", "Stopped."]
    assert not np.array_equal(chimed, spoken)


def test_the_cache_holds_at_most_its_size_and_drops_the_least_recently_said() -> None:
    engine = Recording()
    one = engine.real.render("Stopped.")[0].nbytes
    cache = CachedTTS(engine, max_bytes=int(one * 2.5))
    cache.render("Stopped.")
    cache.render("Okay.")
    cache.render("Stopped.")  # said again: now the most recent
    cache.render("All right.")
    assert cache.cached_bytes <= int(one * 2.5)
    assert cache.cached("Stopped.") and not cache.cached("Okay.")


def test_warming_waits_until_the_speaker_is_idle_then_renders_ahead() -> None:
    engine = Recording()
    cache = CachedTTS(engine)
    idle = threading.Event()
    thread = cache.warm(["Okay, ending the pause.", "Stopped."], idle=idle.is_set)
    thread.join(0.6)
    assert engine.rendered == []  # the speaker was busy: nothing rendered meanwhile
    idle.set()
    thread.join(30)
    assert not thread.is_alive()
    assert engine.rendered == ["Okay, ending the pause.", "Stopped."]
    cache.render("Stopped.")
    assert cache.hits == 1 and len(engine.rendered) == 2


def test_warmed_fixed_replies_start_without_rendering_their_first_sentence() -> None:
    """What run does at start-up: the content's fixed lines rendered ahead; a reply said
    afterwards plays its first sentence from the cache (the second renders as it plays)."""
    content = load_content(ROOT / "intents" / "en")
    warm = opening_sentences(content.every_line(UNKNOWN), UNKNOWN)
    reply = content.line("pause.ended_intro", 0)  # "Okay, ending the pause."
    status = content.line("pause.none", 0)  # two sentences, the second quoting a request
    assert reply in warm and status.split(". ")[0] + "." in warm
    assert not any(UNKNOWN in s or "{" in s for s in warm)
    assert not any(s.startswith("Pausing for") for s in warm)  # a value: left to first use

    engine = Recording()
    cache = CachedTTS(engine)
    cache.warm([reply, status.split(". ")[0] + "."]).join(60)
    engine.rendered.clear()
    player = Player()
    speaker = Speaker(cache, player)
    try:
        speaker.say(Say(f"{reply} {status}", source="test"))
        assert speaker.wait_idle(60)
    finally:
        speaker.close()
    assert reply not in engine.rendered and status.split(". ")[0] + "." not in engine.rendered
    assert len(player.played) == 3 and engine.rendered == [status.split(". ", 1)[1]]


def test_a_long_reply_starts_before_the_rest_of_it_is_rendered() -> None:
    engine = Recording()
    engine.hold["Then notice your feet on the floor."] = threading.Event()
    player = Player()
    speaker = Speaker(engine, player)
    try:
        speaker.say(Say("Breathe in slowly. Then notice your feet on the floor.", source="test"))
        assert player.first.wait(30)  # the first sentence plays ...
        assert "Then notice your feet on the floor." not in engine.rendered  # ... the second waits
        engine.hold["Then notice your feet on the floor."].set()
        assert speaker.wait_idle(30)
    finally:
        speaker.close()
    assert len(player.played) == 2


@pytest.mark.parametrize("size", [-1])
def test_a_negative_cache_size_is_explained(size: int) -> None:
    with pytest.raises(ValueError, match="negative"):
        CachedTTS(Recording(), max_bytes=size)


FIXED_ANSWERS = [
    *["I need a pause", "we're ready to talk"] * 3,  # the variants, of the default length
    "stop", "help me calm down", "what can you do", "read me a validation example",
    "give me a repair idea", "help me own my part", "we need more help", "I don't feel safe",
]  # fmt: skip
"""Requests whose answers start with words known before anyone asks."""


def test_the_answers_to_everyday_requests_start_with_sentences_rendered_ahead(tmp_path) -> None:
    """Through the real session: what ``run`` renders at start-up covers the opening of each
    answer (a pause of the default length included), so its first audio is a lookup."""
    from voice_repair import app
    from voice_repair.config import Config

    said: list[Say] = []
    options = app.Options(config=Config(data_dir=tmp_path / "data"), minute_seconds=60.0)
    session, engine = app.start_session(options, said.append)
    try:
        ahead = set(opening_sentences(session.foreseeable_lines(UNKNOWN), UNKNOWN))
        missing = []
        for text in FIXED_ANSWERS:
            before = len(said)
            session.handle_text(text)
            assert len(said) > before, f"nothing said for {text!r}"
            opening = opening_sentences([said[before].text], UNKNOWN)
            missing += [(text, s) for s in opening if s not in ahead]
    finally:
        engine.shutdown()
    assert not missing


def test_fixed_sentences_rendered_once_are_found_again_after_a_restart(tmp_path) -> None:
    engine = Recording()
    CachedTTS(engine, folder=tmp_path).warm(["Okay, ending the pause.", "Stopped."]).join(60)
    first = CachedTTS(engine, folder=tmp_path)
    assert engine.rendered == ["Okay, ending the pause.", "Stopped."]

    again = Recording()  # a new start: a new engine, a new cache, the same folder
    cache = CachedTTS(again, folder=tmp_path)
    cache.warm(["Okay, ending the pause.", "Stopped."]).join(60)
    samples, rate = cache.render("Stopped.")
    assert again.rendered == []  # nothing rendered again
    assert rate == again.real.render("Stopped.")[1]
    assert np.array_equal(samples, first.render("Stopped.")[0])
    assert cache.cached_bytes == 0  # mapped from the file, not copied into our own memory


def test_only_foreseen_lines_reach_the_disk_and_another_voice_replaces_them(tmp_path) -> None:
    engine = Recording()
    cache = CachedTTS(engine, folder=tmp_path)
    cache.warm(["Stopped."]).join(60)
    cache.render("Pausing for twenty three minutes.")  # a value from a request: memory only
    files = sorted(tmp_path.rglob("*.npy"))
    assert len(files) == 1
    assert cache.cached("Pausing for twenty three minutes.")

    engine.real.rate_wpm = 200  # another voice: its own folder, the old one removed
    cache.warm(["Stopped."]).join(60)
    now = sorted(tmp_path.rglob("*.npy"))
    assert len(now) == 1 and now[0].parent != files[0].parent and not files[0].exists()


def test_a_torn_file_or_an_unwritable_folder_only_costs_a_rendering(tmp_path) -> None:
    engine = Recording()
    CachedTTS(engine, folder=tmp_path).warm(["Stopped."]).join(60)
    (path,) = tmp_path.rglob("*.npy")
    path.write_bytes(path.read_bytes()[:60])  # cut off mid-write (a power cut)
    cache = CachedTTS(engine, folder=tmp_path)
    assert cache.render("Stopped.")[0].size > 1000 and engine.rendered.count("Stopped.") == 2

    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    cache = CachedTTS(engine, folder=blocked)
    cache.warm(["Okay."]).join(60)
    assert cache.cached("Okay.")  # kept in memory for this run


def test_closing_ends_the_warm_up_before_the_rest_of_it() -> None:
    """At shutdown the warm-up ends and is waited for (a bounded wait): the sentences left are
    not rendered, and no thread is left inside the engine while the interpreter ends."""
    engine = Recording()
    cache = CachedTTS(engine)
    thread = cache.warm([f"Breath number {n}." for n in range(1, 200)])
    deadline = time.monotonic() + 30
    while not engine.rendered and time.monotonic() < deadline:
        time.sleep(0.01)
    assert cache.close()
    assert not thread.is_alive()
    assert len(engine.rendered) < 20, engine.rendered
