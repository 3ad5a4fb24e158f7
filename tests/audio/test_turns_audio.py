"""A round of turns through the real audio path: a spoken "let's take turns" starts a round,
heard on the virtual speaker, and the round's timer events follow on time.

``voice-repair run`` (pocketsphinx, Piper's voice) listens on the private PulseAudio server at
half a second a minute, so a round of three-minute turns with one-minute say-backs lasts four
seconds; its words queue behind one another on the speaker, as they would on a slow one.
"""

from __future__ import annotations

import time
from pathlib import Path

from pulse import PulseServer
from rig import Rig
from test_end_to_end import ANSWER_WITHIN_S, steady_piper

MINUTE = 0.5
"""Real seconds per assistant minute: the round's four parts take 8 minutes, 4 seconds."""
LOADED_S = 1.0
"""Added to ``ANSWER_WITHIN_S``: a fresh ``run``'s first answer, measured 1.1-2.0 s here, came
3.3 s after the request once, with the machine loaded (the round's four events are written to
the store before the first word, in about 60 ms)."""


def test_a_spoken_lets_take_turns_starts_a_round_heard_on_the_speaker(
    pulse: PulseServer, tmp_path: Path
) -> None:
    wav = steady_piper("let's take turns", tmp_path / "turns.wav")
    (tmp_path / "run").mkdir()
    rig = Rig(pulse, tmp_path / "run", minute=MINUTE)
    try:
        rig.settle()
        mark = len(rig.lines())
        _, end = rig.play(wav)
        assert rig.intents(rig.outcome(mark)) == ["turns.start"], rig.run.log()
        first = None
        deadline = end + ANSWER_WITHIN_S + LOADED_S + 1
        while first is None and time.monotonic() < deadline:
            time.sleep(0.05)
            first = rig.speaker.first_loud(end, deadline)
        assert first is not None, "no opening was heard"
        assert first - end <= ANSWER_WITHIN_S + LOADED_S, first - end
        # The first turn ends 3 minutes (1.5 s) after the start, the swap comes a minute
        # later, the round ends after 8 minutes: the events are logged on time, whatever the
        # speaker is still saying.
        started = rig.logged_at(next(ln for ln in rig.lines() if "intent turns.start" in ln))
        assert started is not None
        for event, minutes in (("turns.reflect", 3), ("turns.switch", 4), ("turns.finished", 8)):
            seen = rig.run.wait_for(f"timer event {event}", timeout=15)
            assert seen - started >= minutes * MINUTE - 0.1, event
        time.sleep(1.0)
        assert rig.speaker.loud(first, time.monotonic()).size * 0.02 >= 2.0  # it kept talking
    finally:
        assert rig.close() == 0, rig.run.log()
