"""Soak benchmark: an hour (or ``--minutes``) of ``voice-repair run`` in the PulseAudio test room.

``python -m bench soak [-- --minutes 60 --engine auto --seed 1]``. Not run by a bare
``python -m bench`` (it takes an hour): name it.

Why: a home speaker runs for weeks. A leak of a few kilobytes per utterance, a thread started per
timer, a file descriptor per played sound: none shows in a test that lasts seconds, all show as a
dead speaker a month later. This runs the real product (``tests/audio/rig.py``: private
PulseAudio server, ``voice-repair run -v`` as a child process, taps on both ends of the room) for
a long time through cycles of use, and samples the process from outside.

One cycle (about four minutes), its speaking voice taking turns between Piper's ``joe``,
espeak-ng and flite's ``slt``, ``rms`` and ``awb`` (``testspeech.recording``: each at its own
pace and sample rate):

* a pause is asked for ("pause for ten minutes"; a minute lasts ``--product-minute`` seconds, 10
  by default, so it ends inside the cycle), its time left asked, then everyday talk (near misses
  included), pink noise and silence while it runs; the end of the pause must be spoken (a
  ``pause.finished`` timer event in the log) before the cycle goes on. The settings are the test
  rig's quiet ones (``tests/audio/live.py``): nothing is said between a pause's start and end;
* a validation example, the next one, a reminder ("remind us to talk in ten minutes") that must
  come due in the cycle as well, a calm-down cut short with "stop", and a round of turns started
  and stopped.

A request is said again (up to three times, as a person repeats one that was not understood)
until the intent it asks for is logged; the table reports first-try and in-the-end counts. Any
intent logged during talk, noise or silence is a false activation.

Sampled every 10 s from ``/proc/<pid>``: resident memory (VmRSS), threads, open file
descriptors; CPU time during the silent stretches gives the idle load while listening. Memory
growth is measured from the end of the first cycle (the recognizer, the voice and the scheduler
loaded and used once) to the end of the run. What a leak would show in is the *lows*: the
resident memory swings by tens of MB with what the last reply and transcription left allocated,
so the lowest sample of each cycle is kept, against the simulated time (a day of the product's
clock passes in 24 real minutes at ``--product-minute 1``), and a straight line fitted to them
(least squares) gives their trend in MB per simulated hour.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "audio"))

from rig import Rig  # noqa: E402
from testspeech import TALK, recording, write_wav  # noqa: E402

from bench._room import private_room  # noqa: E402
from bench._scenes import _noise  # noqa: E402
from bench._soakreport import SAMPLE_SECONDS, Low, Sample, Soak, report  # noqa: E402

EXPLICIT_ONLY = True
"""``python -m bench`` without names skips this module: it runs for an hour."""

START_SECONDS = 600.0
"""How long the product's start may take: over 90 s at a load average of 22 (models loading
on a shared machine); a soak measures memory over hours, not how fast it starts."""

SPEAKERS = ("piper", "espeak", "slt", "rms", "awb")
PAUSE = ("pause for ten minutes", "pause.start")
STEPS_DURING_PAUSE = (("how much time is left", "pause.status"),)
STEPS_AFTER_PAUSE = (
    ("read me a validation example", "repair.validate"),
    ("next one", "control.next"),
    ("remind us to talk in ten minutes", "reminder.set"),
)
CALM = ("help me calm down", "ground")
TURNS = ("let's take turns", "turns.start")
STOP = ("stop", "control.stop")


def _proc(pid: int, at: float) -> Sample:
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)

    def mb(key: str) -> float:
        return int(fields[key].split()[0]) / 1024

    return Sample(
        at, mb("VmRSS"), int(fields["Threads"]), len(os.listdir(f"/proc/{pid}/fd")),
        anon_mb=mb("RssAnon"), file_mb=mb("RssFile") + mb("RssShmem"),
    )  # fmt: skip


def _cpu_s(pid: int) -> float:
    parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


class Runner:
    def __init__(self, rig: Rig, folder: Path, seed: int) -> None:
        self.rig = rig
        self.folder = folder
        self.rng = np.random.default_rng(seed)
        self.res = Soak()
        self.pid = rig.run.proc.pid
        self.last_sample = 0.0
        self.talk_at = 0

    def sample(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self.last_sample >= SAMPLE_SECONDS:
            self.last_sample = now
            self.res.samples.append(_proc(self.pid, now))

    def say(self, text: str, intent: str, voice: str, over_speech: bool = False) -> bool:
        """Say ``text`` until ``intent`` is logged (three tries at most); ``over_speech``: say
        it at once, while the assistant may be speaking (a "stop")."""
        wav = self.folder / f"{voice}_{text.replace(' ', '_')}.wav"
        if not wav.exists():
            pad = np.zeros(6400, dtype=np.int16)  # 0.4 s, as a person pauses around a request
            write_wav(wav, np.concatenate([pad, recording(text, voice), pad]))
        self.res.requests[(voice, intent)] += 1
        heard: list[str] = []
        for attempt in range(3):
            if not over_speech or attempt:
                self.rig.settle()
            mark = len(self.rig.lines())
            self.rig.play(wav)
            heard = self.rig.intents(self.rig.outcome(mark))
            if intent in heard:
                self.res.answered[(voice, intent)] += 1
                if attempt == 0:
                    self.res.first_try[(voice, intent)] += 1
                return True
        self.res.missed.append(f"{voice}: {text!r} (last heard as {heard or 'nothing'})")
        # The log names intents and events, never words: safe to show what happened around it.
        print("\n".join(self.rig.lines()[-12:]), file=sys.stderr)
        return False

    def _quiet_block(self, wav: Path | None, seconds: float, kind: str) -> None:
        """Play ``wav`` (or wait ``seconds`` of silence); any intent logged is a false one."""
        self.rig.settle()
        mark = len(self.rig.lines())
        cpu0, t0 = _cpu_s(self.pid), time.monotonic()
        if wav is not None:
            self.rig.play(wav)
        else:
            while time.monotonic() - t0 < seconds:
                time.sleep(1.0)
                self.sample()
            self.res.idle_cpu_s += _cpu_s(self.pid) - cpu0
        time.sleep(2.0)
        self.res.false += [f"{kind}: {i}" for i in self.rig.intents(self.rig.lines()[mark:])]
        self.sample()

    def talk(self, voice: str) -> None:
        sentences = [TALK[(self.talk_at + i) % len(TALK)] for i in range(6)]
        self.talk_at += 6
        gap = np.zeros(16000, dtype=np.int16)
        audio = np.concatenate([p for s in sentences for p in (recording(s, voice), gap)])
        wav = write_wav(self.folder / f"talk_{voice}.wav", audio)
        self.res.talk_s += audio.size / 16000
        self._quiet_block(wav, 0, f"talk ({voice})")

    def noise(self, seconds: float = 20.0) -> None:
        audio = _noise("pink", round(seconds * 16000), self.rng) * 1000.0  # ~ -30 dBFS
        wav = write_wav(self.folder / "noise.wav", np.clip(audio, -32768, 32767).astype(np.int16))
        self.res.noise_s += seconds
        self._quiet_block(wav, 0, "pink noise")

    def silence(self, seconds: float) -> None:
        self.res.silence_s += seconds
        self._quiet_block(None, seconds, "silence")

    def wait_timer(self, kind: str, before: int, timeout: float) -> None:
        """Wait for the timer event ``kind`` to be logged once more than ``before`` times."""
        self.res.timers_due += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.rig.run.count(f"timer event {kind}") > before:
                self.res.timers_spoken += 1
                return
            time.sleep(0.5)
            self.sample()
        self.res.missed.append(f"timer {kind} never spoken")

    def cycle(self, voice: str, product_minute: float) -> None:
        """One cycle; a timer whose request was never understood is not waited for."""
        count = self.rig.run.count
        finished = count("timer event pause.finished")
        paused = self.say(*PAUSE, voice)
        for text, intent in STEPS_DURING_PAUSE:
            self.say(text, intent, voice)
        self.talk(voice)
        self.noise()
        self.silence(15.0)
        if paused:
            self.wait_timer("pause.finished", finished, 10 * product_minute + 60)
        due = count("timer event reminder.due")
        reminded = False
        for text, intent in STEPS_AFTER_PAUSE:
            reminded |= self.say(text, intent, voice) and intent == "reminder.set"
        self.silence(20.0)
        self.say(*CALM, voice)
        time.sleep(1.5)
        self.say(*STOP, "piper", over_speech=True)
        if self.say(*TURNS, voice):  # a round started and stopped: its store rows come and go
            self.say(*STOP, "piper")
        if reminded:
            self.wait_timer("reminder.due", due, 10 * product_minute + 60)
        self.res.cycles += 1


_KINDS = ("rss_mb", "anon_mb", "file_mb")


def _warmed(rig: Rig, started: float, product_minute: float) -> str:
    """When the speech cache's warm-up ended (it renders the fixed lines ahead, on a fresh
    cache folder, while the speaker is idle): memory it takes is warm-up, not a leak."""
    for line in rig.lines():
        if any(end in line for end in _WARM_ENDS):
            at = rig.logged_at(line)
            if at is not None:
                hours = (at - started) / product_minute / 60
                return f"speech cache warm-up ended {hours:.1f} simulated h in: {line[24:]}"
    return "speech cache warm-up: not ended (or not logged) in this run"


_WARM_ENDS = ("speech cache warm:", "speech cache: full", "warming the speech cache stopped")


def _wait_warm(runner: Runner) -> None:
    """Sample, idle, until the speech cache's warm-up has ended (``--warm-first``)."""
    print("waiting for the speech cache's warm-up to end ...", file=sys.stderr)
    t0 = time.monotonic()
    while not any(end in line for line in runner.rig.lines() for end in _WARM_ENDS):
        time.sleep(2.0)
        runner.sample()
    print(f"  warm after {(time.monotonic() - t0) / 60:.1f} min", file=sys.stderr)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench soak")
    p.add_argument("--minutes", type=float, default=60.0, help="how long to run (default 60)")
    p.add_argument("--engine", default="auto", choices=["auto", "whisper", "pocketsphinx"])
    p.add_argument("--product-minute", type=float, default=10.0, help="seconds per product minute")
    p.add_argument("--voices", default=",".join(SPEAKERS), help="taking turns, one per cycle")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--keep", type=Path, help="copy the product's log here at the end (intent names, no words)"
    )
    p.add_argument(
        "--cache", type=Path, metavar="DIR",
        help="the product's cache folder (XDG_CACHE_HOME), kept: a device's second start finds "
        "its fixed lines rendered; default: a new one",
    )  # fmt: skip
    p.add_argument(
        "--warm-first", action="store_true",
        help="let the speech cache's warm-up end, idle, before the first cycle",
    )  # fmt: skip
    p.add_argument(
        "--tracemalloc", type=Path, metavar="DIR",
        help="trace the product's Python allocations; a snapshot in DIR at each cycle's end",
    )  # fmt: skip
    args = p.parse_args(argv)
    if args.tracemalloc is not None:  # the child inherits our environment (tests/audio/live.py)
        args.tracemalloc.mkdir(parents=True, exist_ok=True)
        os.environ["VR_TRACEMALLOC_DIR"] = str(args.tracemalloc.resolve())
        paths = [str(ROOT / "bench" / "_memtrace"), os.environ.get("PYTHONPATH", "")]
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    with private_room() as room:
        rig = runner = None
        started = time.monotonic()
        try:
            print("starting voice-repair run ...", file=sys.stderr)
            rig = Rig(
                room.pulse, room.run, minute=args.product_minute,
                extra=("--engine", args.engine, "--voice", "auto"), start_timeout=START_SECONDS,
                env=None if args.cache is None else {"XDG_CACHE_HOME": str(args.cache.resolve())},
            )  # fmt: skip
            runner = Runner(rig, room.speech, args.seed)
            runner.sample(force=True)
            if args.warm_first:
                _wait_warm(runner)
                started = time.monotonic()  # the simulated day starts after the warm-up
            n = 0
            while time.monotonic() - started < args.minutes * 60:
                voices = args.voices.split(",")
                voice = voices[n % len(voices)]
                print(f"cycle {n + 1} ({voice}), {(time.monotonic() - started) / 60:.1f} min",
                      file=sys.stderr)  # fmt: skip
                cycle_from = len(runner.res.samples)
                runner.cycle(voice, args.product_minute)
                runner.sample(force=True)
                runner.res.per_cycle.append(runner.res.samples[-1].rss_mb)
                if args.tracemalloc is not None:
                    (args.tracemalloc / f"cycle-{n + 1:03d}.req").touch()
                cycle = runner.res.samples[cycle_from:]
                simulated_h = (time.monotonic() - started) / args.product_minute / 60
                low = Low(simulated_h, *(min(getattr(s, k) for s in cycle) for k in _KINDS))
                runner.res.lows.append(low)
                print(f"  cycle lows: RSS {low.rss_mb:.0f}, own {low.anon_mb:.0f}, mapped "
                      f"{low.file_mb:.0f} MB at {simulated_h:.1f} simulated h, load "
                      f"{os.getloadavg()[0]:.1f}", file=sys.stderr)  # fmt: skip
                if n == 0:
                    runner.res.baseline = len(runner.res.samples) - 1
                n += 1
        except KeyboardInterrupt:
            print("interrupted: reporting what was seen so far", file=sys.stderr)
        finally:
            wall = time.monotonic() - started
            if runner is not None:
                print(report(runner.res, args, wall))
            if rig is not None:
                # A stream reopened after a starved stretch (a busy machine) is a thread and
                # descriptors that come and go: the count tells a leak from that.
                for what in ("microphone lost", "did not return"):
                    print(f"log lines with {what!r}: {rig.run.count(what)}")
                print(_warmed(rig, started, args.product_minute))
                if args.keep is not None:
                    args.keep.write_text(rig.run.log())
                rig.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
