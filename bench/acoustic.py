"""Acoustic benchmark: ``voice-repair run`` through the whole real audio path, measured outside.

``python -m bench acoustic [-- [--quick] [--phases intents,talk,loopback,stop]
[--voices piper,espeak,espeak-gb] [--assistant-voice auto|piper|espeak]
[--engine pocketsphinx|whisper|auto] [--speculate on,off | --foresee on,off |
--quicklook on,off | --lazywords on,off | --quickgreedy on,off]]``

A private PulseAudio server; the product runs as a child process (``-v``, pocketsphinx unless
``--engine`` says otherwise) and records ``room.monitor``; speech synthesized by Piper's bundled
voice and espeak-ng is played into sink ``room`` (espeak-ng in American English; ``espeak-gb`` is
its default British voice); what it says is recorded from ``speaker.monitor``. Nothing is mocked:
PulseAudio -> ALSA pulse plugin -> PortAudio -> sounddevice -> recognizer -> intent -> handler ->
TTS -> speaker.

* intents: two sentences per intent of the catalogue (the first two of the speech grammar), each in
  both voices (not the round's "switch", "we're done", "another round": with no round running they
  are rightly not answered); right intent logged? an audible answer? End of speech (room tap) ->
  first audio out (speaker tap), also split into stages (``bench/_stages.py``).
* talk: a minute or more of everyday talk per voice (``bench.asr.TALK``, near misses included),
  one sentence after another; every intent logged is a false activation.
* loopback: ``module-loopback`` speaker.monitor -> room; script requests whose replies say things
  like "I need a pause"; every further intent during the reply is a self-trigger.
* stop: "stop", "stop talking", "be quiet" (Piper) said over a long reply; interrupted? time
  from the end of the phrase (room tap) to the reply being cut off (the log line of the abort,
  on the same clock; the "Okay." that acknowledges it follows without a gap, so the speaker tap
  cannot show the cut). The intents phase also cuts replies still going after 2.5 s with
  "stop talking" (counted here too).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "audio"))

from rig import Rig  # noqa: E402
from testspeech import TALK, synth_samples, synth_wav, write_wav  # noqa: E402

from bench._acousticreport import report  # noqa: E402
from bench._room import private_room  # noqa: E402
from bench._stages import stages  # noqa: E402

VOICES = ("piper", "espeak")
SCRIPT_REQUESTS = (
    "what can you do", "read me a validation example", "help me calm down", "give me a repair idea",
    "what can i ask", "how do i apologize", "i don't feel safe", "i need a pause",
)  # fmt: skip
"""Requests whose spoken replies are long or quote requests ("say: I need five more minutes")."""
LONG_REPLY = "help me calm down"
"""A reply long enough to say "stop" over."""
_CUT_MARKS = ("stop over speech: cut", "intent control.stop")
"""Log lines written right after a stop said over speech silenced it (``live/early.py``,
``session.py``)."""
STOP_PHRASES = ("stop", "stop talking", "be quiet")
"""Said over speech in the stop phase; the intents phase cuts long replies with the second."""


def _sentences(per_intent: int) -> dict[str, list[str]]:
    from voice_repair.intents.grammar import grammar_sentences
    from voice_repair.intents.matcher import IntentMatcher
    from voice_repair.models import Mode
    from voice_repair.skill import route

    matcher = IntentMatcher.load(ROOT / "intents" / "en")
    chosen: dict[str, list[str]] = defaultdict(list)
    for intent, text in grammar_sentences(matcher, ROOT / "intents" / "en"):
        if route(Mode.IDLE, intent) is None:  # "switch", "we're done": with no round, not asked
            continue
        if len(chosen[intent]) < per_intent:
            chosen[intent].append(text)
    return chosen


def _answered(rig: Rig, spoken_end: float, wait: float = 10.0) -> float | None:
    """First audio out after ``spoken_end`` (waits up to ``wait`` s for it), or None."""
    deadline = spoken_end + wait
    while time.monotonic() < deadline:
        first = rig.speaker.first_loud(spoken_end, deadline)
        if first is not None:
            return first
        time.sleep(0.05)
    return None


LATE_WAIT_SECONDS = 60.0
"""How long past ``_answered``'s 10 s a request heard right is still watched for its answer, so
the report can tell an answer that came late from one that never came."""


def _unanswered(rig: Rig, mark: int, end: float, intent: str, voice: str, res: dict) -> None:
    """A request heard right and not answered within 10 s: was it answered later, or never?
    Kept with the product's log lines of the trial (timings and intent names: the log holds no
    words), on the bench's clock from the end of the speech, for finding where it was lost."""
    late = _answered(rig, end, LATE_WAIT_SECONDS)
    trace = []
    for line in rig.lines()[mark:]:
        at = rig.logged_at(line)
        trace.append(f"{'?' if at is None else f'{at - end:+.2f}'} s {line[24:].strip()[:150]}")
    res["unanswered"].append((intent, voice, None if late is None else late - end, trace))


def _stop_over_speech(rig: Rig, stop_wav: Path, after_first: float, res: dict) -> None:
    """If still speaking, say ``stop_wav`` (a "stop" phrase, named by its file); record whether
    it interrupted and how fast it went quiet after the end of the phrase."""
    phrase = stop_wav.stem.split("_", 1)[1].replace("_", " ")
    time.sleep(max(0.0, after_first + 2.5 - time.monotonic()))
    if not rig.speaking():
        return
    mark = len(rig.lines())
    _, end = rig.play(stop_wav)
    time.sleep(3.0)
    new = rig.lines()[mark:]
    heard = [ln for ln in new if "stop heard while speaking" in ln]
    res["stops"][phrase].append(bool(heard))
    if not heard:
        return
    # The cut, from the log (the "Okay." that follows leaves no gap to see at the tap): the
    # line written right after the speaker was stopped, the door's (stop first) or the
    # session's intent line (route checked first); else the loop's, after both.
    cut = next((ln for ln in new if any(m in ln for m in _CUT_MARKS)), heard[0])
    at = rig.logged_at(cut)
    res["stop_silence"][phrase].append(max(0.0, (at or end) - end))
    decided = next((ln for ln in new if "after the end of speech" in ln), None)
    intent = next((ln for ln in new if "intent control.stop" in ln), None)
    if decided and intent and None not in (rig.logged_at(decided), rig.logged_at(intent)):
        res["stop_matching"][phrase].append(rig.logged_at(intent) - rig.logged_at(decided))


def intent_trial(rig: Rig, wav: Path, intent: str, voice: str, stop_wav: Path, res) -> None:
    """One request played into the room: right intent? answered aloud? how fast, by stage;
    then a reply still going after 2.5 s is cut with "stop talking". ``res["load"]`` gets the
    1-minute load average at the request."""
    rig.settle()
    mark = len(rig.lines())
    res["load"].append(os.getloadavg()[0])
    _, end = rig.play(wav)
    heard = rig.intents(rig.outcome(mark))
    first = _answered(rig, end) if heard else None
    text = wav.stem.split("_", 1)[1].replace("_", " ")
    row = (intent, voice, text, heard[:1], first is not None and heard[:1] == [intent])
    res["trials"].append(row)
    split = None
    if first is not None and heard[:1] == [intent]:
        res["latency"][voice].append(first - end)
        split = stages(rig.lines()[mark:], rig.logged_at, end, first)
        res["stages"][voice] += [split] if split else []
    res["splits"].append(split)  # one per trial, None when not answered right
    if first is None and heard[:1] == [intent]:
        _unanswered(rig, mark, end, intent, voice, res)
    if first is not None:
        _stop_over_speech(rig, stop_wav, first, res)
    rig.settle()


def request_wavs(folder: Path, per_intent: int, voices) -> list[tuple[str, str, Path]]:
    """(intent, voice, recording) for each request of the intents phase, in the order asked."""
    return [
        (intent, voice, synth_wav(text, folder / f"{voice}_{text.replace(' ', '_')}.wav", voice))
        for intent, texts in _sentences(per_intent).items()
        for text in texts
        for voice in voices
    ]


def phase_intents(rig: Rig, folder: Path, per_intent: int, voices, stop_wav: Path, res) -> None:
    for intent, voice, wav in request_wavs(folder, per_intent, voices):
        intent_trial(rig, wav, intent, voice, stop_wav, res)


def _talk_wav(voice: str, path: Path, sentences: list[str], gap_s: float = 1.0) -> float:
    gap = np.zeros(round(gap_s * 16000), dtype=np.int16)
    parts = [p for s in sentences for p in (synth_samples(s, voice), gap)]
    audio = np.concatenate([gap, *parts])
    write_wav(path, audio)
    return audio.size / 16000


def phase_talk(rig: Rig, folder: Path, sentences: list[str], voices, res) -> None:
    for voice in voices:
        rig.settle()
        mark = len(rig.lines())
        seconds = 0.0
        for i in range(0, len(sentences), 15):  # paplay gives up on files over 2 minutes
            wav = folder / f"talk_{voice}_{i}.wav"
            seconds += _talk_wav(voice, wav, sentences[i : i + 15])
            rig.play(wav)
        time.sleep(3.0)
        new = rig.lines()[mark:]
        rejected = sum("without a request" in ln for ln in new)
        res["talk"][voice] = (seconds, rig.intents(new), rejected)


def phase_loopback(rig: Rig, folder: Path, res) -> None:
    rig.pulse.loopback(True)
    try:
        for text in SCRIPT_REQUESTS:
            wav = synth_wav(text, folder / f"piper_{text.replace(' ', '_')}.wav", voice="piper")
            rig.settle()
            mark = len(rig.lines())
            t0 = time.monotonic()
            rig.pulse.play_into_room(wav)
            heard = rig.intents(rig.outcome(mark))
            if heard:
                time.sleep(1.0)
                rig.settle()
                time.sleep(2.0)  # a late self-trigger would show here
            spoken = time.monotonic() - t0
            res["loopback"].append((text, heard[:1], rig.intents(rig.lines()[mark:])[1:], spoken))
    finally:
        rig.pulse.loopback(False)


def _stop_wav(phrase: str, folder: Path) -> Path:
    return synth_wav(phrase, folder / f"stop_{phrase.replace(' ', '_')}.wav", voice="piper")


def stop_wav_for(folder: Path) -> Path:
    """The "stop" phrase the intents phase cuts long replies with."""
    return _stop_wav(STOP_PHRASES[1], folder)


def phase_stop(rig: Rig, folder: Path, count: int, res) -> None:
    wav = synth_wav(LONG_REPLY, folder / "piper_long.wav", voice="piper")
    for stop_wav in [_stop_wav(p, folder) for p in STOP_PHRASES for _ in range(count)]:
        rig.settle()
        mark = len(rig.lines())
        _, end = rig.play(wav)
        if rig.intents(rig.outcome(mark)):
            first = _answered(rig, end)
            if first is not None:
                _stop_over_speech(rig, stop_wav, first, res)
        rig.settle()


def new_results(voice: str, engine: str) -> dict:
    """An empty record of one product's run, filled by the phases and read by ``report``."""
    return {
        "trials": [], "latency": defaultdict(list), "stages": defaultdict(list),
        "talk": {}, "loopback": [],
        "stops": defaultdict(list), "stop_silence": defaultdict(list),
        "stop_matching": defaultdict(list), "unanswered": [],
        "voice": voice, "peak_mb": None, "engine": engine, "load": [], "splits": [],
    }  # fmt: skip


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench acoustic")
    p.add_argument("--quick", action="store_true", help="one sentence per intent, 20 talk lines")
    p.add_argument("--phases", default="intents,talk,loopback,stop")
    p.add_argument("--voices", default=",".join(VOICES))
    p.add_argument("--assistant-voice", default="auto", choices=["auto", "piper", "espeak"])
    p.add_argument("--engine", default="pocketsphinx", choices=["auto", "whisper", "pocketsphinx"])
    p.add_argument(
        "--speculate", default="",
        help="on,off: one product per setting of Whisper's early decode (each in its own room), "
        "the intents phase only, the two taking turns on every request (bench/_alternate.py)",
    )  # fmt: skip
    p.add_argument(
        "--foresee", default="",
        help="on,off: the same, for the likely next sentences rendered ahead (speech/foresight.py)",
    )  # fmt: skip
    p.add_argument(
        "--stopfirst", default="",
        help="on,off: the same, for a stop said over speech cut before the route check "
        "(live/early.py)",
    )  # fmt: skip
    p.add_argument(
        "--quicklook", default="",
        help="on,off: the same, for Whisper's quick look on a short window (asr/whisperdecode.py)",
    )  # fmt: skip
    p.add_argument(
        "--lazywords", default="",
        help="on,off: the same, for Whisper's word probabilities only when needed "
        "(asr/wordprobs.py)",
    )  # fmt: skip
    p.add_argument(
        "--quickgreedy", default="",
        help="on,off: the same, for the quick look decoded greedily (asr/whisperdecode.py)",
    )  # fmt: skip
    args = p.parse_args(argv)
    phases = set(args.phases.split(","))
    voices = tuple(args.voices.split(","))
    for switch in ("speculate", "foresee", "stopfirst", "quicklook", "lazywords", "quickgreedy"):
        if getattr(args, switch):
            from bench._alternate import alternate

            return alternate(args, switch, voices)
    res = new_results(args.assistant_voice, args.engine)
    with private_room() as room:
        folder = room.speech
        rig = None
        try:
            print("starting voice-repair run ...", file=sys.stderr)
            extra = ("--voice", args.assistant_voice, "--engine", args.engine)
            rig = Rig(room.pulse, room.run, extra=extra)
            stop_wav = stop_wav_for(folder)
            if "intents" in phases:
                print("intents ...", file=sys.stderr)
                phase_intents(rig, folder, 1 if args.quick else 2, voices, stop_wav, res)
            if "talk" in phases:
                print("everyday talk ...", file=sys.stderr)
                phase_talk(rig, folder, TALK[:20] if args.quick else TALK, voices, res)
            if "loopback" in phases:
                print("loopback ...", file=sys.stderr)
                phase_loopback(rig, folder, res)
            if "stop" in phases:
                print("stop ...", file=sys.stderr)
                phase_stop(rig, folder, 1 if args.quick else 3, res)
        finally:
            if rig is not None:
                res["peak_mb"] = rig.peak_memory_mb()
                rig.close()
            print(report(res, voices))  # what was measured, even when a phase failed
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
