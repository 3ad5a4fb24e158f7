"""Every pause length from 1 to 180 minutes, asked for in text mode, is read back correctly.

Walks ``voice-repair chat`` (``app.chat``) with each length, said in digits and in words, and
compares the readback with English written here independently of ``skill/spoken.py``.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from voice_repair import app
from voice_repair.config import Config

_ONES = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
_ONES += ["eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"]
_ONES += ["eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _words(n: int) -> str:
    """1..179 as English words ("seventy three", "one hundred and five")."""
    if n >= 100:
        return "one hundred" + (f" and {_words(n - 100)}" if n > 100 else "")
    if n < 20:
        return _ONES[n - 1]
    tens, ones = divmod(n, 10)
    return _TENS[tens - 2] + (f" {_ONES[ones - 1]}" if ones else "")


def _minutes(n: int) -> str:
    return "one minute" if n == 1 else f"{_words(n)} minutes"


def expected(n: int) -> str:
    """How a person says a length of ``n`` minutes."""
    special = {30: "half an hour", 60: "an hour", 90: "an hour and a half", 120: "two hours"}
    if n in special:
        return special[n]
    if n == 180:
        return "three hours"
    if n < 60:
        return _minutes(n)
    hours, rest = divmod(n, 60)
    return ("an hour" if hours == 1 else "two hours") + f" and {_minutes(rest)}"


def test_expected_english_itself():
    assert [expected(n) for n in (1, 2, 21, 61, 75, 121, 150)] == [
        "one minute",
        "two minutes",
        "twenty one minutes",
        "an hour and one minute",
        "an hour and fifteen minutes",
        "two hours and one minute",
        "two hours and thirty minutes",
    ]


# `slow` (`make test` runs it, `make check` not):
# 180 lengths through a `chat`;
# 2.6 s of CPU in `make check` (2026-12-07, tests/cpuclock.py).
@pytest.mark.slow
def test_chat_reads_every_length_from_1_to_180_back_in_correct_english(tmp_path: Path):
    lines = []
    for n in range(1, 181):
        said = str(n) if n % 2 else (_words(n) if n < 180 else "three hours")
        lines += [f"pause for {said}" + ("" if n == 180 else " minutes"), "I'm ready to talk"]
    out = io.StringIO()
    options = app.Options(config=Config(data_dir=tmp_path / "data"), json=True)
    assert app.chat(options, io.StringIO("\n".join(lines) + "\n"), out) == 0
    said = [json.loads(line) for line in out.getvalue().splitlines()]
    started = [e["text"] for e in said if e["source"] == "pause.start"]
    assert len(started) == 180, started[:5]
    wrong = []
    for n, text in enumerate(started, start=1):
        spoken = text.replace("-", " ")
        if not re.search(rf"\b{expected(n)}\b(?!s)", spoken):  # not "an hour and one minutes"
            wrong.append(f"{n}: {text}")
    assert not wrong, "\n".join(wrong[:20])
