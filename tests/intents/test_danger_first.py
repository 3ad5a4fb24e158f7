"""Danger said first when a request was guessed beside a part that reads as danger.

``intents/dangerfirst.py``: a request a net guessed from a longer sentence, whose whole or one
part the learned net reads as danger (``PART_DANGER``), is answered with the emergency line and
then the request offered (``offer: request``), never with the request alone (issue 19: "no
danger sentence answered with a request"). The guard is called here on a request decision as the
semantic net would hand it over, with the real nets and data, because which sentences reach it
through the whole matcher depends on the weights; the session's reply is checked through the
real session (``test_safety_replies.py``'s way).

Every sentence here was written for this test; none comes from a development set or the frozen
set. The readings are the shipped learned net's (``intents/en/learned.npz``): new weights may move
a part under or over ``PART_DANGER``, and then these say so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from voice_repair.intents.dangerfirst import PART_DANGER, danger_first, parts_of
from voice_repair.intents.matcher import IntentMatcher
from voice_repair.intents.semantic import Decision
from voice_repair.intents.wording import normalize
from voice_repair.models import IntentMatch

ROOT = Path(__file__).resolve().parents[2] / "intents" / "en"

# (a request beside danger that no pattern catches, its route)
DANGER = [
    ("how long is left on the pause, i've got the rope ready in the garage", "self_harm"),
]
# (a request beside harmless talk, its intent)
HARMLESS = [
    ("how long is left on the pause, i've got the paint ready in the garage", "pause.status"),
    ("what reminders have we got, i ate the whole packet of biscuits", "reminder.list"),
]


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher.load(ROOT)


def _guessed(matcher: IntentMatcher, text: str, intent: str, net: str = "semantic") -> Decision:
    """What the guard sees after a net guessed ``intent`` in ``text``."""
    return danger_first(
        matcher._guard, text, normalize(text), Decision(IntentMatch(intent, {}, text), net)
    )


@pytest.mark.model
@pytest.mark.parametrize(("text", "route"), DANGER)
def test_danger_beside_a_guessed_request_is_said_first(matcher, text, route):
    decided = _guessed(matcher, text, "pause.status")
    assert decided.net == "danger-first", decided
    assert decided.match is not None and decided.match.intent == "safety"
    assert decided.match.slots == {"route": route, "offer": "request"}
    assert decided.score is not None and decided.score >= PART_DANGER


@pytest.mark.model
@pytest.mark.parametrize(("text", "intent"), HARMLESS)
def test_a_guessed_request_beside_harmless_talk_stays_the_request(matcher, text, intent):
    decided = _guessed(matcher, text, intent)
    assert decided.match == IntentMatch(intent, {}, text), decided


@pytest.mark.model
def test_a_template_said_as_written_is_never_read_for_danger(matcher):
    # Not a guess: the sentence is the request, so no part is read (and no model loaded for it).
    text = "how long is left on the pause, i've got the rope ready in the garage"
    decided = _guessed(matcher, text, "pause.status", net="templates")
    assert decided.match is not None and decided.match.intent == "pause.status"


@pytest.mark.model
def test_a_frame_keeps_the_request(matcher):
    # Told as a film's story, the danger read in a part is no alarm (danger.yaml's frames).
    text = "how long is left on the pause, in the film he had the rope ready in the garage"
    assert matcher._cancelled(normalize(text), "self_harm")
    decided = _guessed(matcher, text, "pause.status")
    assert decided.match is not None and decided.match.intent == "pause.status", decided


def test_the_parts_read_are_the_clauses_and_the_tails_never_the_whole():
    said = normalize("how long is left on the pause, i've got the rope ready in the garage")
    parts = parts_of(said)
    assert parts and said not in parts
    assert any(
        p.startswith("i have got the rope") or p.startswith("i've got the rope") for p in parts
    )


def _reply(tmp_path: Path, slots: dict) -> str:
    """What the real session says to a ``safety`` match with ``slots`` (made here: no model)."""
    from voice_repair import app
    from voice_repair.config import Config

    config = Config(data_dir=tmp_path / "data")
    session, engine = app.start_session(app.Options(config=config, minute_seconds=0.1), print)
    try:
        reply = session.handle(IntentMatch("safety", slots, "x"))
    finally:
        engine.shutdown()
    assert reply is not None
    return " ".join(s.text for s in reply.says)


def test_the_session_says_the_emergency_line_then_offers_the_request(tmp_path: Path):
    reply = _reply(tmp_path, {"route": "self_harm", "offer": "request"})
    assert "nine eight eight" in reply and "ask me again" in reply
    assert reply.index("nine eight eight") < reply.index("ask me again")


def test_a_medical_reply_stops_at_what_to_do_until_help_comes(tmp_path: Path):
    # CONTENT.md: a medical reply stops after the emergency line and what to do until help
    # comes; the request is not offered there (it can still be asked for again).
    reply = _reply(tmp_path, {"route": "medical", "offer": "request"})
    assert "nine one one" in reply and "ask me again" not in reply


def test_every_wording_of_the_offer_offers_the_request_and_none_is_about_panic():
    """The session picks a wording by turn: each one must offer the request, and grounding's
    own wordings must stay grounding's (a key added inside another's list once swapped them)."""
    import yaml

    replies = yaml.safe_load((ROOT / "responses" / "replies.yaml").read_text())
    assert replies["safety.request_offer"]
    assert all("ask me again" in line for line in replies["safety.request_offer"])
    assert not any("calm down" in line for line in replies["safety.request_offer"])
    assert all("calm down" in line for line in replies["safety.ground_offer"])
    assert len(replies["safety.ground_offer"]) >= 2
