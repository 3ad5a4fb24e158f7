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


class _Run:
    """What ``chaos.judge`` reads of a ``chat`` run: timed log lines and replies."""

    def __init__(self, log: list[tuple[float, str]], said: list[str], ready_at: float) -> None:
        self.log = log
        self.said = [(ready_at, {"source": s}) for s in said]
        self.ready_at = ready_at

    def bad_lines(self) -> list[str]:
        return []


def test_a_pause_extended_before_its_start_was_logged_is_not_lost() -> None:
    """Bench chaos seed 23 (2026-12-06): "pause for 3 minutes" and "I need 3 more minutes"
    were both sent before the pause's line was logged (requests queue); the extended end was
    said, late, by the next run. The judge took the extension for the request that set the
    first deadline and called that deadline lost."""
    t = chaos.stamp("2026-12-06T09:22:36.214+00:00")
    first = _Run(
        [
            (t + 0.668, "Pause of 3 minutes started, ends 2026-12-06T09:22:36.987+00:00"),
            (t + 0.740, "Pause extended by 3 minutes, ends 2026-12-06T09:22:37.137+00:00"),
        ],
        ["pause.start", "pause.extend"],
        t,
    )
    sent = [(t + 0.361, "pause for 3 minutes"), (t + 0.628, "I need 3 more minutes")]
    fired = "Timer event pause.finished (due 2026-12-06T09:22:37.137+00:00, 2.937 s late)"
    second = _Run(
        [(t + 3.866, fired)],
        ["pause.finished"],
        t + 3.86,
    )
    counts = chaos.Counts()
    chaos.judge([(first, sent), (second, [])], counts)
    assert counts.lost == []


def test_a_pause_extended_whose_line_a_kill_cut_is_not_lost() -> None:
    """Bench chaos seed 30 (2026-12-06): "pause for 4 minutes" and "I need 2 more minutes"
    queued; the extension was taken up and stored, and the kill cut its "extended" line; the
    next run said the extended end, late. The judge called the first deadline lost."""
    t = chaos.stamp("2026-12-06T11:55:27.000+00:00")
    first = _Run(
        [
            (t + 0.341, "2026-12-06 11:55:27,341 INFO x: Pause of 4 minutes started, "
             "ends 2026-12-06T11:55:27.394+00:00"),
            (t + 0.383, "2026-12-06 11:55:27,382 INFO voice_repair.session: intent pause.extend "
             "(pausing)"),
        ],
        ["pause.start"],
        t,
    )  # fmt: skip
    sent = [(t + 0.164, "pause for 4 minutes"), (t + 0.222, "I need 2 more minutes")]
    fired = "Timer event pause.finished (due 2026-12-06T11:55:27.494+00:00, 8.033 s late)"
    second = _Run([(t + 8.53, fired)], ["pause.finished"], t + 8.5)
    counts = chaos.Counts()
    chaos.judge([(first, sent), (second, [])], counts)
    assert counts.lost == []


def test_a_pause_ended_by_a_queued_request_read_late_is_not_lost() -> None:
    """Bench chaos seed 30 (2026-12-06): "I'm ready to talk" ended the pause right after it
    started; the reader got both lines late, after "pause for 9 minutes" was sent, so the judge
    took that one for the request that set the deadline and called the ended pause lost."""
    t = chaos.stamp("2026-12-06T12:18:21.000+00:00")
    run = _Run(
        [
            (t + 0.658, "2026-12-06 12:18:21,543 INFO x: Pause of 5 minutes started, "
             "ends 2026-12-06T12:18:21.699+00:00"),
            (t + 0.658, "2026-12-06 12:18:21,555 INFO voice_repair.session: intent pause.end "
             "(pausing)"),
            (t + 0.658, "2026-12-06 12:18:21,620 INFO voice_repair.timers.effects: Pause ended"),
        ],
        ["pause.start", "pause.end"],
        t,
    )  # fmt: skip
    sent = [(t + 0.332, "pause for 5 minutes"), (t + 0.433, "I'm ready to talk")]
    sent += [(t + 0.615, "pause for 9 minutes")]
    counts = chaos.Counts()
    chaos.judge([(run, sent), (_Run([], [], t + 5), [])], counts)
    assert counts.lost == []


def test_a_pause_replaced_just_after_its_end_was_due_and_before_it_was_said_is_not_lost():
    """Bench chaos seed 40 (2026-12-06, load 15): the engine had not yet said an end due at
    :39.089 when "pause for 8 minutes", sent at :39.254, was taken up at :39.348 and replaced
    the pause; the new end was said. The judge called the first end lost."""
    t = chaos.stamp("2026-12-06T14:38:38.000+00:00")
    run = _Run(
        [
            (t + 0.580, "2026-12-06 14:38:38,579 INFO x: Pause of 12 minutes started, "
             "ends 2026-12-06T14:38:39.089+00:00"),
            (t + 1.349, "2026-12-06 14:38:39,348 INFO voice_repair.session: intent pause.start "
             "(pausing)"),
            (t + 1.415, "2026-12-06 14:38:39,414 INFO voice_repair.timers.effects: Pause ended"),
            (t + 1.541, "2026-12-06 14:38:39,509 INFO x: Pause of 8 minutes started, "
             "ends 2026-12-06T14:38:39.814+00:00"),
            (t + 1.900, "Timer event pause.finished (due 2026-12-06T14:38:39.814+00:00, "
             "0.080 s late)"),
        ],
        ["pause.start", "pause.start", "pause.finished"],
        t,
    )  # fmt: skip
    sent = [(t + 0.465, "pause for 12 minutes"), (t + 1.254, "pause for 8 minutes")]
    counts = chaos.Counts()
    chaos.judge([(run, sent), (_Run([], [], t + 5), [])], counts)
    assert counts.lost == []


def test_a_pause_end_not_said_long_before_a_new_request_is_still_lost() -> None:
    """A request taken up well after an end was due does not excuse the end never said."""
    t = chaos.stamp("2026-12-06T14:38:38.000+00:00")
    run = _Run(
        [
            (t + 0.580, "2026-12-06 14:38:38,579 INFO x: Pause of 12 minutes started, "
             "ends 2026-12-06T14:38:39.089+00:00"),
            (t + 9.349, "2026-12-06 14:38:47,348 INFO voice_repair.session: intent pause.start "
             "(pausing)"),
        ],
        ["pause.start", "pause.start"],
        t,
    )  # fmt: skip
    sent = [(t + 0.465, "pause for 12 minutes"), (t + 9.254, "pause for 8 minutes")]
    counts = chaos.Counts()
    chaos.judge([(run, sent), (_Run([], [], t + 12), [])], counts)
    assert counts.lost == ["end of the pause due 2026-12-06T14:38:39.089+00:00"]


def test_a_pause_end_never_said_is_still_lost() -> None:
    """The judge still finds a real loss: a deadline logged, nothing after it, no end said."""
    t = chaos.stamp("2026-12-06T12:00:00.000+00:00")
    run = _Run(
        [(t + 0.3, "2026-12-06 12:00:00,300 INFO x: Pause of 2 minutes started, "
          "ends 2026-12-06T12:00:00.400+00:00")],
        ["pause.start"],
        t,
    )  # fmt: skip
    counts = chaos.Counts()
    chaos.judge([(run, [(t + 0.1, "pause for 2 minutes")]), (_Run([], [], t + 5), [])], counts)
    assert counts.lost == ["end of the pause due 2026-12-06T12:00:00.400+00:00"]
