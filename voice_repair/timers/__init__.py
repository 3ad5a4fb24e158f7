"""Time-based promises: the pause's events, a round of turns and the reminders, kept through
restarts, power cuts, wall-clock jumps and full disks.

Takes timer effects from the handlers (``StartPause``, ``StartRound``, ``AddReminder``, ... in
``models.py``); gives ``TimerEvent``s back to the session when they come due. The running engine
keeps every pending event in memory and fires it from its own thread on the steady clock;
APScheduler's SQLite job store in the data folder is the copy a restart reads (APScheduler never
runs a job: see ``ticker.py`` for why).

The rules:

- **Durations keep their length.** A pause and its events, and "remind us in ten minutes", are
  measured on ``CLOCK_BOOTTIME``, which never jumps: the wall clock moved an hour forward or back
  mid-pause changes nothing you hear. Each is stored as a wall-clock time *with its clock frame*
  (boot id, wall minus boot clock), so a restart on the same boot corrects it even when the clock
  jumped while nothing ran. After a reboot the time off cannot be measured: the wall clock is
  trusted (a jump *after* start-up, when NTP sets a Pi's clock, is measured again).
- **Wall-clock times stay on the wall clock.** "Remind us at eight" is due when the wall clock
  reads eight: it moves with a jump, and was turned into a POSIX time with the local zone's rules
  for that date, so the night the clocks change it is still eight.
- **Restarts.** Before anything fires, jobs already spoken (the guard) or stale (an ended or
  extended pause) are removed; events that came due while down are said late, with a word that
  they are late, if less late than the grace (``grace_minutes``), else dropped and counted once
  at start-up; of several overdue events of one pause only the most telling is kept.
- **Stopping** (end of input, Ctrl-C, SIGTERM) takes at most ``engine.STOP_SECONDS``: an event is
  claimed in the store before it is said, and nothing is claimed once stopping began, so the
  event being fired is either said or kept for the next start. The claim has two phases
  (claimed, then marked spoken once its words were handed over): a SIGKILL between them makes
  the next start say the event again, marked ``TimerEvent.repeat``, and the assistant says it
  may have said it already. Said twice, honestly, rather than never (issue 22).
- **A store that cannot be written** (full disk, read-only folder) is logged once, saying which
  and what to do; running timers go on from memory, new ones work for this run and are logged
  as not surviving a restart. Writes are tried again every ``health.RETRY_SECONDS``; the first
  that works stores everything memory holds, so nothing made meanwhile is lost to a restart.
- **A full or read-only folder at start-up** does not stop the assistant: the store is read
  (never written, so nothing in it changes), its events are kept this run from memory, the app
  says once that nothing can be saved, and one error line says what to do. Opening the store for
  writing is tried again every ``health.RETRY_SECONDS``; once it works the store holds what
  memory holds. The price, if it never works in that run: an event said in it is still in the
  store, and the next start says it again (late) if that comes within the grace. Any other
  unusable folder (permissions, a file in the way, another instance) refuses to start with a
  message naming the folder and the fix.
- **An unreadable store** is moved aside at start (kept, never deleted); a write cut off in the
  middle (a kill, a power cut) loses only that write (SQLite's write-ahead log).

- ``engine.py``  ``TimerEngine``: life cycle, the clock check, queries
- ``firing.py``  saying a due event once: claimed, said, marked spoken, its job removed
- ``restart.py`` what a start makes of the store: events kept, dropped, said again; the report
- ``effects.py`` start, extend, end a pause; add a reminder: memory first, then the store
- ``rounds.py``  a round of turns: four timed parts, each ended by one stored event; start,
  switch, more time, end, and its status (read from its pending events)
- ``ticker.py``  the thread that fires on the steady clock and looks for wall-clock jumps
- ``clock.py``   the clocks, the frame of a stored time, the correction after a jump
- ``plan.py``    what a pause schedules, and which stored jobs a restart keeps (pure functions)
- ``jobs.py``    the APScheduler job store; ``fire`` is the stored job function (its import path
  is written into every job: see ``jobs.migrate_refs`` for the migration of older stores)
- ``store.py``   the pause row and the "already spoken" guard, beside the jobs in the same file
- ``health.py``  store writes that may fail, trying again, and the start from memory
- ``readonly.py`` what is wrong with a folder that takes no writes, and reading its store anyway
"""

from .. import lazy_exports

__all__ = [
    "TimerEngine",
    "TimerSettings",
    "StartupReport",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "TimerEngine": ".engine",
        "TimerSettings": ".engine",
        "StartupReport": ".engine",
    },
)
