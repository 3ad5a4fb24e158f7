"""Settings: what a household may change, read from one TOML file, checked with file:line.

Takes the TOML file (``--config`` or ``~/.config/voice-repair/config.toml``) and command-line
overrides; gives a frozen ``Config`` of documented dataclasses (units in every name or docstring).

- ``settings.py``  the dataclasses, their defaults and bounds, the XDG paths
- ``file.py``      reading and checking the file: ``load_config``, ``load_config_with_sources``
- ``render.py``    the effective settings printed back as TOML (``voice-repair config``)
"""

from .. import lazy_exports

__all__ = [
    "AudioConfig",
    "RecognitionConfig",
    "VoiceConfig",
    "PauseConfig",
    "ReminderConfig",
    "ContactsConfig",
    "Config",
    "Sources",
    "default_config_path",
    "default_data_dir",
    "load_config",
    "load_config_with_sources",
    "describe",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "AudioConfig": ".settings",
        "RecognitionConfig": ".settings",
        "VoiceConfig": ".settings",
        "PauseConfig": ".settings",
        "ReminderConfig": ".settings",
        "ContactsConfig": ".settings",
        "Config": ".settings",
        "Sources": ".settings",
        "default_config_path": ".settings",
        "default_data_dir": ".settings",
        "load_config": ".file",
        "load_config_with_sources": ".file",
        "describe": ".render",
    },
)
