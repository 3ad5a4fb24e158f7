"""YAML with line numbers: libyaml's fast parser must read the data exactly as the pure one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from voice_repair import datafiles
from voice_repair.datafiles import load_yaml

DATA = Path(__file__).resolve().parents[1] / "intents" / "en"


def _same(a: Any, b: Any, where: str) -> None:
    """Equal values, types and line numbers all the way down."""
    assert type(a) is type(b), where
    assert getattr(a, "line", None) == getattr(b, "line", None), where
    if isinstance(a, dict):
        assert list(a) == list(b) and a.key_lines == b.key_lines, where
        for key in a:
            _same(a[key], b[key], f"{where}/{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml")
def test_the_fast_parser_reads_every_data_file_with_the_same_lines():
    assert datafiles._FastLineLoader.__mro__[1] is yaml.CSafeLoader
    files = sorted(DATA.rglob("*.yaml"))
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        fast = yaml.load(text, Loader=datafiles._FastLineLoader)
        pure = yaml.load(text, Loader=datafiles._LineLoader)
        _same(fast, pure, path.name)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("a:\n\t- x\n", 2, "found character '\\t' that cannot start any token"),
        ("language: en\nintents:\n  support: [\n", 4, "expected the node content"),
        ("a: 1\nb: 2\na: 3\n", 3, "duplicate key 'a' (first on line 1)"),
    ],
)
def test_a_refused_file_is_named_with_its_line_and_the_pure_parsers_words(
    tmp_path: Path, text: str, line: int, words: str
):
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    data, problems = load_yaml(path, "broken.yaml")
    assert data is None
    assert [(p.path, p.line) for p in problems] == [("broken.yaml", line)]
    assert words in problems[0].message
