"""One error base class, so the command line can turn any expected failure into a clear message.

Every error carries a message written for the person at the keyboard: what is wrong and what to do.
"""

from __future__ import annotations

__all__ = [
    "VoiceRepairError",
    "ConfigError",
    "IntentDataError",
    "AudioDeviceError",
    "ModelError",
    "TimerStoreError",
    "DataProblem",
]

from dataclasses import dataclass


class VoiceRepairError(Exception):
    """Base class of every error the assistant expects and explains."""


class ConfigError(VoiceRepairError):
    """A setting is missing, unknown or out of range."""


@dataclass(frozen=True)
class DataProblem:
    """One problem in a data file, reported as ``file:line: message``."""

    path: str
    """File the problem is in (as given, usually relative to the data root)."""
    line: int
    """1-based line number; 0 when the whole file is the problem."""
    message: str
    """What is wrong, in plain words."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class IntentDataError(VoiceRepairError):
    """The intent or response data under ``intents/`` is malformed."""

    def __init__(self, problems: list[DataProblem]) -> None:
        self.problems = problems
        lines = "\n".join(str(p) for p in problems)
        super().__init__(
            f"{len(problems)} problem(s) in the intent data:\n{lines}\n"
            "Fix these lines (run `voice-repair check` to re-test) and start again."
        )


class AudioDeviceError(VoiceRepairError):
    """A microphone or speaker is missing or cannot be opened."""


class ModelError(VoiceRepairError):
    """A speech model is missing, incomplete or cannot be downloaded."""


class TimerStoreError(VoiceRepairError):
    """The timer store cannot be created or written."""
