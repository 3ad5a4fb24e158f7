"""The semantic model is loaded in the background at start-up (``run``, and ``chat`` at a
terminal), so the first request that needs it is answered without waiting for the loading, and
start-up itself does not wait for it either; a process that ends meanwhile still ends cleanly."""

from __future__ import annotations

import copy
import subprocess
import sys
import time
from pathlib import Path

import pytest

from voice_repair import app
from voice_repair.config import Config
from voice_repair.intents.matcher import IntentMatcher, normalize
from voice_repair.intents.semantic import SemanticNet
from voice_repair.models import Say

INTENTS = Path(__file__).resolve().parent.parent / "intents" / "en"


@pytest.mark.model
def test_the_model_loads_at_start_up_and_the_first_request_is_answered(tmp_path):
    # A matcher of its own with a net never loaded (the process may share a loaded one).
    matcher = copy.copy(IntentMatcher.load(INTENTS))
    matcher.semantic = SemanticNet(INTENTS, normalize)
    heard: list[Say] = []
    options = app.Options(config=Config(data_dir=tmp_path / "data"), minute_seconds=0.1)
    session, engine = app.start_session(options, heard.append, matcher, warm=True)
    try:
        deadline = time.monotonic() + 120  # 0.4 s on a quiet machine; generous under load
        while not matcher.semantic.loaded and time.monotonic() < deadline:
            time.sleep(0.05)
        assert matcher.semantic.loaded, "nobody asked yet, and the model was not loaded"
        assert matcher.semantic.problem is None
        session.handle_text("we should get some professional help with this")
        assert heard and heard[-1].source == "support" and "therap" in heard[-1].text
    finally:
        engine.shutdown()


@pytest.mark.model
def test_a_process_that_ends_while_the_model_loads_exits_cleanly():
    """onnxruntime aborted the process (exit status 134, "terminate called without an active
    exception") when it ended while the session was being created: 4 of 6 piped chats here."""
    for wait in (0.1, 0.3, 0.8):  # it aborted at each of these here (134, 134, 139)
        code = (
            "import time; from pathlib import Path; "
            "from voice_repair.intents.matcher import normalize; "
            "from voice_repair.intents.semantic import SemanticNet; "
            f"SemanticNet(Path({str(INTENTS)!r}), normalize).warm(); time.sleep({wait})"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert done.returncode == 0, f"exit status {done.returncode}: {done.stderr}"


def test_a_piped_chat_answering_a_template_request_loads_no_model_and_no_numpy(tmp_path):
    """A start that no sentence sends to the semantic net pays for neither the model nor numpy
    (0.1 s of CPU of each start, and the test suite starts ``chat`` hundreds of times)."""
    code = (
        "import sys; from voice_repair.cli import main; "
        f"status = main(['chat', '--data-dir', {str(tmp_path / 'data')!r}]); "
        "print('loaded:', sorted({'numpy', 'onnxruntime'} & set(sys.modules))); "
        "sys.exit(status)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], input="I need a pause\n", capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "Pausing for twenty minutes" in done.stdout
    assert "loaded: []" in done.stdout
