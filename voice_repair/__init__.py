"""voice-repair: an offline voice companion for couples in a hard conversation.

The flow, one package per stage (each ``__init__`` says what it takes and gives)::

    microphone -> recognizer -> intent matcher -> handler -> speaker
     audio/       asr/          intents/          skill/     speech/, audio/
                                                    |
                                                    +-> scheduler (timers/) -> handler events

``app.py`` wires the stages (``live/`` is its voice half); ``cli.py`` parses arguments;
``models.py`` holds the dataclasses that cross stage boundaries, ``errors.py`` the error types.
"""

from pathlib import Path

__version__ = "0.1.0"

SOURCE_ROOT = Path(__file__).resolve().parent.parent
"""The checkout (or install prefix) that holds ``intents/``, ``models/`` and ``systemd/``."""

DEFAULT_INTENTS = SOURCE_ROOT / "intents"
"""The shipped intent and response data, one sub-folder per language (``--intents``' default).
Here, not in ``app.py``, so that ``cli.py`` can build its parser without importing ``app``."""


def lazy_exports(package: str, names: dict[str, str]):  # -> a module __getattr__
    """A module ``__getattr__`` (PEP 562) importing each public name from its module at first use.

    Every stage package exports its public names this way rather than importing them eagerly, so
    that reaching one light module (``speech.markup`` for the content checks, say) does not load
    PortAudio, Piper or a recognizer model. ``names`` maps a public name to its module, relative to
    ``package`` (``{"Speaker": ".speaker"}``).
    """
    import importlib

    def __getattr__(name: str) -> object:
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(names[name], package), name)

    return __getattr__
