"""Barge-in: a bare "stop" said over its own speech, its voice as loud as the person's.

    python -m bench bargein -- [--trials 20] [--methods speex,speex+proc,webrtc,pulse,off]
                               [--after 1,3]
                               [--engine pocketsphinx|whisper] [--reverb 0.0] [--talk 10]
                               [--idle 20] [--warm-wait 600]
                               [--keep-log DIR] [--record DIR]

A private PulseAudio room that carries the assistant's voice back into its microphone
(``tests/audio/echoroom.py``) at the level that makes it as loud there as the person saying
"stop"; ``voice-repair run`` with ``audio.echo_cancel`` set to each method in turn (``+proc``:
with ``audio.echo_process`` on, the echo path in a process of its own). Each trial
asks for a guided exercise, says "stop" (a fresh Piper rendering) one to three seconds into it,
and reads the log (``tests/audio/bargein.py``). Prints per method: stops acted on, end of the
word -> speech cut (median, p95, worst), other intents acted on (self-triggers), replies its
own voice cut before anyone spoke (false stops), replies cut by everyday talk said over them
the same way (``--talk``), the player's underruns, and the product's CPU while idle
(listening, nothing said) over ``--idle`` seconds, after the trials and once its fixed lines
are rendered ahead (``--warm-wait``).

``--record DIR`` keeps, per method, what the echo canceller got (``DIR/<method>/``: the
microphone, the reference, the player's blocks; ``voice_repair/audio/echorecord.py``) and what
the speaker really played (``speaker.s16`` from ``speaker.monitor``) for
``python -m bench echoreplay DIR/<method>``. Audio of test speech only, in the folder asked.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "audio"))

import bargein  # noqa: E402
from echoroom import EchoSpec  # noqa: E402
from rig import Rig  # noqa: E402
from testspeech import TALK, synth_samples, synth_wav, write_wav  # noqa: E402

from bench._room import private_room  # noqa: E402
from voice_repair.audio.echorecord import ENV as ECHO_RECORD  # noqa: E402

EXPLICIT_ONLY = True  # about ten minutes per method


def _fresh_stop(path: Path) -> Path:
    """A new Piper rendering of "stop" (its synthesis varies), 0.4 s of silence around it."""
    pad = np.zeros(6400, dtype=np.int16)
    return write_wav(path, np.concatenate([pad, synth_samples.__wrapped__("stop", "piper"), pad]))


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


WARM_DONE = ("speech cache warm:", "speech cache: full")
"""The product's log lines that end its rendering ahead of the fixed lines (``speech/cache.py``)."""


def idle_cpu(rig: Rig, seconds: float, warm_wait: float) -> tuple[float, str]:
    """Share of one core the product used while listening to a quiet room, and when.

    Measured once the fixed lines have been rendered ahead (waited for at most ``warm_wait``
    seconds): that one-time work of a first start (minutes of Piper's CPU at a load average of
    6-10) was counted as idle before, and made up most of the 25-35% reported then."""
    rig.settle()
    deadline = time.monotonic() + warm_wait
    while time.monotonic() < deadline and not _warmed(rig):
        time.sleep(1.0)
    state = (
        "after the warm-up"
        if _warmed(rig)
        else (f"WHILE rendering ahead (not done after {warm_wait:.0f} s more)")
    )
    c0, t0 = _cpu_seconds(rig.run.proc.pid), time.monotonic()
    time.sleep(seconds)
    return (_cpu_seconds(rig.run.proc.pid) - c0) / (time.monotonic() - t0), state


def _warmed(rig: Rig) -> bool:
    return any(done in line for line in rig.lines() for done in WARM_DONE)


def _underruns(lines: list[str]) -> int:
    """Blocks the sound server found missing, as the player logged them."""
    found = (re.search(r"playback: (\d+) underruns", line) for line in lines)
    return sum(int(m.group(1)) for m in found if m)


def _talk_trials(rig: Rig, room, request: Path, stop: Path, spec: EchoSpec, rng, args):
    """Everyday sentences said over its speech the way "stop" is: (replies cut by them,
    replies its own voice cut before them)."""
    cut = early = 0
    for i in range(args.talk):
        text = rng.choice(TALK)
        pad = np.zeros(6400, dtype=np.int16)
        wav = write_wav(
            room.speech / f"talk{i}.wav",
            np.concatenate([pad, synth_samples(text, "piper"), pad]),
        )
        found = bargein.trial(rig, request, wav, spec, rng, args.after, quiet_wav=stop)
        if found is not None:
            cut += found.cut
            early += found.cut_early
            print(f"  talk {i + 1} ({text!r}): cut={found.cut} early={found.cut_early}",
                  file=sys.stderr)  # fmt: skip
    return cut, early


def echo_removed(lines: list[str]) -> str:
    """The product's per-reply echo figures (``audio/erle.py``): medians, early and whole."""
    found = [
        re.search(r"echo removed: (-?[\d.]+) dB in the first .* (-?[\d.]+) dB over", ln)
        for ln in lines
    ]
    pairs = [(float(m.group(1)), float(m.group(2))) for m in found if m]
    if not pairs:
        return "echo removed: not logged"
    early, whole = zip(*pairs, strict=True)
    return (
        f"echo removed (median of {len(pairs)} replies): first 2 s {np.median(early):.1f} dB, "
        f"whole reply {np.median(whole):.1f} dB"
    )


def _record_speaker(room, folder: Path) -> subprocess.Popen[bytes]:
    """``parec speaker.monitor`` into ``folder/speaker.s16`` (what the sound server really
    played, its gaps included), with the clock when it started in ``speaker.start``."""
    out = open(folder / "speaker.s16", "wb")  # noqa: SIM115 (the child writes it)
    (folder / "speaker.start").write_text(f"{time.monotonic():.6f}\n")
    return subprocess.Popen(
        ["parec", "--device=speaker.monitor", "--format=s16le", "--rate=16000", "--channels=1",
         "--latency-msec=10", "--raw"],
        env=room.pulse.child_env(), stdout=out,
    )  # fmt: skip


def run_method(method: str, args, rng: random.Random) -> str:
    with private_room() as room:
        base, _, how = method.partition("+")  # "speex+proc": the echo path in its own process
        config = bargein.CONFIG.format(method=base)
        if how == "proc":
            config += "echo_process = true\n"
        env: dict[str, str | None] = {}
        speaker = None
        if args.record:
            folder = Path(args.record) / method
            folder.mkdir(parents=True, exist_ok=True)
            env[ECHO_RECORD] = str(folder.resolve())
            speaker = _record_speaker(room, folder)
        rig = Rig(room.pulse, room.run, extra=("--engine", args.engine), config=config, env=env)
        try:
            chosen = [ln for ln in rig.lines() if "echo cancellation:" in ln]
            request = synth_wav(bargein.LONG_REPLY, room.speech / "request.wav", voice="piper")
            first_stop = synth_wav("stop", room.speech / "stop.wav", voice="piper")
            level = bargein.echo_level_db(rig, first_stop, request)
            spec = EchoSpec(level_db=level, delay_ms=60, reverb_s=args.reverb)
            trials = []
            skipped = 0
            for i in range(args.trials * 2):
                if len(trials) == args.trials:
                    break
                stop = _fresh_stop(room.speech / f"stop{i}.wav")
                mark = len(rig.lines())
                found = bargein.trial(rig, request, stop, spec, rng, args.after)
                if found is not None and found.cut_early:
                    skipped += 1  # its own voice cut the reply: a false stop, and a miss
                if found is not None:
                    trials.append(found)
                    wall = found.word_end + time.time() - time.monotonic()
                    print(
                        f"  {method} trial {len(trials)}: {found} "
                        f"(word end {time.strftime('%H:%M:%S', time.localtime(wall))}"
                        f".{int(wall % 1 * 1000):03d})",
                        file=sys.stderr,
                    )
                elif any("stop heard while speaking" in ln for ln in rig.lines()[mark:]):
                    print(f"  {method}: a stop before the reply was heard", file=sys.stderr)
            talk_cut, talk_early = _talk_trials(rig, room, request, first_stop, spec, rng, args)
            erle = echo_removed(rig.lines())
            underruns = _underruns(rig.lines())
            cpu, idle_state = idle_cpu(rig, args.idle, args.warm_wait)  # after: warm by then
        finally:
            rig.pulse.echo(None)
            rig.close()
            if speaker is not None:
                speaker.terminate()
                speaker.wait(5)
            if args.keep_log:
                Path(args.keep_log).mkdir(parents=True, exist_ok=True)
                shutil.copy(rig.run.log_path, Path(args.keep_log) / f"{method}.log")
    cut = [t.after_s for t in trials if t.cut and t.after_s is not None]
    other = [x for t in trials for x in t.other if x != "ground"]
    times = (
        f"median {np.median(cut):.2f} s, p95 {np.percentile(cut, 95):.2f} s, worst {max(cut):.2f} s"
        if cut
        else "n/a"
    )
    within = sum(c <= 0.5 for c in cut)
    acted = [t.acted_s for t in trials if t.cut and t.acted_s is not None]
    acted_times = (
        f"median {np.median(acted):.2f} s, p95 {np.percentile(acted, 95):.2f} s, "
        f"{sum(a <= 0.5 for a in acted)} within 0.5 s"
        if acted
        else "n/a"
    )
    used = chosen[-1].split("echo cancellation: ", 1)[-1] if chosen else "?"
    return (
        f"{method:>7}: {sum(t.cut for t in trials)}/{len(trials)} stops acted on, "
        f"{within}/{len(trials)} within 0.5 s; end of 'stop' -> speech cut (as heard: "
        f"silenced at the spot, else acted on): {times}; -> acted on: {acted_times}; "
        f"other intents: {other or 'none'}; false stops (its own voice cut the reply before "
        f"the word; counted as not acted on): {skipped}; "
        f"everyday talk said over it ({args.talk} sentences): reply cut {talk_cut}, cut by its "
        f"own voice before the talk {talk_early}; "
        f"echo {level:+.1f} dB, reverb {args.reverb} s; "
        f"idle CPU {cpu * 100:.1f}% of a core ({idle_state}, load "
        f"{os.getloadavg()[0]:.1f}); player underruns {underruns}; {erle}\n         ({used})"
    )


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench bargein")
    p.add_argument("--trials", type=int, default=20)
    p.add_argument("--methods", default="speex,webrtc,pulse,off")
    p.add_argument("--engine", default="pocketsphinx", choices=["pocketsphinx", "whisper"])
    p.add_argument("--reverb", type=float, default=0.0, help="RT60 of the room, seconds")
    p.add_argument("--idle", type=float, default=20.0, help="seconds of idle CPU measured")
    p.add_argument(
        "--warm-wait", type=float, default=600.0,
        help="seconds to wait for the fixed lines' rendering ahead to end before --idle",
    )  # fmt: skip
    p.add_argument("--seed", type=int, default=21)
    p.add_argument("--talk", type=int, default=10, help="everyday sentences said over it")
    p.add_argument("--keep-log", default="", help="folder to copy each method's product log to")
    p.add_argument("--record", default="", help="folder for the echo path's record (bench only)")
    p.add_argument(
        "--after", type=lambda v: tuple(map(float, v.split(","))), default=(1.0, 3.0),
        help="LO,HI: 'stop' is said a random LO to HI seconds into the reply",
    )  # fmt: skip
    args = p.parse_args(argv)
    rng = random.Random(args.seed)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
        f"engine {args.engine}; 'stop' in Piper's voice, fresh rendering each trial"
    )
    for method in args.methods.split(","):
        print(run_method(method, args, rng), flush=True)
    return 0
