"""A request to repeat is one only once the assistant has said something (issue 19).

"Sorry, what was that?" with nothing said before is one partner asking the other: the speaker
must stay silent, not answer "I haven't said anything yet". After a reply, the same words ask
for that reply again, word for word. The whole session runs: the matcher and response data from
``intents/en``, the handlers, and a real timer engine.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ears import sessions

ASKED_TO_REPEAT = ["sorry what was that", "pardon what did you just say", "can you repeat that"]


@pytest.fixture
def talk(tmp_path: Path):
    with sessions(tmp_path) as start:
        send, _, session = start(60.0)
        yield send, session


@pytest.mark.parametrize("text", ASKED_TO_REPEAT)
def test_nothing_is_said_when_the_assistant_has_said_nothing(talk, text):
    send, session = talk
    assert session.matcher.match(text).intent == "control.repeat"  # understood, and still
    assert send(text) == []


@pytest.mark.parametrize("text", ASKED_TO_REPEAT)
def test_after_a_reply_the_same_words_repeat_it(talk, text):
    send, _ = talk
    first = send("what can you do")
    assert first, "the help reply was not given"
    again = send(text)
    assert [s.text for s in again] == [s.text for s in first]
    assert all(s.source == "control.repeat" for s in again)
