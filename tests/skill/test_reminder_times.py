"""When "at eight" means: the next 8 o'clock that makes sense, within the next twelve hours."""

from datetime import datetime, timedelta, timezone

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
