"""The product's speech grammar, built once per test run.

``grammar_sentences`` of the shipped ``intents/en`` matches every candidate sentence: seconds of
CPU (more on a busy machine), and eight test modules in both test workers listen with it. The
first process to ask builds it, exactly as ``run`` does (``live/listen.py``), and leaves it in
the run's shared cache folder (``VR_TEST_SHARED_CACHE``, ``conftest.py``) under a digest of the
data and the matcher's code, as ``intents/passed.py`` keys its record; the others read it.
Without that folder (a test run by hand with another runner) each process builds its own.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from voice_repair import SOURCE_ROOT
from voice_repair.intents.grammar import grammar_sentences
from voice_repair.intents.matcher import IntentMatcher
from voice_repair.intents.passed import record_path

INTENTS = SOURCE_ROOT / "intents" / "en"


@lru_cache(maxsize=1)
def shipped_grammar() -> tuple[tuple[str, str], ...]:
    """(intent, spoken sentence) pairs of the shipped data's grammar (``grammar_sentences``)."""
    shared = _shared_file()
    if shared is None:
        return tuple(grammar_sentences(IntentMatcher.load(INTENTS), INTENTS))
    # One builder at a time: handed out one test at a time, both workers reached the grammar
    # tests together and built it twice (28 s each at a load average of 11); the second now
    # waits for the first and reads its file.
    with open(shared.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if shared.is_file():
            return tuple((intent, text) for intent, text in json.loads(shared.read_text()))
        pairs = tuple(grammar_sentences(IntentMatcher.load(INTENTS), INTENTS))
        with tempfile.NamedTemporaryFile("w", dir=shared.parent, delete=False) as f:
            json.dump(pairs, f)
        os.replace(f.name, shared)  # whole or absent: a reader without the lock may look
    return pairs


def shipped_phrases() -> list[str]:
    """The grammar's sentences alone, the phrase list a recognizer is given."""
    return [text for _, text in shipped_grammar()]


def listening_phrases(options: Any, matcher: IntentMatcher) -> list[str]:
    """What ``run`` listens for (``live.listen.listening_phrases``: the grammar, with the wake
    phrase if one is set), built from this run's shared grammar when ``options`` reads the
    shipped data, as it does by default; for any other data folder, that function itself."""
    from voice_repair.live.listen import listening_phrases as built_here
    from voice_repair.live.wake import grammar

    if Path(options.intents_dir).resolve() != INTENTS.resolve():
        return built_here(options, matcher)
    return grammar(shipped_grammar(), options.config.recognition.wake_phrase)


def _shared_file() -> Path | None:
    """Where this run keeps the grammar of this data and code, or None outside a run."""
    folder = os.environ.get("VR_TEST_SHARED_CACHE")
    if not folder or not Path(folder).is_dir():
        return None
    return Path(folder) / f"grammar-{record_path(INTENTS).name}.json"
