"""The danger scan: danger is found anywhere in a sentence, outranks everything, spares idioms.

Runs the real matcher on the real data (``intents/en/danger.yaml`` and the tests files); the
malformed-data tests work on a copy in a temporary folder.
"""

from __future__ import annotations

import ast
import shutil
import time
from pathlib import Path

import pytest
from timing import budget

from voice_repair.datafiles import load_yaml
from voice_repair.intents import danger as intentdanger
from voice_repair.intents.matcher import IntentMatcher, check_intents

ROOT = Path(__file__).resolve().parents[2] / "intents" / "en"


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher.load(ROOT)


# Danger inside sentences that also ask for something else, or say it sideways.
ANYWHERE = [
    ("okay so yesterday he choked me, can we take a break", "violence"),
    ("um I need ten minutes, she has a gun", "violence"),
    ("let's talk again at eight, he threatened me", "violence"),
    ("how do I apologize, I think I'm having a heart attack", "medical"),
    ("give me a repair idea, I want to end my life", "self_harm"),
    ("hey so stop, I can't go on", "self_harm"),
    ("what can you do, call nine one one", "general"),
    ("remind us in an hour, I might hurt myself", "self_harm"),
    ("my sister's husband kicked her last night", "violence"),
    ("I'm afraid he'll hit me again when he gets home", "violence"),
    ("he hit me and now I want to die", "violence"),  # several routes: `order:` decides
    ("you attacked me with a knife", "violence"),
]


@pytest.mark.parametrize(("text", "route"), ANYWHERE)
def test_danger_anywhere_is_safety_alone_with_its_route(matcher, text, route):
    found = matcher.match_all(text)
    assert [(m.intent, m.slots) for m in found] == [("safety", {"route": route})]


# A past, settled frame ends an illness or an accident; it never ends violence or a wish to die.
SETTLED = [
    ("last year I fainted at the gym but I was fine", None),
    ("the baby swallowed a coin once but the doctor said it would pass", None),
    ("last year he broke my arm", "violence"),
    ("a few years ago I wanted to die and I still do", "self_harm"),
    ("last year I fainted at the gym, and now he hits me", "violence"),
]


@pytest.mark.parametrize(("text", "route"), SETTLED)
def test_a_settled_frame_cancels_only_illness_and_accident(matcher, text, route):
    found = matcher.danger(text)
    assert (found.slots["route"] if found else None) == route


# Said on purpose, a medical emergency is self-harm (the crisis line first); by mistake, or done to
# someone by another person, it stays as it was. Someone hurt by a person is violence even when
# the hurt is medical (both lead with the emergency number; violence then the abuse line).
PURPOSE = [
    ("she swallowed all her tablets on purpose", "self_harm"),
    ("he took the whole bottle of pills because of our row", "self_harm"),
    ("my brother is about to overdose, he has the pills out", "self_harm"),
    ("he accidentally took too many of his heart tablets", "medical"),
    ("he poisoned me on purpose", "medical"),
    ("she's kneeling on my neck and I can't breathe", "violence"),
    ("i have his shotgun and i'm going to shoot myself", "self_harm"),
    ("he has a shotgun and he says he'll shoot me", "violence"),
]


@pytest.mark.parametrize(("text", "route"), PURPOSE)
def test_what_was_meant_and_who_did_it_decide_the_route(matcher, text, route):
    found = matcher.danger(text)
    assert found is not None and found.slots["route"] == route


@pytest.mark.parametrize(
    "text",
    [
        "he will not stop " * 40 + "x",
        "he said he would " * 40 + "call",
        "he " * 500 + "x",
        " ".join(["and then we talked about the holidays"] * 30),
    ],
)
def test_a_long_transcript_is_scanned_quickly(matcher, text):
    """No pattern can backtrack for ages on a long ramble (the first draft took minutes).

    Backtracking is work for the CPU in the calling thread, so that thread's CPU time is what is
    measured: the machine's load does not count (at a load average of 13 a 0.05 s scan took
    0.5-3 s of wall time, and the test was red at load 16 with nothing wrong), another thread
    of this worker does not either, and minutes of backtracking still fail it. A first long
    ramble that matches nothing loads what the later checks need (numpy, about 0.15 s of CPU);
    that happens here, before the timed call, with a ramble that is not one of the cases."""
    matcher.match(WARM_RAMBLE)
    wall, cpu = time.perf_counter(), time.thread_time()
    matcher.match(text)
    cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    assert cpu < budget(0.5), f"{cpu:.2f} s of CPU to scan {len(text)} characters ({wall:.2f} s)"


WARM_RAMBLE = " ".join(["we walked the dog after dinner and it rained"] * 25)
"""Long, matching nothing, no danger in it: the first unmatched ramble a matcher sees."""


def test_the_scan_alone_is_a_service_for_whoever_reshapes_transcripts(matcher):
    """Snapping an unknown transcript onto a known sentence must ask this first, on the raw text."""
    found = matcher.danger("so um he kind of choked me yesterday")
    assert found is not None and (found.intent, found.slots) == ("safety", {"route": "violence"})
    assert matcher.danger("I need a break from work this week") is None
    assert matcher.danger("the suspense is killing me") is None


def test_a_safety_template_match_gets_the_catch_all_route(matcher):
    assert matcher.match("I feel scared").slots == {"route": "general"}


def test_the_files_are_big_enough_and_checked():
    safety, _ = load_yaml(ROOT / "tests" / "safety.yaml")
    idioms, _ = load_yaml(ROOT / "tests" / "_idioms.yaml")
    none, _ = load_yaml(ROOT / "tests" / "_none.yaml")
    assert sum(len(t["sentences"]) for t in safety["tests"]) >= 100
    assert len(idioms["sentences"]) >= 40
    assert len(none["sentences"]) >= 200
    # That check_intents runs all three (safety, must-match-nothing) and they pass is
    # tests/test_cli.py's test_check_passes_on_the_shipped_data (`voice-repair check`).


@pytest.mark.model  # both nets: no template knows the idioms, the embedding model decides
def test_idioms_match_nothing(matcher):
    idioms, _ = load_yaml(ROOT / "tests" / "_idioms.yaml")
    assert [t for t in idioms["sentences"] if matcher.match(t)] == []


def test_the_danger_words_are_data_not_code():
    """No danger phrase is written into the scan's code (docstrings may quote examples)."""
    tree = ast.parse(Path(intentdanger.__file__).read_text(encoding="utf-8"))
    docs = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
    strings = [
        n.value.lower()
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs
    ]
    for word in ("choke", "suicid", "gun", "kill", "breath", "police", "hurt"):
        assert not [s for s in strings if word in s], word


@pytest.fixture
def broken(tmp_path: Path, small_intents: Path) -> Path:
    """A copy to break: the small one (``tests/intentcopy.py``)."""
    root = tmp_path / "intents" / "en"
    shutil.copytree(small_intents, root)
    return root


def _replace(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` in a data file; returns its line number."""
    text = path.read_text(encoding="utf-8")
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    return text[:at].count("\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('    - "heart attack"', '    - "(heart attack"', "bad pattern"),
        ("<person><between>", "<nobody><between>", "unknown word <nobody>"),
        ("order: [violence, medical, self_harm, general]", "order: [medical]", "`order:`"),
        ("purpose_route: self_harm", "purpose_route: nowhere", "`purpose:`"),
        ("template_route: general", "template_route: nowhere", "`template_route:`"),
        ('    - "heart attack"', '    - "\\bheart attack"', "control character"),
        ('    - "heart attack"', '    - "(?!.*\\\\bjoke)heart attack"', "looks ahead"),
        ('    - "heart attack"', '    - "stroke|(?=.*\\\\bnow)heart attack"', "looks ahead"),
    ],
)
def test_broken_danger_data_is_a_file_line_problem(broken, old, new, expected):
    line = _replace(broken / "danger.yaml", old, new)
    problems = [str(p) for p in check_intents(broken)]
    where = f"intents/en/danger.yaml:{line}:"
    assert any(p.startswith(where) and expected in p for p in problems), problems


def test_the_feature_menu_is_never_found_inside_a_longer_sentence(matcher):
    """ "Can you help me" alone asks what the speaker does; with words around it, it may be a
    call for help, which the menu must never answer (issue 19): the rest goes to the nets."""
    assert [m.intent for m in matcher.match_all("can you help me")] == ["control.help"]
    for text in ("can you help me with him", "can you help us please we're going through it"):
        assert "control.help" not in [m.intent for m in matcher.match_all(text)], text
    found = matcher.match_all("can you help me get away from her")
    assert [(m.intent, m.slots) for m in found] == [("safety", {"route": "general"})]


def test_an_idiom_the_patterns_know_cancels_the_nets_guess_too():
    """The semantic net is asked only when no pattern fired; an idiom that ``defuse`` blanked
    ("I can't breathe in these jeans") is then what it saw, so it may not raise the alarm."""
    scan, problems = intentdanger.load_danger(ROOT)
    assert problems == [] and scan is not None
    assert scan.cancels("i can't breathe in these jeans", "medical")
    assert scan.cancels("i'm so stuffed i can't breathe", "medical")
    assert not scan.cancels("i can't breathe", "medical")
    assert not scan.cancels("my jeans are on the floor and i can't breathe", "medical")


def test_data_that_passed_before_compiles_each_route_once_and_finds_the_same(monkeypatch):
    """Start-up (``trusted``: this data passed its checks with this code) compiles each route's
    patterns as one expression only, not each alone first: the same scan, a third less work."""
    compiled: list[str] = []
    real = intentdanger._regex

    def counting(pattern: str):
        compiled.append(pattern)
        return real.__wrapped__(pattern)

    monkeypatch.setattr(intentdanger, "_regex", counting)
    checked, problems = intentdanger.load_danger(ROOT)
    assert problems == [] and checked is not None
    each = len(compiled)
    compiled.clear()
    trusted, problems = intentdanger.load_danger(ROOT, trusted=True)
    assert problems == [] and trusted is not None
    assert len(compiled) <= 10 < each  # the routes, drop, defuse, frames, ground, settled, purpose
    assert [(n, p.pattern) for n, p in trusted.routes] == [
        (n, p.pattern) for n, p in checked.routes
    ]
    assert trusted.route("okay so yesterday he choked me") == "violence"


def test_a_bad_pattern_is_still_named_by_its_line_when_the_data_was_trusted(broken):
    line = _replace(broken / "danger.yaml", '    - "heart attack"', '    - "(heart attack"')
    scan, problems = intentdanger.load_danger(broken, trusted=True)
    assert scan is None
    assert any(str(p).startswith(f"intents/en/danger.yaml:{line}:") for p in problems), problems
