"""The speech engines rendering from several threads at once, in a process of its own.

The audio phase of the sixth session's merge lost pytest workers to a segmentation fault (in a
thread with no Python frame) and to a hang (a thread in libespeak-ng) while test speech and the
product's speech were rendered in one process. Here the same engines are driven from several
threads for a few seconds in a child process, so a crash is seen as the child's signal and a
hang as its timeout, not as a dead worker. Real pyttsx3/espeak-ng and real Piper, no stand-in.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.slow

SECONDS = 4.0
"""How long the threads render in the child (the failure showed within seconds: see below)."""

_CHILD = textwrap.dedent(
    """
    import gc, sys, threading, time
    from voice_repair.speech.engines import EspeakTTS, PiperTTS
    from voice_repair.speech.turns import GiveWay

    kind, seconds = sys.argv[1], float(sys.argv[2])
    end = time.monotonic() + seconds
    said = ["Okay, ending the pause.", "Stopped.", "Let us breathe in slowly, and out again."]
    failed, done = [], []

    def fresh_espeak(text):  # a voice built, used and let go, as each test's speaker is
        tts = EspeakTTS()
        samples, _ = tts.render(text)
        del tts
        gc.collect()
        return samples

    def piper_ahead():  # a rendering ahead, stopped now and then as a reply would stop it
        tts = PiperTTS(variation=False)
        def kick():
            while time.monotonic() < end:
                time.sleep(0.05)
                tts.give_way()
        threading.Thread(target=kick, daemon=True).start()
        def render(text):
            try:
                return tts.render_ahead(text)[0]
            except GiveWay:
                return None
        return render

    def keep(name, render):
        n = 0
        try:
            while time.monotonic() < end:
                samples = render(said[n % len(said)])
                if samples is not None and samples.size == 0:
                    failed.append(f"{name}: no audio")
                n += 1
        except Exception as exc:
            failed.append(f"{name}: {exc!r}")
        done.append(n)

    if kind == "espeak":
        jobs = [(f"espeak {i}", fresh_espeak) for i in range(4)]
    else:
        reply, espeak = PiperTTS(variation=False), EspeakTTS()
        jobs = [("piper reply", lambda text: reply.render(text)[0])]
        jobs += [("piper ahead", piper_ahead()), ("espeak", lambda text: espeak.render(text)[0])]
    threads = [threading.Thread(target=keep, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("rendered", sum(done), "failed", failed)
    sys.exit(1 if failed else 0)
    """
)


def _run(kind: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    try:
        return subprocess.run(
            [sys.executable, "-X", "faulthandler", "-c", _CHILD, kind, str(SECONDS)],
            capture_output=True,
            text=True,
            timeout=SECONDS + 60,
            env=env,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"rendering from several threads hung: {exc.stderr!r}")


def _check(child: subprocess.CompletedProcess[str]) -> None:
    assert child.returncode >= 0, f"died of signal {-child.returncode}: {child.stderr[-3000:]}"
    assert child.returncode == 0, child.stdout + child.stderr[-3000:]
    # A callback of libespeak-ng's thread reaching an engine already let go: the race that,
    # a moment later, frees the callback under that thread (seen as a segfault).
    assert "Exception ignored on calling ctypes callback" not in child.stderr, child.stderr


def test_espeak_voices_built_and_let_go_on_several_threads() -> None:
    """Four threads, each building an espeak voice, rendering and letting it go, as each test's
    speaker does. Before the one kept engine (``speech/espeakng.py``): four 40-second runs of
    this gave a segfault, a hang, and callbacks into engines already let go."""
    _check(_run("espeak"))


def test_piper_reply_piper_ahead_and_espeak_at_once() -> None:
    """A reply in Piper, a rendering ahead in another Piper (stopped now and then) and espeak,
    all at once: Piper's phonemizer is its own copy of espeak-ng, and never faulted here."""
    pytest.importorskip("piper")
    _check(_run("piper"))
