"""The shapes of the intent data: catalogue entries, slots, and what a load found.

Kept apart from the loaders so that the matcher, the loaders and the tests runner can share them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hassil import Intents

from ..errors import DataProblem

__all__ = ["SlotSpec", "IntentSpec", "LoadedData", "TIME_PARTS", "MINUTE_PARTS", "SLOT_TYPES"]
__all__ += ["WHICH_TIMER"]
__all__ += ["rel"]

TIME_PARTS = ("time_hour", "time_minute", "time_meridiem", "time_day")
"""Template slots that the matcher combines into the ``time`` slot ("HH:MM", "tomorrow
08:00/20:00": see ``clock.py``)."""

MINUTE_PARTS = ("minutes_hours", "minutes_extra")
"""Template slots that the matcher adds up into the ``minutes`` slot ("an hour and 12 minutes"):
hassil lists cannot do arithmetic, and a list of every hour-and-minutes phrase would multiply the
speech grammar."""

WHICH_TIMER = "which_timer"
"""A template slot any intent may have and none keeps: the length that names a timer ("the ten
minute timer"), read so that it is not taken for the request's own ``minutes``."""

SLOT_TYPES = {"integer": int, "time": str, "text": str}
"""Catalogue slot types and the Python type of their values."""


@dataclass(frozen=True)
class SlotSpec:
    """One slot an intent may carry."""

    name: str
    """Slot name, e.g. ``minutes``."""
    type: str
    """``integer`` (a whole number, e.g. minutes), ``time`` ("HH:MM", "tomorrow 08:00/20:00",
    "tonight": see ``clock.py``) or ``text``
    (a name, e.g. the ``route`` of ``safety``)."""
    required: bool
    """Whether every match of the intent carries this slot."""


@dataclass(frozen=True)
class IntentSpec:
    """One catalogue entry: what the intent means and which slots it carries."""

    name: str
    description: str
    slots: tuple[SlotSpec, ...]
    example: str
    """One sentence that must match this intent (checked by ``check_intents``)."""


@dataclass
class LoadedData:
    """Everything read from one language folder, with the problems found on the way."""

    language: str = "en"
    catalogue: dict[str, IntentSpec] = field(default_factory=dict)
    catalogue_lines: dict[str, tuple[str, int]] = field(default_factory=dict)
    shared_incomplete: bool = False
    """A shared list or rule could not be read; "unknown list/rule" would only echo that."""
    catalogue_loaded: bool = True
    """False when ``intents.yaml`` itself is unreadable: intent names cannot be checked then."""
    declared: set[str] = field(default_factory=set)
    """Every intent named in the catalogue, malformed entries included (those are not unknown:
    their problem is reported once, at the catalogue)."""
    """Intent -> (file, line) of its ``example`` in the catalogue."""
    intents: Intents | None = None
    """The hassil intents built from every valid piece (None when nothing could be built)."""
    families: dict[str, set[str]] = field(default_factory=dict)
    """Sentences file stem -> intents defined there (tests must mirror it)."""
    broken: set[str] = field(default_factory=set)
    """Intents with a problem in their data; ``"*"`` when shared lists or rules are broken."""
    problems: list[DataProblem] = field(default_factory=list)


def rel(path: Path, root: Path) -> str:
    """How a data file is named in problems: ``intents/en/sentences/pause.yaml``.

    That is, relative to the folder holding ``intents/``, which in a checkout is the project.
    """
    try:
        return str(path.relative_to(root.parent.parent))
    except ValueError:
        return str(path)
