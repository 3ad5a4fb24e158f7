"""The engines the speech tests render with: espeak-ng always, Piper where its package is
installed (a ``model`` test then, skipped without it). One list, so every test that speaks in
"each voice" means the same voices."""

from __future__ import annotations

import importlib.util

import pytest

has_piper = importlib.util.find_spec("piper") is not None

VOICES = [
    "espeak",
    pytest.param(
        "piper",
        marks=[pytest.mark.model, pytest.mark.skipif(not has_piper, reason="no piper")],
    ),
]
