"""Whisper's prompt follows the conversation: a running pause puts "end the pause" first.

Real session, data and timers (as ``voice-repair chat``); the prompt reads the mode the session
publishes, as ``run`` wires it (``live/expect.py``), and is fitted by the Whisper model's own
tokenizer, as the recognizer fits it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from grammarshare import shipped_grammar
from tokenizers import Tokenizer

from voice_repair import SOURCE_ROOT, app
from voice_repair.asr.prompting import PROMPT_TOKENS, PromptSource
from voice_repair.asr.whispermodel import find_whisper_model
from voice_repair.config import Config
from voice_repair.intents.matcher import IntentMatcher
from voice_repair.live.expect import EXPECTED, ExpectedSentences
from voice_repair.models import Mode

INTENTS = SOURCE_ROOT / "intents" / "en"

pytestmark = pytest.mark.model  # the grammar's build loads the sentence-embedding model


@pytest.fixture(scope="module")
def data():
    """(catalogue examples, the recognizer's grammar): built once, it takes seconds."""
    matcher = IntentMatcher.load(INTENTS)
    examples = {name: spec.example for name, spec in matcher.catalogue.items()}
    return examples, list(shipped_grammar())


@pytest.fixture
def conversation(tmp_path: Path, data):
    """(session, the prompt's sentences following it)."""
    options = app.Options(config=Config(data_dir=tmp_path / "data"), minute_seconds=0.1)
    session, engine = app.start_session(options, lambda say: None)
    expected = ExpectedSentences(*data, follow=True)
    expected.listen_to(lambda: session.mode)
    yield session, expected
    engine.shutdown()


def test_a_running_pause_leads_the_prompt_with_ending_it_and_more_time(conversation):
    session, expected = conversation
    idle = expected()
    assert idle == expected.catalogue  # nothing running: today's prompt, unchanged
    session.handle_text("i need a pause")
    lead = expected()[:9]
    assert lead[0] == "I'm ready to talk"  # pause.end's example
    assert "I need five more minutes" in lead and "how much time is left" in lead
    session.handle_text("end the pause")
    assert session.mode is not Mode.PAUSING
    assert "I'm ready to talk" not in expected()[:9]


def test_a_script_being_read_leads_with_next_and_again(conversation):
    session, expected = conversation
    session.handle_text("read me a validation example")
    assert session.mode is Mode.READING
    assert expected()[:4] == ["next one", *expected.leading[Mode.READING][1:3], "say that again"]


def test_not_following_gives_the_catalogue_in_every_mode(conversation):
    session, expected = conversation
    expected.follow = False
    session.handle_text("i need a pause")
    assert expected() == expected.catalogue


def test_every_modes_prompt_fits_whisper_and_keeps_the_danger_example(conversation):
    """Whisper keeps 223 prompt tokens; cut to fit, no mode's prompt loses "I don't feel safe"."""
    folder = find_whisper_model()
    if folder is None:
        pytest.skip("no Whisper model installed (its tokenizer counts the prompt)")
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    _, expected = conversation
    mode = {"now": Mode.IDLE}
    expected.listen_to(lambda: mode["now"])
    source = PromptSource(expected, lambda text: len(tok.encode(text).ids))
    for now in Mode:
        mode["now"] = now
        prompt = source.text()
        assert len(tok.encode(" " + prompt).ids) <= PROMPT_TOKENS
        assert "I don't feel safe." in prompt, now
        if now in EXPECTED:
            assert prompt.startswith(expected.leading[now][0][:1].upper()), now
