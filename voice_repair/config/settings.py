"""Settings: frozen dataclasses with documented fields (units in every name or docstring).

One TOML file in the XDG config folder holds what a household may want to change: devices, engine,
voice, pause length, reminder repeats, contacts. Every setting has a default, so a missing file at
the default place is fine; a file given with ``--config`` must exist. Reading and checking the file
lives in ``file.py`` and printing it back in ``render.py``; this module is the vocabulary the
rest of the program speaks, and imports neither.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "AudioConfig",
    "RecognitionConfig",
    "VoiceConfig",
    "PauseConfig",
    "ReminderConfig",
    "TurnsConfig",
    "ContactsConfig",
    "Config",
    "Sources",
    "default_config_path",
    "default_data_dir",
]

Sources = dict[str, str]
"""Dotted setting name (``pause.default_minutes``) -> where its value came from."""


def _setting(default: object, kind: str, **rule: object) -> object:
    """A dataclass field whose metadata tells ``file.py`` how to check a value from outside.

    ``kind`` is one of int, float, bool, str, fractions, path, names (two names or none);
    ``rule`` may hold ``lo``/``hi`` (inclusive bounds), ``choices``, ``optional`` (None
    allowed), ``lower`` (lower-case and collapse spaces first) and ``pattern`` + ``shape`` (a
    regular expression and the words that describe it to a person).
    """
    return field(default=default, metadata={"kind": kind, **rule})


@dataclass(frozen=True)
class AudioConfig:
    """Which sound devices to use."""

    input_device: str | None = _setting(None, "str", optional=True)
    """Microphone: a device name or a unique part of one; None uses the sound server's default."""
    output_device: str | None = _setting(None, "str", optional=True)
    """Speaker: a device name or a unique part of one; None uses the sound server's default."""
    echo_cancel: str = _setting(
        "off", "str", choices=("auto", "speex", "webrtc", "duck", "pulse", "off")
    )
    """Taking the assistant's own voice out of the microphone, so "stop" and danger said over
    it are heard: "speex" in process (libspeexdsp), "webrtc" in process (``pywebrtc-audio``),
    "duck" (no canceller: its voice ducked when someone talks over it, and a "stop" looked
    for there; every in-process method does that too), "pulse" (PulseAudio's
    ``module-echo-cancel``), "auto" (the first that works, in that order), or "off"."""
    echo_process: bool = _setting(False, "bool")
    """Run an in-process method's canceller, detector and stop spotter in a process of their
    own (``live/echoproc.py``), which mutes the speaker itself when it spots "stop": a busy
    assistant no longer delays the cut (``bench bargein`` at load 28-38: 10 of 12 stops acted
    on against 4 of 12 in process). Off by default: with it on, ``test_end_to_end``'s own
    voice looped back into the room was cut as a "stop" in 2 runs of 3, where the in-process
    path passed 1 of 1 (README, fourteenth session). When the process cannot start, the echo
    path runs in the assistant's process, said in the log. Changes nothing while
    ``echo_cancel`` is "off" or "pulse"."""


@dataclass(frozen=True)
class RecognitionConfig:
    """How spoken requests are recognized: on this speaker, or by a home server when asked."""

    engine: str = _setting(
        "auto", "str", choices=("auto", "whisper", "pocketsphinx", "vosk", "wyoming")
    )
    """auto: whisper when its model is installed and passes its checksums (``make install``),
    else vosk when a vosk model is installed, else pocketsphinx (bundled English model).
    wyoming: the Wyoming server at ``uri`` writes down each request (the words said travel over
    the home network to that machine, and only there); the engine auto picks decides whenever
    the server does not answer."""
    model: str | None = _setting(None, "str", optional=True)
    """Folder of the model to use: a vosk model, or a Whisper one (``models download base.en``)
    with engine ``whisper``; None: the bundled Whisper model, or the first vosk model found in
    ``models/`` (its README)."""
    wake_phrase: str | None = _setting(
        None,
        "str",
        optional=True,
        lower=True,
        pattern=r"[a-z']+( [a-z']+){0,3}",
        shape='one to four lower-case words, e.g. "hey compass"',
    )
    """When set, only requests that follow it are acted on (except "stop"); None: always listen."""
    uri: str | None = _setting(None, "str", optional=True)
    """The home server for engine ``wyoming``: ``tcp://HOST:PORT`` (``tcp://192.168.1.20:10300``).
    HOST must be on the home network (loopback, a private or link-local address, a ``.local``,
    ``.lan`` or ``.home.arpa`` name) unless ``allow_remote`` is true."""
    allow_remote: bool = _setting(False, "bool")
    """Accept a ``uri`` outside the home network. Off: words never leave the house."""
    answer_seconds: float = _setting(2.0, "float", lo=0.2, hi=30.0)
    """Seconds the home server may take to answer after the audio's end before this speaker's
    own engine decides (Whisper tiny.en takes about half a second here)."""


@dataclass(frozen=True)
class VoiceConfig:
    """How the assistant speaks."""

    voice: str = _setting("auto", "str", choices=("auto", "espeak", "piper", "wyoming"))
    """auto: Piper when its voice is installed, else espeak-ng. wyoming: the Wyoming voice
    server at ``uri`` renders each line (the text of the assistant's replies travels over the
    home network to it); the auto voice speaks whenever it does not answer."""
    rate_wpm: int = _setting(150, "int", lo=80, hi=400)
    """Speaking rate in words per minute (calm speech is about 130-160); not sent to a server."""
    uri: str | None = _setting(None, "str", optional=True)
    """The home voice server for voice ``wyoming``: ``tcp://HOST:PORT`` (``wyoming-piper``
    listens on 10200); on the home network unless ``allow_remote`` is true."""
    allow_remote: bool = _setting(False, "bool")
    """Accept a ``uri`` outside the home network."""


@dataclass(frozen=True)
class PauseConfig:
    """The timed break ("I need a pause")."""

    default_minutes: int = _setting(20, "int", lo=1, hi=180)
    """Length of a pause in minutes when the request names none."""
    nudges_at: tuple[float, ...] = _setting((0.5,), "fractions")
    """Gentle reminders during a pause, as fractions of its length (0 < f < 1); () for none."""
    warning_minutes: float = _setting(1.0, "float", lo=0, hi=60)
    """Minutes before the end when a heads-up is spoken; 0 for none."""
    repeat_every_minutes: float = _setting(2.0, "float", lo=0.25, hi=60)
    """Minutes between repeats of the end-of-pause invitation until someone says "stop"."""
    repeat_count: int = _setting(3, "int", lo=0, hi=10)
    """How many times the invitation is repeated after the first; 0 for no repeats."""


@dataclass(frozen=True)
class ReminderConfig:
    """Spoken reminders ("remind us to talk in an hour")."""

    grace_minutes: float = _setting(10.0, "float", lo=0, hi=1440)
    """A reminder missed (power cut, restart) is still spoken if this many minutes late or less."""
    evening_hour: int = _setting(20, "int", lo=0, hi=23)
    """Hour of the day (0-23, local time) that "tonight", "this evening", "tomorrow evening"
    and a bare "tomorrow" mean."""
    morning_hour: int = _setting(9, "int", lo=5, hi=11)
    """Hour of the day (5-11, local time) that "tomorrow morning" and "in the morning" mean."""


@dataclass(frozen=True)
class TurnsConfig:
    """A round of turns ("let's take turns"): one partner speaks, the other only listens."""

    names: tuple[str, ...] = _setting(
        (),
        "names",
        shape='two names in quotes, first speaker first, e.g. ["Sam", "Alex"], or [] for none',
    )
    """The two partners' names, said when a round starts and at the swap; () for "the first
    speaker" and "the second speaker"."""
    turn_minutes: int = _setting(3, "int", lo=1, hi=15)
    """Length of each turn in minutes when the request names none."""
    reflect_minutes: int = _setting(1, "int", lo=1, hi=5)
    """Minutes for the listener to say back what they heard, after each turn."""


_CONTACT = {"optional": True, "pattern": r"\S.{0,199}", "shape": "1 to 200 characters"}


COUNTRIES = ("US", "GB", "IE", "CA", "AU", "NZ", "DE", "EU")
"""Countries with a set of safety lines in ``intents/<lang>/responses/contacts.yaml`` (EU:
elsewhere in the European Union, 112 only)."""


@dataclass(frozen=True)
class ContactsConfig:
    """Spoken phrases for safety requests, as one set per country.

    ``country`` picks all of a country's lines from intents/<lang>/responses/contacts.yaml; each
    route below replaces that one line. Routes set without a country are the only ones named (the
    reply gives general advice for the rest), so no other country's line is ever mixed in.
    Nothing set at all: the United States lines.
    """

    country: str | None = _setting(None, "str", optional=True, upper=True, choices=COUNTRIES)
    """Two-letter country code whose lines are spoken; None: the US lines, or only the routes
    set below when any is set."""
    emergency_number: str | None = _setting(None, "str", **_CONTACT)
    """Emergency services, e.g. "911" or "112"."""
    crisis_line: str | None = _setting(None, "str", **_CONTACT)
    """A mental-health crisis line, e.g. "988"."""
    dv_hotline: str | None = _setting(None, "str", **_CONTACT)
    """A domestic-violence hotline number."""
    dv_text: str | None = _setting(None, "str", **_CONTACT)
    """A domestic-violence text line, e.g. "text START to 88788"."""
    support_contact: str | None = _setting(None, "str", **_CONTACT)
    """Someone the couple chose to call, e.g. "our counsellor Sam on 555 0134"."""


def _xdg_dir(variable: str, fallback: str) -> Path:
    """An XDG base folder; relative values are ignored, as the XDG specification asks."""
    value = os.environ.get(variable, "")
    base = Path(value) if value and Path(value).is_absolute() else Path.home() / fallback
    return base / "voice-repair"


def default_config_path() -> Path:
    """``$XDG_CONFIG_HOME/voice-repair/config.toml`` (``~/.config/...`` when unset)."""
    return _xdg_dir("XDG_CONFIG_HOME", ".config") / "config.toml"


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/voice-repair`` (``~/.local/share/voice-repair`` when unset)."""
    return _xdg_dir("XDG_DATA_HOME", ".local/share")


SECTIONS: dict[str, type] = {
    "audio": AudioConfig,
    "recognition": RecognitionConfig,
    "voice": VoiceConfig,
    "pause": PauseConfig,
    "reminders": ReminderConfig,
    "turns": TurnsConfig,
    "contacts": ContactsConfig,
}
"""TOML table name -> the dataclass it fills (also the attribute name on ``Config``)."""


@dataclass(frozen=True)
class Config:
    """Every setting of the assistant. Build it with ``load_config``."""

    audio: AudioConfig = field(default_factory=AudioConfig)
    recognition: RecognitionConfig = field(default_factory=RecognitionConfig)
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    pause: PauseConfig = field(default_factory=PauseConfig)
    reminders: ReminderConfig = field(default_factory=ReminderConfig)
    turns: TurnsConfig = field(default_factory=TurnsConfig)
    contacts: ContactsConfig = field(default_factory=ContactsConfig)
    language: str = _setting(
        "en", "str", lower=True, pattern=r"[a-z]{2}", shape="a two-letter code such as en"
    )
    """Language of the phrases and answers: the folder name under ``intents/``."""
    data_dir: Path = field(default_factory=default_data_dir, metadata={"kind": "path"})
    """Timer store folder (``~/.local/share/voice-repair``); the service may write only here."""
    debug_transcripts: bool = _setting(False, "bool")
    """Log what was heard, word for word. Off by default: nothing people say is ever stored."""
