"""Rounds of turns as a couple hears them: the real matcher, response data, handlers and timer
engine (SQLite in a temporary folder), only the clock sped up, as ``--minute`` does.

Whole rounds run at ``--minute 0.05`` (a three-minute turn lasts 0.15 s). The tests that talk
during a round use slower minutes, so a loaded machine cannot end a turn before the request.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from ears import Heard, sessions
from timing import budget, in_time

from voice_repair.config.settings import TurnsConfig
from voice_repair.models import Say

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def round_talk(tmp_path: Path):
    """``start(minute, names=())`` -> (send, heard); ``send(text)`` returns the lines said."""
    with sessions(tmp_path) as start:
        yield lambda minute, names=(): start(minute, turns=TurnsConfig(names=names))[:2]


EVENTS = {"turns.reflect", "turns.switch", "turns.finished"}
"""The round's timer events (what the engine says on its own)."""


def events(heard: Heard) -> list[str]:
    return [s.source for _, s in heard.items if s.source in EVENTS]


def words(says: list[Say]) -> str:
    return " ".join(s.text for s in says)


def test_a_whole_round_on_time(round_talk):
    """Opening, the listener's reminder; at each turn's end a chime and a say-back prompt; the
    swap; after both turns a closing, a validation example and the choice of what next."""
    minute = 0.05
    send, heard = round_talk(minute)
    asked = time.monotonic()  # the round starts after this, and before its words are said
    said = send("let's take turns")
    assert [s.source for s in said] == ["turns.start", "turns.start"]
    assert "three minutes each" in said[0].text
    assert "first speaker" in said[0].text and "second speaker" in said[0].text
    assert "listen" in said[1].text
    answered = heard.items[-1][0]
    t_reflect, reflect = heard.wait_for("turns.reflect", timeout=5)
    t_switch, swap = heard.wait_for("turns.switch", timeout=5)
    t_end, closing = heard.wait_for("turns.finished", timeout=5)
    assert reflect.chime and closing.chime and not swap.chime
    # three minutes, one minute to say back, three minutes, one minute
    on_time = budget(0.5)
    assert t_reflect - asked >= 3 * minute - 0.01 and t_reflect - answered <= 3 * minute + on_time
    assert t_switch - asked >= 4 * minute - 0.01  # from the start: a late say-back moves nothing
    assert t_end - asked >= 8 * minute - 0.01
    sources = [s.source for _, s in heard.items]
    assert sources.count("turns.reflect") == 2  # one say-back after each turn
    assert "second speaker" in swap.text and "first speaker" in swap.text
    finished = [s for _, s in heard.items if s.source == "turns.finished"]
    assert len(finished) == 3  # closing, one validation example, the question
    assert "another round" in finished[2].text and "pause" in finished[2].text
    assert " but " not in finished[1].text
    said = send("we're done")  # right after a round: a warm word, no "no round is running"
    assert said[0].source == "turns.stop" and "round" not in said[0].text


def test_names_from_the_settings_say_who_begins(round_talk):
    send, heard = round_talk(0.05, names=("Sam", "Alex"))
    said = send("give us two minutes each")
    assert "two minutes" in said[0].text
    assert said[0].text.index("Sam") < said[0].text.index("Alex")  # Sam begins
    _, swap = heard.wait_for("turns.switch", timeout=5)
    assert swap.text.index("Alex") < swap.text.index("Sam")  # then Alex speaks, Sam listens


def test_lengths_are_read_back_and_out_of_range_is_refused(round_talk):
    send, _ = round_talk(1.0)
    said = send("give us twenty minutes each")
    assert said[0].source == "turns.start" and "20 minutes" in said[0].text
    assert "one to fifteen minutes" in said[0].text
    said = send("can we each have five minutes to talk")
    assert "five minutes each" in said[0].text or "five minutes" in said[0].text
    said = send("let's take turns")  # one round at a time
    assert "already" in said[0].text


def test_switch_next_and_time_left_move_the_round_on_request(round_talk):
    send, heard = round_talk(1.0)  # nothing in this test waits for time to pass
    send("let's take turns")
    said = send("how much time is left")
    assert said[0].source == "pause.status" and "this turn" in said[0].text.lower()
    assert "three minutes" in said[0].text
    said = send("switch")  # the first turn ends now: the say-back prompt
    assert said[0].chime and "heard" in words(said)
    said = send("how much time is left")
    assert "say back" in said[0].text and "minute" in said[0].text
    said = send("next")  # the swap, at once
    assert "second speaker" in said[0].text and "listen" in words(said)
    said = send("switch")
    assert said[0].chime and "first speaker" in said[0].text  # now the first one says back
    said = send("next")  # the round is done
    assert len(said) == 3 and "another round" in said[2].text
    said = send("another round")  # right after a round: the next one starts
    assert said[0].source == "turns.again" and "three minutes" in said[0].text
    said = send("we're done")
    assert said[0].source == "turns.stop" and "round" in said[0].text
    assert send("switch") == []  # no round now: everyday words, nothing said
    assert events(heard) == []  # no timer event


def test_more_time_adds_a_minute_to_the_turn(round_talk):
    # "More time" within the first 0.4 minute of the turn, so that about three minutes are left.
    def script(send, *_):
        asked = time.monotonic()
        send("give us two minutes each")
        return asked, send("I need more time")

    send, heard, minute, (asked, said) = in_time(round_talk, 0.2, 0.4, script)
    assert said[0].source == "pause.extend" and "one minute" in said[0].text
    assert "three minutes" in said[0].text  # about three minutes left now
    t_reflect, _ = heard.wait_for("turns.reflect", timeout=3 * minute + 10)
    assert t_reflect - asked >= 3 * minute - 0.01  # two minutes and the added one
    said = send("I need fifteen more minutes")
    assert "fifteen minutes" in said[0].text  # too long for a turn: refused


def test_stop_and_were_done_end_the_round(round_talk):
    # All of it within the first turn's three minutes (a minute lasts 0.1 s, or more).
    def script(send, *_):
        send("let's take turns")
        stopped = send("stop")
        again = send("another round")
        send("let's take turns")
        return stopped, again, send("we're done")

    send, heard, minute, (said, again, done) = in_time(round_talk, 0.1, 3, script)
    assert said[0].source == "control.stop" and "round" in said[0].text
    assert again == []  # only right after a round's closing question
    assert "round is over" in done[0].text or "stop the round" in done[0].text
    time.sleep(4 * minute)  # past the first turn's end: nothing more is said
    assert events(heard) == []
    assert send("we're done") == []  # the end of a meal, not a request


def test_a_pause_during_a_round_ends_it_and_starts_the_pause(round_talk):
    def script(send, *_):
        send("let's take turns")
        return send("I need a pause"), send("how much time is left")

    send, heard, minute, (said, status) = in_time(round_talk, 0.1, 3, script)
    assert [s.source for s in said] == ["pause.start", "pause.start"]
    assert "round" in said[0].text and "twenty minutes" in said[1].text
    assert "pause" in status[0].text
    time.sleep(4 * minute)
    assert events(heard) == []
    send("let's take turns")  # back from the pause: a round replaces it
    assert "turn" in send("how much time is left")[0].text


def test_safety_outranks_the_round_and_ends_it(round_talk):
    def script(send, *_):
        send("let's take turns")
        return send("okay so yesterday he hit me, can we switch")

    _, heard, minute, said = in_time(round_talk, 0.1, 3, script)
    assert [s.source for s in said] == ["safety", "safety"]
    assert "stopped the timer" in said[1].text  # the one line that says the round is over
    time.sleep(4 * minute)
    assert events(heard) == []


def test_outside_a_round_the_words_keep_their_meaning(round_talk):
    send, _ = round_talk(1.0)
    assert send("next one")[0].source == "control.next"
    assert "no pause" in send("I need more time")[0].text.lower()
    send("I need ten minutes")
    said = send("I need five more minutes")  # extends the pause, not a turn
    assert "five minutes" in said[0].text and "pause" in said[0].text
    # Words that are round requests only during a round or right after one: everyday talk now
    # (a card game, the end of a meal, a bar), so nothing is said.
    for talk in ("switch", "your turn", "it's my turn", "we're done", "another round"):
        assert send(talk) == [], talk


def test_chat_json_shows_a_whole_round_with_its_event_sources(tmp_path):
    """``voice-repair chat --json --minute 0.05``: one line per spoken output, the round's timer
    events named ``turns.reflect``, ``turns.switch`` and ``turns.finished``."""
    args = ["chat", "--json", "--minute", "0.05", "--data-dir", str(tmp_path)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "voice_repair", *args],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    watchdog = threading.Timer(60, proc.kill)  # a hung child fails the test, never hangs it
    watchdog.start()
    try:
        proc.stdin.write("let's take turns\n")
        proc.stdin.flush()
        lines = []
        for raw in proc.stdout:
            lines.append(json.loads(raw))
            if lines[-1]["source"] == "turns.finished" and "another round" in lines[-1]["text"]:
                break
        chimed = [line["source"] for line in lines if line.get("chime")]
        assert chimed == ["turns.reflect", "turns.reflect", "turns.finished"]
        sources = [line["source"] for line in lines]
        assert sources[:2] == ["turns.start", "turns.start"]
        assert sources.count("turns.switch") == 2  # the swap and the listener's reminder
    finally:
        watchdog.cancel()
        proc.stdin.close()
        proc.wait(10)
        proc.stdout.close()
