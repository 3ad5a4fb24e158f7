"""``bench lowokinds``' replay of other thresholds (``sweep``): what a user would have heard had
the learned net's request thresholds been higher, from one run at low thresholds.

A learned decision below its threshold is silence (the learned net runs last, only over
nothing), and a sentence that asks is held to ``asked``, a statement to ``stated``. Rows are
made up here: the replay is a pure function of them.
"""

from __future__ import annotations

from bench.lowokinds import sweep


def _row(writer: str, what: str, kind: str, net: str, score: float | None, asks: bool) -> dict:
    return {"writer": writer, "what": what, "kind": kind, "net": net, "score": score, "asks": asks}


ROWS = [
    _row("a", "request", "right", "learned", 0.85, True),
    _row("a", "request", "right", "learned", 0.95, False),
    _row("a", "request", "wrong intent", "learned", 0.6, True),
    _row("a", "request", "right", "templates", None, False),
    _row("a", "everyday", "answered", "learned", 0.92, False),
    _row("a", "everyday", "answered", "semantic", 0.8, False),
    _row("b", "request", "silence", "-", None, True),
]


def test_a_learned_answer_below_its_threshold_becomes_silence():
    got = sweep(ROWS, asked=0.9, stated=0.93)
    assert got["a"]["request", "right"] == 2  # the template's and the statement at 0.95
    assert got["a"]["request", "silence"] == 2  # the ask at 0.85 and the wrong one at 0.6
    assert got["a"]["request", "wrong intent"] == 0
    assert got["a"]["everyday", "answered"] == 1  # the semantic net's stays: not the learned


def test_asks_and_statements_have_their_own_threshold():
    got = sweep(ROWS, asked=0.5, stated=0.99)
    assert got["a"]["request", "right"] == 2  # the ask at 0.85 and the template's
    assert got["a"]["request", "wrong intent"] == 1
    assert got["a"]["everyday", "answered"] == 1
    assert got["b"]["request", "silence"] == 1
