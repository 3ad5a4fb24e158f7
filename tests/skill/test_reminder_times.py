"""Reminders by the clock as a couple hears them: what was said, at what hour, and the reply.

The real templates, response data and handler; only the clock is injected (``State.now``), at the
awkward hours: late evening, just before and after midnight, the small hours, the night the clocks
change.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from voice_repair.content.loader import load_content
from voice_repair.intents.matcher import IntentMatcher
from voice_repair.models import AddReminder, State
from voice_repair.skill.context import Context
from voice_repair.skill.reminders import set_reminder
from voice_repair.skill.when import resolve

ROOT = Path(__file__).resolve().parents[2] / "intents" / "en"
TZ = timezone(timedelta(hours=1))


@pytest.fixture(scope="module")
def ask():
    """``ask(text, now)`` -> (the words said, the moment set or None)."""
    matcher = IntentMatcher.load(ROOT)
    ctx = Context(load_content(ROOT))

    def run(text: str, now: datetime) -> tuple[str, datetime | None]:
        match = matcher.match(text)
        assert match is not None and match.intent == "reminder.set", (text, match)
        reply = set_reminder(match, State(now=now), ctx)
        ats = [e.at for e in reply.effects if isinstance(e, AddReminder)]
        return " ".join(s.text for s in reply.says), (ats[0] if ats else None)

    return run


def at(hour: int, minute: int = 0, day: int = 27) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(
    ("said", "now", "expected", "spoken"),
    [
        ("remind us at eight", at(18, 30), at(20), "eight o'clock this evening"),
        ("remind us at eight", at(6, 15), at(8), "eight o'clock this morning"),
        # "at six" at 21:30 is six in the morning, and the reply says so.
        ("remind us at six", at(21, 30), at(6, day=28), "six o'clock tomorrow morning"),
        ("remind us at eight", at(8, 0), at(20), "eight o'clock this evening"),
        ("remind us at 8 am", at(19, 0), at(8, day=28), "eight o'clock tomorrow morning"),
        ("remind us at 8 pm", at(7, 0), at(20), "eight o'clock this evening"),
        ("remind us at noon", at(11, 0), at(12), "noon today"),
        ("remind us at noon", at(13, 0), at(12, day=28), "noon tomorrow"),
        ("remind us at midnight", at(23, 59), at(0, day=28), "midnight tonight"),
        ("remind us at twelve thirty", at(23, 50), at(0, 30, day=28), "twelve thirty tonight"),
        ("remind us tonight", at(18, 0), at(20), "eight o'clock this evening"),
        ("remind us tomorrow", at(10, 0), at(20, day=28), "eight o'clock tomorrow evening"),
        # Said at 22:00, "tomorrow morning" is ten hours and eleven minutes away: it works.
        ("remind us tomorrow morning", at(22, 0), at(9, day=28), "nine o'clock tomorrow morning"),
        ("remind us tomorrow at eight", at(23, 59), at(8, day=28), "eight o'clock tomorrow"),
        ("remind us tomorrow at 8 pm", at(7, 0), at(20, day=28), "eight o'clock tomorrow evening"),
        ("remind us tomorrow at noon", at(9, 0), at(12, day=28), "noon tomorrow"),
        ("let's talk in the morning", at(23, 0), at(9, day=28), "nine o'clock tomorrow morning"),
        # After midnight the night still belongs to the day before, as people speak: "tomorrow
        # morning" at 00:30 or 02:38 is the morning about to come, not the one after it.
        ("remind us tomorrow morning", at(0, 30, 28), at(9, day=28), "tomorrow morning"),
        ("remind us tomorrow at eight", at(2, 38, 28), at(8, day=28), "tomorrow morning"),
        ("remind us at 8 pm", at(2, 38, 28), at(20, day=28), "tomorrow evening"),
        ("remind us at three", at(2, 38, 28), at(3, day=28), "three o'clock tonight"),
    ],
)
def test_a_clock_time_is_set_and_read_back_with_its_day(ask, said, now, expected, spoken):
    words, moment = ask(said, now)
    assert moment == expected, words
    assert spoken in words
    assert "twelve hours" not in words


@pytest.mark.parametrize(
    ("said", "now", "reason", "offer"),
    [
        # "tonight" at 21:30: the evening hour (20:00) has passed; tomorrow evening is offered.
        ("remind us to talk tonight", at(21, 30), "eight o'clock this evening", "tomorrow evening"),
        ("remind us at eight tonight", at(21, 30), "eight o'clock this evening", "tomorrow"),
        ("let's talk today at 8 am", at(10, 0), "eight o'clock this morning", "tomorrow morning"),
        # At 02:38 tonight's evening is the one just gone.
        ("remind us to talk tonight", at(2, 38, 28), "eight o'clock this evening", "tomorrow"),
        ("remind us at midnight tonight", at(0, 10, 28), "midnight tonight", "tomorrow night"),
    ],
)
def test_a_time_that_has_passed_today_says_so_and_offers_tomorrow(ask, said, now, reason, offer):
    words, moment = ask(said, now)
    assert moment is None
    assert f"past {reason}" in words
    assert f"remind us at {words.split('remind us at ')[1]}".endswith(".")
    assert offer in words.split("remind us at ")[1]
    assert "twelve hours" not in words


@pytest.mark.parametrize(
    "now", [at(21, 30), at(2, 38, 28), at(23, 59), at(0, 0, 28), at(12, 0), at(4, 59, 28)]
)
@pytest.mark.parametrize(
    "said",
    [
        "remind us to talk tonight",
        "remind us at eight tonight",
        "remind us at six",
        "remind us tomorrow morning",
        "remind us at midnight",
        "remind us at 8 pm",
    ],
)
def test_what_the_reply_offers_or_reads_back_sets_that_moment_when_said(ask, said, now):
    """Saying the readback (or the offer) back sets exactly the moment meant: no drift."""
    words, moment = ask(said, now)
    if moment is None:  # passed: say the offer, then it is set, a day after the passed time
        again = "remind us at " + words.split("remind us at ")[1].rstrip(".")
        words2, moment2 = ask(again, now)
        assert moment2 is not None and moment2 > now, (again, words2)
    else:
        readback = "remind us at " + words.split(" at ", 1)[1].split(".")[0].split(",")[0]
        assert ask(readback, now)[1] == moment, (words, readback)


def test_a_length_beyond_twelve_hours_is_still_refused(ask):
    words, moment = ask("remind us in 800 minutes", at(9))
    assert moment is None and "twelve hours" in words


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
    ("now", "slot", "expected_utc"),
    [
        # 01:00 CET (+1), the night the clocks go forward: eight is 08:00 CEST (+2), 06:00 UTC.
        (datetime(2026, 3, 29, 1, 0), "08:00/20:00", datetime(2026, 3, 29, 6, 0)),
        # 21:00 CET the evening before: tomorrow's eight is still 08:00 CEST.
        (datetime(2026, 3, 28, 21, 0), "08:00/20:00", datetime(2026, 3, 29, 6, 0)),
        (datetime(2026, 3, 28, 21, 0), "tomorrow morning", datetime(2026, 3, 29, 6, 0)),
        # 23:00 CEST the evening before the clocks go back: eight is 08:00 CET (+1), 07:00 UTC.
        (datetime(2026, 10, 24, 23, 0), "08:00/20:00", datetime(2026, 10, 25, 7, 0)),
        (datetime(2026, 10, 24, 23, 0), "tomorrow 08:00", datetime(2026, 10, 25, 7, 0)),
    ],
)
def test_eight_is_eight_on_the_wall_clock_the_night_the_clocks_change(
    berlin, now, slot, expected_utc
):
    local_now = now.astimezone()  # as the app makes it: a fixed offset, today's
    found = resolve(slot, local_now, morning_hour=8, evening_hour=20)
    assert found is not None and found.at is not None
    assert found.at.astimezone(UTC).replace(tzinfo=None) == expected_utc
    assert found.at.astimezone().hour == 8, "the local wall clock reads eight"
