"""A reply never waits for the sentence the warm-up is rendering ahead (Piper, for real).

Under load the warm-up's sentence took seconds (9.3 s for one, measured with a busy loop on one
core), and a reply with a value ("in an hour", never rendered ahead) waited for all of it. Now
the warm-up's sentence is stopped for the reply and rendered again afterwards.
"""

from __future__ import annotations

import importlib.util
import threading
import time

import pytest

from voice_repair.speech.cache import CachedTTS

pytestmark = [
    pytest.mark.model,  # Piper's voice, loaded and run here: `make test`, not `make check`
    pytest.mark.skipif(importlib.util.find_spec("piper") is None, reason="no piper"),
]

AHEAD = (
    "I hear you, and I am here with you while you both take a slow breath, let your shoulders "
    "drop, and notice the floor under your feet before either of you says anything more."
)
"""A long fixed sentence: seconds of Piper's work, so the reply surely comes in the middle."""
REPLY = "I will remind you in an hour."


def test_a_reply_stops_the_sentence_rendered_ahead_and_it_is_rendered_again_later() -> None:
    from voice_repair.speech.engines import PiperTTS

    voice = CachedTTS(PiperTTS(variation=False))
    voice.render("Hello.")  # the model's first run is slow; not what is measured
    asked = threading.Event()

    def idle() -> bool:
        asked.set()
        return True

    voice.warm([AHEAD], idle=idle)
    assert asked.wait(10)
    time.sleep(0.1)  # the warm-up is into its sentence (seconds long)
    began = time.monotonic()
    voice.render(REPLY)
    took = time.monotonic() - began
    # The reply did not wait for the sentence ahead to be done: it is not rendered yet.
    assert not voice.cached(AHEAD), f"the reply waited for the warm-up ({took:.2f} s)"
    deadline = time.monotonic() + 180
    while not voice.cached(AHEAD) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert voice.cached(AHEAD)  # rendered again once the engine was free
