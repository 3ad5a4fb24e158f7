"""Measurement switches: environment variables a bench sets to run a feature on and off side by
side in one live run (``bench/acoustic.py --speculate on,off``, ``--foresee on,off``).

They are not settings (nobody at home needs them), so they stay out of the TOML file; a value
other than ``0`` or ``1`` is a mistake, said with what to write, never read as either.
"""

from __future__ import annotations

import os

from .errors import ConfigError

__all__ = ["switch_on"]


def switch_on(variable: str, on: str, off: str) -> bool:
    """True unless ``$variable`` is ``0``; ``on``/``off`` say what each value does, for the
    message that names a value that is neither."""
    value = os.environ.get(variable, "1").strip()
    if value not in ("0", "1"):
        raise ConfigError(
            f"{variable}={value!r} is not understood: use 1 ({on}, the default) or 0 ({off}),"
            " or unset it."
        )
    return value == "1"
