"""The timer rules on their own: what a pause schedules and what a restart keeps (no clock)."""

from __future__ import annotations

from voice_repair.timers.plan import Pending, TimerSettings, nudge_times, pause_events, recovery

S = TimerSettings(minute_seconds=1.0, nudges_at=(0.5, 0.25, 1.5), repeat_count=2)


def test_a_long_pause_gets_nudges_notice_end_and_bounded_repeats():
    events = pause_events(S, end=20, nudges=nudge_times(S, 0, 20), countdown_minutes=20, now=0)
    assert [(e.kind, e.number, e.due) for e in events] == [
        ("pause.nudge", 1, 5),
        ("pause.nudge", 2, 10),
        ("pause.warning", 0, 19),
        ("pause.finished", 0, 20),
        ("pause.reminder", 1, 22),
        ("pause.reminder", 2, 24),
    ]


def test_three_minutes_or_less_gets_no_notice_and_past_nudges_are_skipped():
    events = pause_events(S, end=103, nudges=[101.5], countdown_minutes=3, now=102)
    assert [e.kind for e in events] == ["pause.finished", "pause.reminder", "pause.reminder"]


PAUSE = ("p1", 2)


def job(job_id: str, kind: str, due: float, pause: tuple | None = PAUSE) -> Pending:
    return Pending(job_id, kind, due, pause)


def test_restart_removes_spoken_and_stale_jobs_without_counting_them():
    jobs = [
        job("spoken", "reminder.due", 50, None),
        job("old-gen", "pause.finished", 200, ("p1", 1)),
        job("other", "pause.finished", 200, ("p0", 2)),
        job("live", "pause.finished", 200),
    ]
    plan = recovery(jobs, fired={"spoken"}, live=PAUSE, now=100, grace=10)
    assert sorted(plan.remove) == ["old-gen", "other", "spoken"]
    assert plan.dropped == 0


def test_restart_drops_and_counts_what_is_later_than_the_grace():
    jobs = [job("r1", "reminder.due", 80, None), job("r2", "reminder.due", 95, None)]
    plan = recovery(jobs, fired=set(), live=None, now=100, grace=10)
    assert plan.remove == ["r1"] and plan.dropped == 1
    assert plan.dropped_reminders == 1 and plan.ended == ()


def test_a_pause_or_round_run_out_while_down_is_told_apart_from_reminders():
    jobs = [job("f", "pause.finished", 50), job("r", "pause.reminder", 70)]
    jobs += [job("t", "turns.finished", 60, ("t1", 1)), job("rem", "reminder.due", 40, None)]
    plan = recovery(jobs, fired=set(), live=PAUSE, now=100, grace=10, live_round=("t1", 1))
    assert plan.dropped == 4 and plan.dropped_reminders == 1
    assert plan.ended == ("pause", "turns")


def test_a_pause_with_an_event_still_to_say_has_not_run_out():
    jobs = [job("f", "pause.finished", 50), job("r", "pause.reminder", 95)]
    plan = recovery(jobs, fired=set(), live=PAUSE, now=100, grace=10)
    assert plan.dropped == 1 and plan.ended == () and "r" not in plan.remove


def test_of_a_pauses_overdue_events_only_the_end_is_spoken():
    jobs = [
        job("n", "pause.nudge", 92),
        job("w", "pause.warning", 95),
        job("f", "pause.finished", 96),
    ]
    jobs += [job("r1", "pause.reminder", 98), job("r2", "pause.reminder", 104)]
    jobs += [job("a", "reminder.due", 93, None), job("b", "reminder.due", 94, None)]
    plan = recovery(jobs, fired=set(), live=PAUSE, now=100, grace=10)
    assert sorted(plan.remove) == ["n", "r1", "w"], "reminders and future events stay"
    assert plan.dropped == 0


def test_without_the_end_among_them_the_latest_overdue_pause_event_is_spoken():
    jobs = [
        job("n", "pause.nudge", 92),
        job("w", "pause.warning", 95),
        job("f", "pause.finished", 130),
    ]
    plan = recovery(jobs, fired=set(), live=PAUSE, now=100, grace=10)
    assert plan.remove == ["n"]
