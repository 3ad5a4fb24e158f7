"""Two products side by side, taking turns on the same requests: one switch on in one, off in the
other (Whisper's early decode, ``--speculate on,off``; the likely next sentences rendered ahead,
``--foresee on,off``).

Why: the machine is shared and its load swings from 2 to 30 within minutes, so two runs one
after the other compare the load as much as the change (the README's "before, after, before
again" runs of ``asr/speculate.py`` differed by more than the 0.12 s at stake). Here each
setting is its own ``voice-repair run`` in its own private room (so neither hears the other's
requests or replies), both started before the first request; every request is played to one
and then the other, which goes first alternating, so a load swing falls on both alike. The
switches are environment variables (``SWITCHES``), read once at the product's start. The one
not being asked listens to silence meanwhile (its own cost is in both figures alike).
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack

from bench._room import private_room
from bench.acoustic import Rig, intent_trial, new_results, report, request_wavs, stop_wav_for

__all__ = ["SWITCHES", "alternate"]

SWITCHES = {
    "speculate": "VOICE_REPAIR_SPECULATE",
    "foresee": "VOICE_REPAIR_FORESEE",
    "stopfirst": "VOICE_REPAIR_STOP_FIRST",
    "quicklook": "VOICE_REPAIR_QUICK_LOOK",
    "lazywords": "VOICE_REPAIR_LAZY_WORDS",
    "quickgreedy": "VOICE_REPAIR_QUICK_GREEDY",
}
"""Each bench option and the product's environment variable it sets."""
SETTINGS = {"on": "1", "off": "0"}


def alternate(args: argparse.Namespace, switch: str, voices: tuple[str, ...]) -> int:
    """The intents phase with ``--<switch>`` (e.g. ``on,off``), one product per setting."""
    given = getattr(args, switch)
    names = [n.strip() for n in given.split(",") if n.strip()]
    unknown = [n for n in names if n not in SETTINGS]
    if unknown or len(set(names)) != len(names):
        print(f"--{switch} {given!r}: give distinct settings from "
              f"{', '.join(SETTINGS)}, e.g. --{switch} on,off", file=sys.stderr)  # fmt: skip
        return 2
    results = {n: new_results(args.assistant_voice, args.engine) for n in names}
    with ExitStack() as stack:
        rooms = {n: stack.enter_context(private_room()) for n in names}
        folder = rooms[names[0]].speech
        rigs: dict[str, Rig] = {}
        try:
            extra = ("--voice", args.assistant_voice, "--engine", args.engine)
            for n in names:
                print(f"starting voice-repair run, {switch} {n} ...", file=sys.stderr)
                env = {SWITCHES[switch]: SETTINGS[n]}
                rigs[n] = Rig(rooms[n].pulse, rooms[n].run, extra=extra, env=env)
            stop_wav = stop_wav_for(folder)
            requests = request_wavs(folder, 1 if args.quick else 2, voices)
            for i, (intent, voice, wav) in enumerate(requests):
                print(f"request {i + 1}/{len(requests)}", file=sys.stderr)
                for n in names if i % 2 == 0 else names[::-1]:
                    intent_trial(rigs[n], wav, intent, voice, stop_wav, results[n])
        finally:
            for n, rig in rigs.items():
                results[n]["peak_mb"] = rig.peak_memory_mb()
                rig.close()
            for n in names:  # what was measured, even when a request failed
                print(f"\n## {switch} {n}\n")
                print(report(results[n], voices))
            print(f"\n## per request, {switch} " + " against ".join(names) + "\n")
            print(json.dumps(paired(results, names)))
    return 0


def paired(results: dict[str, dict], names: list[str]) -> list[dict]:
    """Each request once, with its stages under every setting (None where it was not answered
    right): the two settings of one request met the same load, so their difference is the
    fair comparison (``bench/_stages.py`` names the stages)."""
    rows = []
    for i, (intent, voice, *_) in enumerate(results[names[0]]["trials"]):
        row: dict = {"intent": intent, "voice": voice, "load": results[names[0]]["load"][i]}
        for n in names:
            splits = results[n]["splits"]
            row[n] = splits[i] if i < len(splits) else None
        rows.append(row)
    return rows
