"""The danger scan's expressions kept between starts (``regexstore.py``): a start with kept
programs parses none of them, and finds the same danger as one that compiled them all; a damaged
or unwritable cache costs only the time."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice_repair.intents import danger, regexstore

ROOT = Path(__file__).resolve().parents[2] / "intents" / "en"
PATTERN = r"(?<![\w'])(?:he (?:hit|choked) me|(?P<who>she) has a gun)(?![\w'])"
SAID = ["okay so yesterday he choked me", "she has a gun", "he hit mean words", "hello"]
DANGER = [  # from test_danger.py: each route, and a settled frame that ends one
    ("okay so yesterday he choked me, can we take a break", "violence"),
    ("how do I apologize, I think I'm having a heart attack", "medical"),
    ("give me a repair idea, I want to end my life", "self_harm"),
    ("what can you do, call nine one one", "general"),
    ("he hit me and now I want to die", "violence"),
    ("last year I fainted at the gym but I was fine", None),
    ("last year I fainted at the gym, and now he hits me", "violence"),
    ("the suspense is killing me", None),
    ("I need a pause", None),
]


def _compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every expression ``regexstore`` parses from here on (a kept one is not parsed)."""
    parsed: list[str] = []
    real = regexstore._compile

    def spy(pattern: str):
        parsed.append(pattern)
        return real(pattern)

    monkeypatch.setattr(regexstore, "_compile", spy)
    return parsed


def _found(pattern, said: list[str]) -> list[tuple[str, dict]]:
    found = [pattern.search(s) for s in said]
    return [(m.group(0), m.groupdict()) if m else ("", {}) for m in found]


def test_a_kept_expression_is_not_parsed_again_and_finds_the_same(tmp_path, monkeypatch):
    first = regexstore.compile_kept(PATTERN, tmp_path)
    parsed = _compiles(monkeypatch)
    again = regexstore.compile_kept(PATTERN, tmp_path)
    assert parsed == []  # built from the kept program
    assert _found(again, SAID) == _found(first, SAID) == _found(danger.re.compile(PATTERN), SAID)
    assert again.groupindex == {"who": 1}


def test_a_damaged_kept_program_is_compiled_again(tmp_path, monkeypatch):
    regexstore.compile_kept(PATTERN, tmp_path)
    (kept,) = tmp_path.iterdir()
    data = bytearray(kept.read_bytes())
    data[-3] ^= 0xFF  # one flipped byte in the program: its digest no longer fits
    kept.write_bytes(bytes(data))
    parsed = _compiles(monkeypatch)
    again = regexstore.compile_kept(PATTERN, tmp_path)
    assert parsed == [PATTERN]
    assert _found(again, SAID) == _found(danger.re.compile(PATTERN), SAID)


def test_a_cache_folder_that_cannot_be_written_costs_only_the_time(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    compiled = regexstore.compile_kept(PATTERN, not_a_folder)
    assert _found(compiled, SAID) == _found(danger.re.compile(PATTERN), SAID)
    with pytest.raises(danger.re.error):
        regexstore.compile_kept("(unclosed", tmp_path)  # a bad pattern is still an error


# `slow` (`make test` runs it, `make check` not):
# two `chat` starts, one compiling every danger expression;
# 2.1 s of CPU in `make check` (2026-12-07, tests/cpuclock.py).
@pytest.mark.slow
def test_a_second_start_parses_no_danger_expression_and_routes_as_the_first(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("CACHE_DIRECTORY", raising=False)
    danger._kept.cache_clear()  # as a new process: nothing compiled yet
    cold, problems = danger.load_danger(ROOT, trusted=True)
    assert problems == [] and cold is not None
    danger._kept.cache_clear()
    parsed = _compiles(monkeypatch)
    warm, _ = danger.load_danger(ROOT, trusted=True)
    assert parsed == []
    said = [text for text, _ in DANGER]
    assert [warm.route(text) for text in said] == [cold.route(text) for text in said]
    assert [warm.route(text) for text in said] == [route for _, route in DANGER]
