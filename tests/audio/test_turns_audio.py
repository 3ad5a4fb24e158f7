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
from test_end_to_end import ANSWER_WITHIN_S, LONGEST_WAIT_S, answered, product_cpu, steady_piper

MINUTE = 0.5
"""Real seconds per assistant minute: the round's four parts take 8 minutes, 4 seconds."""
FIRST_RENDER_S = 1.0
"""Added to ``ANSWER_WITHIN_S`` (on a quiet machine; both stretched by the product's measured
CPU waits): a fresh ``run``'s first answer is Piper's first rendering, slower than the next
ones (measured 1.1-2.0 s here from the end of the request; the round's four events are written
to the store before the first word, in about 60 ms). Once 4.3 s from queued to sound under a
busy loop, behind the warm-up's sentence: a reply now stops that sentence."""


def test_a_spoken_lets_take_turns_starts_a_round_heard_on_the_speaker(
    pulse: PulseServer, tmp_path: Path
) -> None:
    wav = steady_piper("let's take turns", tmp_path / "turns.wav")
    (tmp_path / "run").mkdir()
    rig = Rig(pulse, tmp_path / "run", minute=MINUTE)
    try:
        rig.settle()
        mark = len(rig.lines())
        with product_cpu(rig) as cpu:
            _, end = rig.play(wav)
            heard = rig.intents(rig.outcome(mark, timeout=LONGEST_WAIT_S))
            assert heard == ["turns.start"], rig.run.log()
            first = None
            deadline = end + LONGEST_WAIT_S
            while first is None and time.monotonic() < deadline:
                time.sleep(0.05)
                first = rig.speaker.first_loud(end, deadline)
        assert first is not None, "no opening was heard"
        within = answered(ANSWER_WITHIN_S + FIRST_RENDER_S, cpu)
        assert first - end <= within, (first - end, within, cpu.stretch())
        # The first turn ends 3 minutes (1.5 s) after the start, the swap comes a minute
        # later, the round ends after 8 minutes: the events are logged on time, whatever the
        # speaker is still saying.
        started = rig.logged_at(next(ln for ln in rig.lines() if "intent turns.start" in ln))
        assert started is not None
        for event, minutes in (("turns.reflect", 3), ("turns.switch", 4), ("turns.finished", 8)):
            seen = rig.run.wait_for(f"timer event {event}", timeout=15)
            assert seen - started >= minutes * MINUTE - 0.1, event
        # It kept talking: two seconds of the round's words, however slowly a busy machine
        # renders them (once 1.8 s by a second after the round's end, with a busy loop).
        deadline = time.monotonic() + LONGEST_WAIT_S
        while time.monotonic() < deadline and rig.speaker.loud(first, deadline).size * 0.02 < 2.0:
            time.sleep(0.1)
        assert rig.speaker.loud(first, time.monotonic()).size * 0.02 >= 2.0
    finally:
        assert rig.close() == 0, rig.run.log()
