"""A danger pattern's hit in a doubting sentence needs the learned net's agreement (issue 19,
fourteenth session, ``voice_repair/intents/dangerdoubt.py``).

The patterns' false alarms on writers they were not written from were long ago and over, a
joke, the news, a film or a game, a sport or work, a threat over something trivial. The
sentences here are this file's own, in those kinds, never copied from any set: each one is hit
by a pattern and holds a doubt word (checked first, so a test cannot pass because a pattern no
longer fires). Real danger said beside the same words must keep its alarm, and so must every
doubting hit when the learned net cannot read (the product without the net behaves as before).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from voice_repair.intents import dangerdoubt
from voice_repair.intents.matcher import IntentMatcher
from voice_repair.intents.wording import normalize

ROOT = Path(__file__).resolve().parents[2] / "intents" / "en"


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher.load(ROOT)


# Harmless, hit by a pattern, holding a doubt word: the net reads them far from danger.
QUIET = [
    "years ago she tried to kill herself but she's had help and she's doing great",
    "my cousin had a seizure at college once, it scared everyone",
    "my coworker is going to kill me when she sees the spreadsheet",
]

# Danger said beside a doubt word ("football", "the gym" with "now"), or where one is
# ("at work" is not a doubt word: a threat is told at work as often as anywhere).
DANGER = [
    ("he punched me after the football match and i'm scared to go home", "violence"),
    ("i'm at work and my ex is outside with a knife", "violence"),
    ("he said he'd kill me if i told anyone at work", "violence"),
    ("last year I fainted at the gym, and now he hits me", "violence"),
]


def _hit_and_doubted(matcher: IntentMatcher, text: str) -> tuple[str | None, bool]:
    scan, said = matcher._danger, normalize(text)
    assert scan is not None
    return scan.route(said), scan.doubted(said)


@pytest.mark.model
@pytest.mark.parametrize("text", QUIET)
def test_a_doubting_hit_the_net_reads_as_harmless_raises_no_alarm(matcher, text):
    route, doubted = _hit_and_doubted(matcher, text)
    assert route is not None, "no pattern fires on this any more: write a sentence one does"
    assert doubted, "no doubt word found: the test no longer tests the rule"
    found = matcher.match(text)
    assert found is None or found.intent != "safety", found


@pytest.mark.model
@pytest.mark.parametrize(("text", "route"), DANGER)
def test_danger_said_beside_a_doubt_word_keeps_its_alarm(matcher, text, route):
    found = matcher.match(text)
    assert found is not None and (found.intent, found.slots.get("route")) == ("safety", route)


def test_words_of_now_lift_the_doubt(matcher):
    scan = matcher._danger
    assert scan is not None
    assert scan.doubted(normalize("a few years ago he hit me"))
    assert not scan.doubted(normalize("a few years ago he hit me and now he does it again"))
    assert not scan.doubted(normalize("he hit me at the gym right now"))
    assert not scan.doubted(normalize("he hit me"))


def test_without_the_learned_net_a_doubting_hit_still_raises_the_alarm(matcher):
    """When the net cannot read (not installed, a sentence too long), the hit stands: missing
    danger is the worst failure, so a doubt never falls to silence by itself."""
    text = QUIET[0]
    scan = matcher._danger
    assert scan is not None and scan.doubted(normalize(text))
    assert dangerdoubt.stands(scan, normalize(text), lambda said: None)
    learned, matcher.learned = matcher.learned, None
    try:
        found = matcher.danger(text)
    finally:
        matcher.learned = learned
    assert found is not None and found.slots.get("route") == "self_harm"


def test_a_hit_without_a_doubt_word_never_asks_the_net(matcher):
    said = normalize("he has a knife and he is coming for me")
    asked: list[str] = []
    assert dangerdoubt.stands(matcher._danger, said, lambda s: asked.append(s) or 0.0)
    assert asked == []
