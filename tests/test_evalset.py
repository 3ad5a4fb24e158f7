"""The evaluation scorer reads the matcher's time slots as the product means them.

Until 2026-12-06 it compared the whole slot string, so "tomorrow 09:00" could never equal the
writer's ``time: "09:00", when: tomorrow`` and no reminder with a day word scored right.
"""

from bench.evalset import _slots_right


def test_a_day_word_in_the_time_slot_is_the_day_when_asks_for():
    assert _slots_right({"time": "09:00", "when": "tomorrow"}, {"time": "tomorrow 09:00"})
    assert _slots_right({"time": "morning", "when": "tomorrow"}, {"time": "tomorrow morning"})
    assert _slots_right({"time": "22:00"}, {"time": "today 22:00"})


def test_tomorrow_said_must_be_read():
    assert not _slots_right({"time": "09:00", "when": "tomorrow"}, {"time": "09:00"})
    assert not _slots_right({"time": "09:00", "when": "tomorrow"}, {"time": "today 09:00"})


def test_an_hour_said_without_a_half_of_the_day_may_come_back_as_either():
    assert _slots_right({"time": "08:00", "ambiguous": True}, {"time": "08:00/20:00"})
    assert _slots_right({"time": "08:00", "ambiguous": True}, {"time": "20:00"})
    assert not _slots_right({"time": "20:00"}, {"time": "08:00/20:00"})
    assert not _slots_right({"time": "08:00", "ambiguous": True}, {"time": "09:00"})


def test_a_made_up_length_is_wrong():
    assert not _slots_right({}, {"minutes": 10})
    assert _slots_right({"minutes": 10}, {"minutes": 10})
