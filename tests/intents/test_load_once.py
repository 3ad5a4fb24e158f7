"""Start-up loads the intent data once over: each sentence template is parsed once, for the
data's checks, and hassil matches with those same parses (it parsed each again before)."""

from __future__ import annotations

from pathlib import Path

import hassil.intents
from hassil.parse_expression import parse_sentence

from voice_repair.intents.data import load_data

ROOT = Path(__file__).resolve().parents[2] / "intents" / "en"


def test_loading_parses_each_sentence_template_once_as_hassil_would(monkeypatch):
    """The templates parsed for the data's checks are the ones hassil matches with (start-up
    parsed each twice): hassil parses only the shared rules itself, and every block holds the
    same sentences, in the same order, as its own parse would give."""
    parsed_by_hassil: list[str] = []
    real = hassil.intents.parse_sentence

    def counting(text, *args, **kwargs):
        parsed_by_hassil.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(hassil.intents, "parse_sentence", counting)
    data = load_data(ROOT)
    monkeypatch.undo()
    assert data.problems == [] and data.intents is not None
    blocks = [block for intent in data.intents.intents.values() for block in intent.data]
    texts = {text for block in blocks for text in block.sentence_texts}
    assert len(texts) > 300 and not texts & set(parsed_by_hassil)
    for block in blocks:
        own = [parse_sentence(text, keep_text=True) for text in block.sentence_texts]
        own.sort(key=block._sentence_order)
        assert [repr(s) for s in block.sentences] == [repr(s) for s in own]
