"""The retry rhythm of a lost microphone: quick at first, then at most every ten seconds."""

from __future__ import annotations

import pytest

from voice_repair.resilience import Backoff


def test_waits_double_from_half_a_second_up_to_ten() -> None:
    backoff = Backoff()
    assert [backoff.next() for _ in range(8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0]


def test_a_success_starts_the_rhythm_again() -> None:
    backoff = Backoff()
    for _ in range(5):
        backoff.next()
    backoff.reset()
    assert backoff.next() == 0.5


def test_nonsense_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        Backoff(first=20.0, limit=10.0)
