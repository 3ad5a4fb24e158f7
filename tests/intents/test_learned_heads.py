"""The learned net's danger head (``learned.DangerHead``, thirteenth session): a weights file may
read danger from a second weight set trained apart from the requests. These tests check what a
user would meet: a file with a head is stored and checked like the one-head file; its danger
readings (the alarm, its route) come from the head while the requests stay the request net's; a
damaged head is refused by name with the fix, and the assistant goes on without the net.

The sentences were written for these tests; none comes from a development or frozen set.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from voice_repair.errors import ModelError
from voice_repair.intents.learned import (
    WEIGHTS_FILE,
    DangerHead,
    LearnedNet,
    Weights,
    load_weights,
    read,
    readings,
    save_weights,
    status,
)
from voice_repair.intents.matcher import IntentMatcher

ROOT = Path(__file__).resolve().parents[2] / "intents" / "en"

pytestmark = pytest.mark.model

DANGER = "he has a knife and he says he will use it on me tonight"
REQUEST = "we both need some quiet time away from each other for half an hour"


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher.load(ROOT)


def _vector(matcher: IntentMatcher, text: str) -> np.ndarray:
    assert matcher.semantic is not None
    vector = matcher.semantic.vector(text)
    assert vector is not None
    return vector


def _one_head() -> Weights:
    """The shipped weights read as a one-head file (the request net reads danger too): the
    shipped file may carry its own head (``bench learned -- --write --danger-head``)."""
    return replace(load_weights(ROOT), danger_head=None)


def _with(matcher: IntentMatcher, root: Path) -> IntentMatcher:
    other = copy.copy(matcher)
    other.learned = LearnedNet(root)
    return other


def test_a_head_file_is_stored_checked_and_read_back(tmp_path):
    shipped = _one_head()
    head = DangerHead(shipped.classes, shipped.w * 0.5, shipped.b)
    save_weights(tmp_path, replace(shipped, danger_head=head))
    back = load_weights(tmp_path)
    assert back.danger_head is not None
    assert back.danger_head.classes == shipped.classes
    assert np.array_equal(back.danger_head.w, head.w)
    assert status(tmp_path)[0]


def test_danger_comes_from_the_head_and_requests_from_the_request_net(matcher):
    shipped = _one_head()
    x = np.stack([_vector(matcher, DANGER), _vector(matcher, REQUEST)])
    alone = readings(shipped, x)
    # a head that is the same net reads exactly as the one-head file
    same = replace(shipped, danger_head=DangerHead(shipped.classes, shipped.w, shipped.b))
    assert readings(same, x) == alone
    # a head that never reads danger (its "none" always wins) takes the alarm away, and only it
    never = np.zeros_like(shipped.b)
    never[shipped.classes.index("none")] = 50.0
    quiet = replace(shipped, danger_head=DangerHead(shipped.classes, 0 * shipped.w, never))
    got = readings(quiet, x)
    assert alone[0].danger >= shipped.danger and got[0].danger < 1e-6
    assert [(r.intent, r.score) for r in got] == [(r.intent, r.score) for r in alone]


def test_the_route_is_the_heads_and_the_request_still_the_request_nets(matcher, tmp_path):
    shipped = _one_head()
    vector = _vector(matcher, DANGER)
    route = read(shipped, vector).route
    other = "medical" if route != "medical" else "violence"
    # the head: the shipped net with two routes' rows swapped (the same danger, another route)
    i, j = shipped.classes.index(f"safety:{route}"), shipped.classes.index(f"safety:{other}")
    order = list(range(len(shipped.classes)))
    order[i], order[j] = j, i
    head = DangerHead(shipped.classes, shipped.w[order], shipped.b[order])
    save_weights(tmp_path, replace(shipped, danger_head=head))
    swapped = read(load_weights(tmp_path), vector)
    assert swapped.route == other
    assert swapped.danger == pytest.approx(read(shipped, vector).danger)
    # and the request net still decides the request no other net understands
    decided = _with(matcher, tmp_path).explain(REQUEST)
    assert decided.net == "learned"
    assert decided.match is not None and decided.match.intent == "pause.start"


def test_a_damaged_head_is_refused_with_the_fix(matcher, tmp_path):
    shipped = _one_head()
    bad = DangerHead(("none", "safety:general"), np.zeros((2, 100), np.float32), np.zeros(2))
    save_weights(tmp_path, replace(shipped, danger_head=bad))
    with pytest.raises(ModelError, match=r"wrong shape.*bench learned"):
        load_weights(tmp_path)
    fine, line = status(tmp_path)
    assert not fine and str(tmp_path / WEIGHTS_FILE) in line
    alone = _with(matcher, tmp_path)
    assert alone.match("can we take a break") is not None  # the templates go on
    assert alone.match(REQUEST) is None  # the learned net's request: silence, no crash
    assert "wrong shape" in (alone.learned.problem or "")


def test_a_head_without_a_danger_class_is_refused(tmp_path):
    shipped = _one_head()
    head = DangerHead(("none", "pause.start"), np.zeros((2, 384), np.float32), np.zeros(2))
    save_weights(tmp_path, replace(shipped, danger_head=head))
    with pytest.raises(ModelError, match="no danger class"):
        load_weights(tmp_path)
