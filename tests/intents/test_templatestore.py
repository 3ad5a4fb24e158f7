"""The parsed templates kept between starts (``templatestore.py``): a start with kept trees
parses no template and understands exactly what one that parsed them all understands; a changed
template is parsed (and its error reported), a broken load keeps nothing, a damaged or unwritable
cache costs only the time. Each "start" here is a load of the data in this process with the
per-process memory of parsed templates emptied (``templates._parsed``), as in a new process."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from voice_repair.intents import danger, templates, templatestore
from voice_repair.intents.data import load_data
from voice_repair.intents.matcher import build

SAID = [  # templates with lists, rules, optionals, alternatives and clock times
    "I need a pause",
    "pause for fifteen minutes",
    "let's take a twenty minute break",
    "remind us to talk at eight thirty",
    "remind us in an hour and a half",
    "I need five more minutes",
    "how long do we have left",
    "help me own my part",
    "say that again",
    "what can you do",
    "the oven timer is beeping",
]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of the test's own, nothing kept in it yet."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("CACHE_DIRECTORY", raising=False)
    return tmp_path / "cache" / "voice-repair" / templatestore.FOLDER


@pytest.fixture
def data(tmp_path: Path, small_intents: Path) -> Path:
    root = tmp_path / "intents" / "en"
    shutil.copytree(small_intents, root)
    return root


def _parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every template text hassil parses from here on, after emptying the process's memory of
    parsed templates (a new start); a kept one is not parsed."""
    templates._parsed.cache_clear()
    parsed: list[str] = []
    real = templates.parse_sentence

    def spy(text: str, **kwargs):
        parsed.append(str(text))
        return real(text, **kwargs)

    monkeypatch.setattr(templates, "parse_sentence", spy)
    return parsed


def _understood(root: Path) -> list[tuple]:
    data = load_data(root)
    assert data.problems == []
    scan, _ = danger.load_danger(root)
    matcher = build(data, scan, root)
    return [[(m.intent, m.slots) for m in matcher.match_all(text)] for text in SAID]


def _trees(root: Path) -> dict[str, object]:
    """Each template's tree as ``templatestore.encode`` writes it out: every node's kind and
    fields, parent links included."""
    data = load_data(root)
    assert data.problems == []
    return {text: templatestore.encode(expr) for text, expr in templates_of(data).items()}


def templates_of(data) -> dict[str, object]:
    return {
        str(s.text): s.expression
        for intent in data.intents.intents.values()
        for block in intent.data
        for s in block.sentences
    }


# `slow` (`make test` runs it, `make check` not): two loads parsing every template and two
# matchers built, about 3 s of CPU in `make check` (2026-12-08, tests/cpuclock.py); the next
# test, in `make check`, shows a kept template used and a changed one parsed.
@pytest.mark.slow
def test_a_second_start_parses_no_template_and_understands_the_same(data, cache, monkeypatch):
    cold_parsed = _parses(monkeypatch)
    cold = _understood(data)
    cold_trees = _trees(data)
    assert len(cold_parsed) > 400  # nothing was kept: every template parsed
    assert len(list(cache.iterdir())) == 1

    warm_parsed = _parses(monkeypatch)
    warm = _understood(data)
    assert warm_parsed == []
    assert warm == cold
    assert [intents[0][0] if intents else None for intents in warm][:3] == ["pause.start"] * 3
    assert _trees(data) == cold_trees  # every tree as hassil parsed it, parent links included


def test_a_changed_template_is_parsed_and_a_broken_one_reported(data, cache, monkeypatch):
    _parses(monkeypatch)
    load_data(data)  # keeps the copy's trees
    kept = next(cache.iterdir()).read_bytes()
    control = data / "sentences" / "control.yaml"
    text = control.read_text(encoding="utf-8")
    anchor = "  control.help:\n    data:\n      - sentences:\n"
    assert anchor in text
    control.write_text(
        text.replace(anchor, anchor + "          - 'what else can you do for us'\n"),
        encoding="utf-8",
    )
    parsed = _parses(monkeypatch)
    assert load_data(data).problems == []
    assert parsed == ["what else can you do for us"]  # the rest came from the cache
    grown = next(cache.iterdir()).read_bytes()
    assert grown != kept  # the new template was added
    control.write_text(text, encoding="utf-8")  # back to the data as it was
    parsed = _parses(monkeypatch)
    assert load_data(data).problems == [] and parsed == []
    assert next(cache.iterdir()).read_bytes() == grown  # all kept already: nothing written

    control.write_text(
        text.replace(anchor, anchor + "          - '(what|how can you do'\n"), encoding="utf-8"
    )
    parsed = _parses(monkeypatch)
    problems = [str(p) for p in load_data(data).problems]
    assert parsed == ["(what|how can you do"]
    assert any("control.yaml" in p and "template syntax error" in p for p in problems), problems
    # a load with a problem keeps nothing: what is kept is the last clean load's
    kept_texts = set(templatestore.TemplateStore(cache)._read())
    assert "what else can you do for us" in kept_texts
    assert "(what|how can you do" not in kept_texts
    assert next(cache.iterdir()).read_bytes() != kept


@pytest.mark.slow  # three loads, two of them parsing every template: 1.4 s of CPU
def test_a_damaged_cache_is_parsed_again_with_a_warning(data, cache, monkeypatch, caplog):
    _parses(monkeypatch)
    cold = _trees(data)
    (kept,) = cache.iterdir()
    damaged = bytearray(kept.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    kept.write_bytes(bytes(damaged))
    templatestore._stores.clear()  # a new process reads the file again
    parsed = _parses(monkeypatch)
    with caplog.at_level(logging.WARNING, logger=templatestore.__name__):
        assert _trees(data) == cold
    assert len(parsed) > 400
    assert any("unusable" in r.getMessage() for r in caplog.records), caplog.text
    templatestore._stores.clear()  # the clean load above wrote a good one: the next start
    parsed = _parses(monkeypatch)
    assert _trees(data) == cold and parsed == []


def test_a_cache_folder_that_cannot_be_written_costs_only_the_time(data, tmp_path, monkeypatch):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(not_a_folder))
    monkeypatch.delenv("CACHE_DIRECTORY", raising=False)
    parsed = _parses(monkeypatch)
    assert load_data(data).problems == []
    assert len(parsed) > 400
    assert not_a_folder.read_text() == ""


def test_a_node_with_a_field_unknown_here_is_not_kept():
    tree = templates.parse_sentence("help (me|us) [now] {name}", keep_text=True).expression
    coded = templatestore.encode(tree)
    assert templatestore.encode(templatestore.decode(coded)) == coded
    tree.items[0].weight = 2  # what a newer hassil might add: kept, it would be lost
    with pytest.raises(templatestore._Unfit):
        templatestore.encode(tree)
