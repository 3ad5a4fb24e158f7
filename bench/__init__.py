"""Benchmarks that print tables (``make bench``); never part of the pass/fail test run.

Test speech (voices, the sentences said, peak memory) comes from ``tests/testspeech.py``, the one
module the tests use too, so a benchmark and a test of the same thing hear the same audio.
"""

import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parent.parent / "tests")
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)
