"""What someone telling of danger hears: the route that fits first, then the rest; no pause.

Real session, real data and handlers, as in ``voice-repair chat`` (``test_conversation.py``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from saying import answering
from timing import budget

from voice_repair import SOURCE_ROOT, app
from voice_repair.config import Config, ContactsConfig
from voice_repair.live.understanding import MAX_REQUEST_CHARS, MAX_SCANNED_CHARS
from voice_repair.models import Say

# The United States defaults, spoken (contacts.yaml).
EMERGENCY = "nine one one"
CRISIS = "nine eight eight"
DV = "Domestic Violence Hotline"


def _session(tmp_path: Path, contacts: ContactsConfig | None = None):
    heard: list[Say] = []
    config = Config(data_dir=tmp_path / "data", contacts=contacts or ContactsConfig())
    session, engine = app.start_session(
        app.Options(config=config, minute_seconds=0.1), heard.append
    )
    return session, engine, heard


@pytest.fixture
def say(tmp_path: Path):
    """``say(text)`` -> what the assistant answered, as one string ("" for nothing)."""
    with answering(tmp_path) as send:
        yield send


def _order(reply: str, *names: str) -> list[int]:
    for name in names:
        assert name in reply, (name, reply)
    return [reply.index(name) for name in names]


@pytest.mark.parametrize("text", ["I want to end my life", "um okay so I can't go on"])
def test_self_harm_leads_with_the_crisis_line(say, text):
    crisis, emergency, dv = _order(say(text), CRISIS, EMERGENCY, DV)
    assert crisis < emergency and crisis < dv


@pytest.mark.parametrize(
    "text", ["he choked me", "she has a gun", "I'm scared of my husband", "she kicked me"]
)
def test_violence_or_fear_leads_with_emergency_services_and_the_dv_line(say, text):
    emergency, dv, crisis = _order(say(text), EMERGENCY, DV, CRISIS)
    assert emergency < crisis and dv < crisis


@pytest.mark.parametrize("text", ["he's not breathing", "I think I'm having a heart attack"])
def test_medical_leads_with_emergency_services(say, text):
    emergency, dv, crisis = _order(say(text), EMERGENCY, DV, CRISIS)
    assert emergency < dv and emergency < crisis


@pytest.mark.parametrize("text", ["I don't feel safe", "call nine one one", "call the police"])
def test_any_other_danger_leads_with_emergency_services(say, text):
    emergency, dv, crisis = _order(say(text), EMERGENCY, DV, CRISIS)
    assert emergency < dv and emergency < crisis


def test_danger_inside_a_request_starts_no_pause(say):
    reply = say("okay so he hit me, can we take a twenty minute break")
    assert EMERGENCY in reply and "Pausing" not in reply
    assert "twenty minutes" not in say("how much time is left")  # no pause is running


def test_idioms_get_no_answer(say):
    for text in ("the suspense is killing me", "I'd kill for a nap", "I'm dead tired"):
        assert say(text) == ""


def test_every_route_uses_the_configured_numbers(tmp_path: Path):
    contacts = ContactsConfig(
        emergency_number="112",
        crisis_line="Samaritans on 116 123",
        dv_hotline="the national abuse line on 0808 2000 247",
        dv_text="text 07860 077 333",
    )
    session, engine, heard = _session(tmp_path, contacts)
    try:
        for text in ("I want to die", "he hit me", "he's not breathing", "I don't feel safe"):
            before = len(heard)
            session.handle_text(text)
            reply = " ".join(s.text for s in heard[before:])
            assert "one one two" in reply and "Samaritans" in reply, reply
            assert "national abuse line" in reply and EMERGENCY not in reply, reply
    finally:
        engine.shutdown()


DANGER = ("I want to die", "he hit me", "he's not breathing", "I don't feel safe")

# Words of each country's lines (contacts.yaml) that no other country's reply may carry.
US_WORDS = ("nine one one", "nine eight eight", "Domestic Violence Hotline", "START")
GB_WORDS = ("nine nine nine", "Samaritans", "Domestic Abuse Helpline")


def _replies(tmp_path: Path, contacts: ContactsConfig) -> list[str]:
    session, engine, heard = _session(tmp_path, contacts)
    replies = []
    try:
        for text in DANGER:
            before = len(heard)
            session.handle_text(text)
            replies.append(" ".join(s.text for s in heard[before:]))
    finally:
        engine.shutdown()
    return replies


def test_only_112_set_names_112_and_general_advice_never_a_us_line(tmp_path: Path):
    for reply in _replies(tmp_path, ContactsConfig(emergency_number="112")):
        assert "one one two" in reply, reply
        assert not [w for w in US_WORDS if w in reply], reply
        assert "local crisis line" in reply and "local domestic-violence service" in reply


def test_a_country_is_spoken_as_one_set(tmp_path: Path):
    for reply in _replies(tmp_path, ContactsConfig(country="GB")):
        assert "nine nine nine" in reply and "Samaritans" in reply, reply
        assert "Domestic Abuse Helpline" in reply
        assert not [w for w in US_WORDS if w in reply], reply


def test_a_country_without_a_line_gets_general_advice_not_another_countrys(tmp_path: Path):
    for reply in _replies(tmp_path, ContactsConfig(country="CA")):
        assert "nine one one" in reply and "Suicide Crisis Helpline" in reply, reply
        assert "local domestic-violence service" in reply
        assert not [w for w in ("Domestic Violence Hotline", "START", *GB_WORDS) if w in reply]
    for reply in _replies(tmp_path, ContactsConfig(country="EU")):
        assert "one one two" in reply and "local crisis line" in reply, reply
        assert not [w for w in (*US_WORDS, *GB_WORDS) if w in reply], reply


def test_one_line_replaced_keeps_the_rest_of_the_country(tmp_path: Path):
    contacts = ContactsConfig(country="GB", crisis_line="Shout, text 85258")
    for reply in _replies(tmp_path, contacts):
        assert "Shout, text eight five two five eight" in reply and "Samaritans" not in reply
        assert "nine nine nine" in reply and "Domestic Abuse Helpline" in reply
        assert not [w for w in US_WORDS if w in reply], reply


def _chat(tmp_path: Path, lines: bytes) -> subprocess.CompletedProcess[bytes]:
    """``voice-repair chat`` fed ``lines``, as someone typing them would run it."""
    env = {**os.environ, "PYTHONPATH": str(SOURCE_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "voice_repair", "chat", "--data-dir", str(tmp_path / "data")],
        input=lines,
        capture_output=True,
        env=env,
        timeout=budget(60),  # a hang guard
    )


def test_a_long_typed_message_that_tells_of_danger_is_answered(tmp_path: Path):
    """A line too long to be a request is not searched for requests, but still for danger."""
    story = "we argued about money again and the kids were asleep and " * 12
    lines = f"{story}then he hit me\n{story}and we made tea\n".encode()
    done = _chat(tmp_path, lines)
    out = done.stdout.decode()
    assert len(story) > MAX_REQUEST_CHARS
    assert done.returncode == 0
    said, ignored = out.split("\n", 1)
    assert EMERGENCY in said and DV in said
    assert "too long to be a request" in ignored and EMERGENCY not in ignored


# `slow` (`make test` runs it, `make check` not):
# a `chat` fed a megabyte line;
# 3.0 s of CPU in `make check` (2026-12-07, tests/cpuclock.py).
@pytest.mark.slow
def test_a_line_past_what_the_danger_scan_reads_is_answered_at_once_and_says_so(tmp_path: Path):
    """A pasted megabyte is read for danger only as far as ``MAX_SCANNED_CHARS`` (it held the
    chat for 20 s of CPU before): danger told early in it is still answered, the rest is not
    read, and the note says how much was."""
    filler = "and then we talked about the garden for a while " * (MAX_SCANNED_CHARS // 40)
    lines = f"he hit me {filler}\n{filler}then he hit me\nwhat can you do\n".encode()
    done = _chat(tmp_path, lines)
    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    said, unread, menu = out.split("\n", 2)
    assert EMERGENCY in said and DV in said
    assert f"only its first {MAX_SCANNED_CHARS:,} characters were read for danger" in unread
    assert EMERGENCY not in unread and "I need a pause" in menu


@pytest.mark.parametrize("text", ["I can't breathe", "I'm going to pass out"])
def test_breath_and_fainting_lead_with_emergency_services_then_offer_grounding(say, text):
    reply = say(text)
    emergency, dv, crisis = _order(reply, EMERGENCY, DV, CRISIS)
    assert emergency < dv and emergency < crisis
    assert reply.index("calm down") > emergency
    assert "racing heart" not in reply.lower()  # not the breathing exercise on its own


@pytest.mark.parametrize(
    "text",
    [
        "I need help please",
        "I need help right now",
        "Help!",
        "help me",
        "please please can you help us",  # normalize drops the first "please": pleading.py
        "Please, please, can you help me?",
    ],
)
def test_a_plain_call_for_help_leads_with_emergency_services_not_the_menu(say, text):
    reply = say(text)
    emergency, dv, crisis = _order(reply, EMERGENCY, DV, CRISIS)
    assert emergency < dv and emergency < crisis
    assert reply.index("calm down") > emergency


@pytest.mark.parametrize("text", ["can you help us", "please can you help us"])
def test_asking_once_what_it_can_do_for_us_reads_the_menu_not_the_alarm(say, text):
    reply = say(text)
    assert reply.startswith("I can hold a pause")  # the menu, which ends saying how to ask
    assert EMERGENCY not in reply  # for help


@pytest.mark.parametrize(
    "text",
    [
        "she controls all our money",
        "he tracks my phone",
        "he makes me ask permission to go out",
        "he hides my car keys whenever he's angry",
        "I'm not allowed to see my family",
        "I'm so scared right now",
    ],
)
def test_coercive_control_gets_the_safety_reply(say, text):
    emergency, _dv, crisis = _order(say(text), EMERGENCY, DV, CRISIS)
    assert emergency < crisis
