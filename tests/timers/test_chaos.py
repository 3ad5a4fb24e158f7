"""A short seeded chaos run in ``make test``: ``chat`` SIGKILLed at random moments during scripted
use at ``--minute 0.05`` and restarted each time (see ``chaos.py`` for what is checked). The long
run (100+ kills) is ``python -m bench chaos``. ``VR_CHAOS_SEED`` replays a failure."""

from __future__ import annotations

import os

import chaos
import pytest


@pytest.mark.slow
def test_killed_at_random_moments_every_event_is_said_once(tmp_path):
    seed = int(os.environ.get("VR_CHAOS_SEED", "1414"))
    kills = int(os.environ.get("VR_CHAOS_KILLS", "8"))
    counts = chaos.run(tmp_path, seed, kills)
    print(f"chaos (seed {seed}): {counts.summary()}")
    assert counts.kills == kills
    assert counts.ok(), (seed, counts)
    assert counts.events > kills, "the run exercised the timers"
