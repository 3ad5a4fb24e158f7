"""What every handler may read besides the request and the state: the words and the settings.

Handlers are pure functions ``(match, state, ctx) -> Reply``; they never touch clocks, files or
devices, so text mode, file mode and the live loop share them unchanged and tests need no mocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ..models import Say


class ContentLike(Protocol):
    """The part of ``voice_repair.content.loader.Content`` the handlers use."""

    contacts: dict[str, str]

    def line(self, key: str, pick: int = 0, **values: str) -> str: ...

    def script(self, family: str) -> list[str]: ...


@dataclass(frozen=True)
class SkillSettings:
    """Behaviour settings the handlers apply (validated by ``config.py`` before they get here)."""

    default_pause_minutes: int = 20
    """Pause length when none is said; 20 because flooding takes about twenty minutes to settle."""
    default_extend_minutes: int = 5
    """Minutes added by "I need more time" when no number is said."""
    max_pause_minutes: int = 180
    """Longest pause (and longest pause after extending), in minutes."""
    evening_hour: int = 20
    """Hour (0-23) that "tonight", "tomorrow evening" and a bare "tomorrow" mean."""
    morning_hour: int = 9
    """Hour (5-11) that "tomorrow morning" and "in the morning" mean."""
    max_reminder_minutes: int = 12 * 60
    """Furthest a reminder said as a length ("in two hours") may be set ahead, in minutes; one
    said by the clock may be any time today or tomorrow."""
    turn_minutes: int = 3
    """Length of each speaker's turn in a round when none is said, in minutes."""
    max_turn_minutes: int = 15
    """Longest turn (and longest turn after "I need more time"), in minutes."""
    reflect_minutes: int = 1
    """Time for the listener to say back what they heard, after each turn, in minutes."""
    turn_extend_minutes: int = 1
    """Minutes "I need more time" adds to a turn when no number is said."""
    turn_names: tuple[str, ...] = ()
    """The two partners' names for a round of turns, first speaker first; () for "the first
    speaker" and "the second speaker"."""


@dataclass(frozen=True)
class Context:
    """Read-only inputs shared by all handlers."""

    content: ContentLike
    settings: SkillSettings = field(default_factory=SkillSettings)

    def say(self, key: str, source: str, pick: int = 0, chime: bool = False, **values: str) -> Say:
        """One line from the response data, as a ``Say`` from ``source``."""
        return Say(text=self.content.line(key, pick, **values), source=source, chime=chime)
