"""When "at eight" means: the next 8 o'clock that makes sense, within the next twelve hours."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from voice_repair.skill.reminders import next_time

TZ = timezone(timedelta(hours=1))


def at(hour: int, minute: int = 0, day: int = 27) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(
    ("now", "hour", "minute", "expected"),
    [
        (at(18, 30), 8, 0, at(20, 0)),  # evening: "at eight" is tonight
        (at(6, 15), 8, 0, at(8, 0)),  # morning: this morning
        (at(21, 0), 8, 0, at(8, 0, day=28)),  # late evening: tomorrow morning
        (at(8, 0), 8, 0, at(20, 0)),  # exactly eight now: the next one, twelve hours on
        (at(19, 0), 8, 30, at(20, 30)),
        (at(13, 0), 20, 0, at(20, 0)),  # an explicit 24-hour time means that hour
        (at(23, 50), 0, 10, at(0, 10, day=28)),
        (at(11, 0), 12, 0, at(12, 0)),  # noon
    ],
)
def test_next_time_picks_the_nearest_sensible_moment(now, hour, minute, expected):
    assert next_time(now, hour, minute, horizon_minutes=12 * 60) == expected


def test_explicit_time_beyond_the_horizon_is_refused():
    # 20:00 asked at 07:00 is thirteen hours away: past the twelve-hour limit.
    assert next_time(at(7, 0), 20, 0, horizon_minutes=12 * 60) is None


@pytest.fixture
def berlin(monkeypatch):
    """The process's local zone is Europe/Berlin (clocks go forward on 29 March 2026, 02:00)."""
    import time

    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("now", "hour", "expected_utc"),
    [
        # 01:00 CET (+1), the night the clocks go forward: eight is 08:00 CEST (+2), 06:00 UTC.
        (datetime(2026, 3, 29, 1, 0), 8, datetime(2026, 3, 29, 6, 0)),
        # 21:00 CET the evening before: tomorrow's eight is still 08:00 CEST.
        (datetime(2026, 3, 28, 21, 0), 8, datetime(2026, 3, 29, 6, 0)),
        # 23:00 CEST the evening before the clocks go back: eight is 08:00 CET (+1), 07:00 UTC.
        (datetime(2026, 10, 24, 23, 0), 8, datetime(2026, 10, 25, 7, 0)),
    ],
)
def test_at_eight_is_eight_on_the_wall_clock_the_night_the_clocks_change(
    berlin, now, hour, expected_utc
):
    local_now = now.astimezone()  # as the app makes it: a fixed offset, today's
    at = next_time(local_now, hour, 0, horizon_minutes=12 * 60)
    assert at is not None and at.astimezone(UTC).replace(tzinfo=None) == expected_utc
    assert at.astimezone().hour == hour, "the local wall clock reads eight"
