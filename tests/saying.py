"""A session that answers typed requests in the test process, for tests that check the words.

``answering(tmp_path)`` yields ``say(text)``: what the assistant answered, as one string ("" for
nothing). The timers run for real at 0.1 s a minute; the engine is shut down on the way out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from voice_repair import app
from voice_repair.config import Config, ContactsConfig
from voice_repair.models import Say


@contextmanager
def answering(
    tmp_path: Path, contacts: ContactsConfig | None = None
) -> Iterator[Callable[[str], str]]:
    heard: list[Say] = []
    config = Config(data_dir=tmp_path / "data", contacts=contacts or ContactsConfig())
    session, engine = app.start_session(
        app.Options(config=config, minute_seconds=0.1), heard.append
    )

    def say(text: str) -> str:
        before = len(heard)
        session.handle_text(text)
        return " ".join(s.text for s in heard[before:])

    try:
        yield say
    finally:
        engine.shutdown()
