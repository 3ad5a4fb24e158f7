"""The plain dataclasses that cross the boundaries between stages.

Data flows one way: microphone -> ``AudioChunk`` -> recognizer -> ``Utterance`` -> intent matcher ->
``IntentMatch`` -> handler -> ``Reply`` (``Say`` lines + timer ``Effect``s) -> speaker / scheduler.
Timer events come back as ``TimerEvent`` and are turned into ``Reply`` by the same handlers.
A stage knows these types, never the stage upstream of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

__all__ = [
    "AudioChunk",
    "Utterance",
    "IntentMatch",
    "Heard",
    "BARE_INTENTS",
    "Say",
    "StartPause",
    "ExtendPause",
    "EndPause",
    "StopAlarm",
    "AddReminder",
    "StartRound",
    "SwitchTurn",
    "ExtendTurn",
    "EndRound",
    "HoldReminders",
    "KeepReminders",
    "CancelReminders",
    "Effect",
    "Mode",
    "Reply",
    "TimerEvent",
    "PauseStatus",
    "RoundStatus",
    "ScriptCursor",
    "State",
]


@dataclass(frozen=True)
class AudioChunk:
    """A block of microphone audio."""

    samples: bytes
    """Signed 16-bit little-endian mono PCM."""
    sample_rate: int
    """Samples per second (16000 for both recognizers)."""
    start: float
    """Seconds since the stream started, of the first sample."""


@dataclass(frozen=True)
class Utterance:
    """One stretch of speech the recognizer heard, decided on after its end."""

    text: str
    """Best in-grammar transcript (lower case words); empty when nothing matched the grammar."""
    start: float
    """Seconds of audio from stream start to the start of speech."""
    end: float
    """Seconds of audio from stream start to the end of speech."""
    decided_at: float
    """Seconds of audio consumed when the recognizer decided (>= ``end``)."""
    confidence: float
    """0..1; how sure the recognizer is that ``text`` is what was said."""
    accepted: bool
    """False when the recognizer judged the speech to be outside the product's phrases."""
    enough_to_interrupt: bool = False
    """Passes the lower bar that is enough to *interrupt the assistant's own speech* with a
    "stop" phrase (``accepted`` implies it). Costs are lopsided: a wrong interruption costs a
    "say that again", a wrong request costs trust; and a one-word "stop" carries too little
    sound to clear the full bar (see ``asr.sphinx.Thresholds.interrupt_vs_phones``)."""
    words: tuple[tuple[str, float], ...] = ()
    """``text`` word by word with the recognizer's probability (0..1) that it heard that word,
    when the engine gives one (whisper); empty otherwise. Lets the intents stage correct only
    the words the recognizer was unsure of (``intents.nearest``)."""
    early: bool = False
    """A first reading by the speaker's own engine, handed out while a home server still
    transcribes the same speech (``asr.wyoming``). Acted on only when it is "stop" (which then
    only silences the speaker) or danger (``live.early``); the final reading follows."""


@dataclass(frozen=True)
class IntentMatch:
    """A sentence understood as one of the catalogue's intents."""

    intent: str
    """Intent name from ``intents/<lang>/intents.yaml``, e.g. ``pause.start``."""
    slots: dict[str, int | str] = field(default_factory=dict)
    """Slot values: ``minutes`` is always an int number of minutes, ``time`` is ``"HH:MM"``,
    ``route`` (of ``safety``) is ``self_harm``, ``violence``, ``medical`` or ``general``."""
    text: str = ""
    """The sentence as heard or typed (never logged)."""
    guessed: bool = field(default=False, compare=False)
    """Decided by the semantic net's nearness in meaning, not by a template or the danger scan:
    the session answers it only in a mode where that request makes sense (``skill.dispatch``'s
    ``GUESSED``), so "we're ready to go" said at the door ends no pause that is not running."""


BARE_INTENTS = frozenset({"control.stop", "safety"})
"""Acted on without the wake phrase too: "stop" must always work, and danger is never ignored."""


@dataclass(frozen=True)
class Heard:
    """One sentence heard or typed, matched once, on its way through the session's front door
    (``Session.hear``), which applies the wake phrase, danger and the mode."""

    match: IntentMatch | None
    """What it was understood as (the danger scan included); None: not a request."""
    woken: bool = True
    """Said after the wake phrase, or no wake phrase is set."""
    while_speaking: bool = False
    """Heard while the assistant spoke: only "stop" is acted on then (and danger, when
    ``echo_cancelled``)."""
    echo_cancelled: bool = False
    """The assistant's own voice was taken out of what the microphone heard, so words heard
    while it spoke are the person's, not its own read back."""


@dataclass(frozen=True)
class Say:
    """One thing to say aloud.

    ``text`` may contain timed silences in the markup ``[4s]`` / ``[1.5 s]``; the speech engine
    waits that long there and text mode shows the marker.
    """

    text: str
    """The words, with optional ``[Ns]`` silence markers."""
    source: str
    """What caused it: an intent name, or a timer event kind such as ``pause.finished``."""
    chime: bool = False
    """Play the soft chime before the words."""


@dataclass(frozen=True)
class StartPause:
    """Start a pause of ``minutes`` minutes (the engine schedules nudges, warning and end)."""

    minutes: int


@dataclass(frozen=True)
class ExtendPause:
    """Add ``minutes`` to the running pause."""

    minutes: int


@dataclass(frozen=True)
class EndPause:
    """Cancel everything scheduled for the running or ringing pause."""


@dataclass(frozen=True)
class StopAlarm:
    """Silence repeating invitations and reminders that are ringing now; keep future ones."""


@dataclass(frozen=True)
class AddReminder:
    """Schedule a spoken reminder, either at a wall-clock time or after some minutes."""

    at: datetime | None = None
    """Absolute local time (timezone-aware), for "at eight" / "tonight"."""
    in_minutes: int | None = None
    """Minutes from now, for "in an hour" (scaled by ``--minute``)."""


@dataclass(frozen=True)
class StartRound:
    """Start a round of turns: speaker one, the first listener's say-back, speaker two, the
    second listener's say-back (the engine schedules the end of each of the four parts)."""

    turn_minutes: int
    """Length of each speaker's turn, in minutes (1-15)."""
    reflect_minutes: int
    """Length of each listener's time to say back what they heard, in minutes."""


@dataclass(frozen=True)
class SwitchTurn:
    """End the current part of the running round now ("switch", "next"); the rest follows on."""


@dataclass(frozen=True)
class ExtendTurn:
    """Add ``minutes`` to the current part of the running round ("I need more time")."""

    minutes: int


@dataclass(frozen=True)
class EndRound:
    """Cancel everything scheduled for the running round."""


@dataclass(frozen=True)
class HoldReminders:
    """Take every pending reminder off the clock, kept aside (in memory) until
    ``KeepReminders``: after a danger reply nothing may call the couple back to the talk."""


@dataclass(frozen=True)
class KeepReminders:
    """Put the held reminders back on the clock ("keep the reminder"); those whose time passed
    while held are dropped."""


@dataclass(frozen=True)
class CancelReminders:
    """Cancel every pending and held reminder ("cancel the reminder")."""


Effect = (
    StartPause
    | ExtendPause
    | EndPause
    | StopAlarm
    | AddReminder
    | StartRound
    | SwitchTurn
    | ExtendTurn
    | EndRound
    | HoldReminders
    | KeepReminders
    | CancelReminders
)


class Mode(Enum):
    """Where the conversation is: what a request means depends on it (``skill.dispatch``)."""

    IDLE = "idle"
    """Nothing running; everyday talk around the speaker."""
    PAUSING = "pausing"
    """A pause runs, or has ended and its invitation back is still repeating."""
    IN_ROUND = "in a round"
    """A round of turns runs."""
    AFTER_ROUND = "after a round"
    """A round just finished with its question (another round, a pause, or done)."""
    READING = "reading"
    """A script is being read: "next" and "repeat" go on with it."""
    AFTER_DANGER = "after danger"
    """Someone told of danger: nothing invites the couple back to the talk until they ask."""


@dataclass(frozen=True)
class ScriptCursor:
    """Where the reader is in a family of scripts, so "next" and "repeat" work."""

    family: str
    """Script family, e.g. ``repair.validate`` or ``ground``."""
    index: int
    """Index of the item last read."""


@dataclass(frozen=True)
class Reply:
    """What a handler decided: lines to say and timer effects to apply, in order."""

    says: tuple[Say, ...] = ()
    effects: tuple[Effect, ...] = ()
    cursor: ScriptCursor | None = None
    """The script position after this reply (None: not reading a script)."""
    repeatable: bool = True
    """Whether "repeat" should say this reply again (False for e.g. "stop")."""
    mode: Mode | None = None
    """The mode this reply puts the conversation in; None: the default (``skill.next_mode``).
    A running pause or round always wins (``skill.settle``)."""


@dataclass(frozen=True)
class TimerEvent:
    """A scheduled moment that has come, handed from the scheduler to the handlers."""

    kind: str
    """One of pause.nudge, pause.warning, pause.finished, pause.reminder, reminder.due,
    turns.reflect (a turn is over: the listener says back), turns.switch (the second turn
    starts), turns.finished (both turns are done)."""
    due: datetime
    """When it was meant to fire (timezone-aware)."""
    late_seconds: float = 0.0
    """How late it fired in real seconds (large after a restart)."""
    number: int = 0
    """For repeats: which repeat this is (1-based); for nudges: which nudge."""
    late: bool = False
    """True when it came due while the assistant was down and is spoken late."""
    repeat: bool = False
    """True when an earlier run claimed it and was stopped (killed) before it was marked spoken:
    it may have been said already, and the words say so."""


@dataclass(frozen=True)
class PauseStatus:
    """The running pause as the handlers see it."""

    remaining_minutes: float
    """Minutes left (in the assistant's minutes, see ``--minute``); 0 once it has ended."""
    total_minutes: int
    """Length asked for, extensions included."""
    ringing: bool = False
    """The pause has ended and the invitation is still repeating."""


ROUND_PARTS = ("speak", "reflect", "speak", "reflect")
"""The four parts of a round, in order: speaker one talks, listener two says back, speaker two
talks, listener one says back."""


@dataclass(frozen=True)
class RoundStatus:
    """The running round of turns as the handlers see it."""

    part: int
    """Which of the four parts is running (0-3, see ``ROUND_PARTS``): 0 and 2 are turns to speak,
    1 and 3 the listener's time to say back what they heard."""
    remaining_minutes: float
    """Minutes left in this part (in the assistant's minutes, see ``--minute``)."""
    turn_minutes: int
    """Length of each speaker's turn as asked for."""

    @property
    def speaking(self) -> bool:
        """A speaker's turn (not a listener's say-back)."""
        return ROUND_PARTS[self.part] == "speak"

    @property
    def speaker(self) -> int:
        """0 for the first speaker, 1 for the second, of the current part: in a say-back part
        the one who just spoke."""
        return self.part // 2


@dataclass(frozen=True)
class State:
    """A snapshot of everything a handler may look at; handlers never read clocks or files."""

    now: datetime
    """Current local time, timezone-aware."""
    pause: PauseStatus | None = None
    cursor: ScriptCursor | None = None
    last: Reply | None = None
    """The last repeatable reply, for "say that again"."""
    reminders: tuple[datetime, ...] = ()
    """When each pending reminder is due, soonest first (timezone-aware)."""
    held_reminders: tuple[datetime, ...] = ()
    """When each reminder held since a danger reply was due ("keep the reminder")."""
    turn: int = 0
    """How many replies came before; used to vary wording without randomness."""
    round: RoundStatus | None = None
    """The running round of turns ("let's take turns"), or None."""
    mode: Mode = Mode.IDLE
    """Where the conversation is (``Mode``)."""
    interrupted: bool = False
    """The request was said over the assistant's own speech (only "stop" is answered then)."""

    @property
    def pending_reminders(self) -> int:
        return len(self.reminders)
