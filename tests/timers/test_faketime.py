"""The whole app under ``faketime``: the wall clock moved an hour during a sped-up pause.

The issue as a new user met it: ``chat --minute 0.5``, a pause, and the wall clock moved an hour
forward a few seconds in. APScheduler then logged every pending event as "missed by 1:00:00" and
the end of the pause was never said. ``libfaketime`` (Debian package ``faketime``) moves only the
child's wall clock, read from a file on every call; its steady clocks are left alone, as a real
clock step leaves them.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from stopping import Chat, write_config
from timing import CpuWait

LIB = next(iter(sorted(Path("/usr/lib").glob("*/faketime/libfaketime.so.1"))), None)
MINUTE = 0.5
PAUSE = 10  # minutes: five seconds
GRACE = 120  # minutes: a minute, so a restart slowed by faketime and a busy machine (seen: 10 s)
# never makes the end more than the grace overdue, when it is dropped by design, not said

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(LIB is None, reason="needs libfaketime (Debian package faketime)"),
]


def faked(offset_file: Path) -> dict[str, str]:
    offset_file.write_text("+0\n")
    return {
        "LD_PRELOAD": str(LIB),
        "FAKETIME_TIMESTAMP_FILE": str(offset_file),
        "FAKETIME_NO_CACHE": "1",
        "FAKETIME_DONT_FAKE_MONOTONIC": "1",
    }


def start_pause(chat: Chat) -> tuple[float, float]:
    """Ask for the pause once the app runs: when it was asked, and when the reply came (the
    store writes between the two are slow under faketime, which reads its file on every call)."""
    assert chat.wait_ready(20), chat.log
    sent = time.time()
    chat.send(f"pause for {PAUSE} minutes")
    end = time.time() + 10
    while time.time() < end:
        replies = [at for at, line in chat.said if line["source"] == "pause.start"]
        if replies:
            return sent, replies[0]
        time.sleep(0.02)
    raise AssertionError(chat.log)


def _ends(chat: Chat) -> list[float]:
    return [
        at for at, line in chat.said if line["source"] == "pause.finished" and line.get("chime")
    ]


def finished_at(chat: Chat, due: float) -> tuple[list[float], float]:
    """When the pause's end was said, and how late it may be on this machine: a quiet
    machine's half second, stretched by how long the app's own threads waited for a CPU
    meanwhile (``CpuWait``: under faketime every clock read is a file read, and a busy machine
    made a fixed second too short once), capped. The wait lasts that long past ``due``."""
    with CpuWait(chat.popen.pid) as app:
        while time.time() < due + _late(app):
            time.sleep(0.05)
    return _ends(chat), _late(app)


def _late(app: CpuWait) -> float:
    """The lateness allowed: a quiet machine's half second, stretched by the app's CPU waits."""
    return app.lateness(0.5)


def test_wall_clock_an_hour_forward_mid_pause_the_end_still_comes_on_time(tmp_path):
    offset = tmp_path / "faketime"
    env = faked(offset)
    chat = Chat.start(tmp_path / "data", write_config(tmp_path, GRACE), MINUTE, env=env)
    try:
        sent, replied = start_pause(chat)
        time.sleep(1.5)
        offset.write_text("+1h\n")
        ends, late = finished_at(chat, replied + PAUSE * MINUTE)
        assert len(ends) == 1, chat.log
        assert sent + PAUSE * MINUTE - 0.01 <= ends[0] <= replied + PAUSE * MINUTE + late
        assert any("wall clock jumped by +3600 s" in line for _, line in chat.log)
        assert chat.bad_lines() == []
    finally:
        chat.kill()


def test_wall_clock_an_hour_back_while_down_the_end_still_comes_on_time(tmp_path):
    offset = tmp_path / "faketime"
    env = faked(offset)
    data, config = tmp_path / "data", write_config(tmp_path, GRACE)
    first = Chat.start(data, config, MINUTE, env=env)
    try:
        sent, replied = start_pause(first)
        time.sleep(0.5)
    finally:
        first.kill()  # SIGKILL mid-pause
    offset.write_text("-1h\n")  # the clock is set back while nothing runs
    second = Chat.start(data, config, MINUTE, env=env)
    try:
        # On time, or at once if the restart (timed here; slow under faketime on a busy
        # machine) took longer than what was left of the pause: never an hour late.
        assert second.wait_ready(60), second.log
        due = max(replied + PAUSE * MINUTE, second.ready_at)
        ends, late = finished_at(second, due)
        seen = f"ends {[round(t - due, 2) for t in ends]} s after due, {late:.2f} s allowed"
        assert len(ends) == 1, (seen, second.log[-12:])
        assert sent + PAUSE * MINUTE - 0.01 <= ends[0] <= due + late, seen
        assert second.bad_lines() == []
    finally:
        second.kill()
