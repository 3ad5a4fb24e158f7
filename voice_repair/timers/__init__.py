"""Time-based promises: the pause's events and the reminders, kept across restarts and power cuts.

Takes timer effects from the handlers (``StartPause``, ``AddReminder``, ... in ``models.py``);
gives ``TimerEvent``s back to the session when they come due. APScheduler runs one-shot jobs in a
SQLite job store in the data folder.

- ``engine.py``  ``TimerEngine``: applies effects, recovers the store at start-up
- ``plan.py``    what a pause schedules, and which stored jobs a restart keeps (pure functions)
- ``jobs.py``    the APScheduler side; ``fire`` is the stored job function (its import path is
  written into every job: see ``jobs.migrate_refs`` for the migration of older stores)
- ``store.py``   the pause row and the "already spoken" guard, beside the jobs in the same file
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
