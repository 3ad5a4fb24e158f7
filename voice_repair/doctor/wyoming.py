"""The home speech server's check: off (nothing leaves), or reachable, what it offers, how fast.

When ``[recognition] engine = "wyoming"``, the doctor says where the words go, then asks the
server ``describe`` (its programs, models and languages) and times one real exchange: a request
synthesized by espeak-ng here (never anything recorded), sent as a segment would be. What came
back is shown only as understood or not.
"""

from __future__ import annotations

import time

import numpy as np

from ..config import Config
from ..homenet.address import parse_uri
from .checks import Check

__all__ = ["WYOMING_CHECKS", "check_wyoming_server", "check_wyoming_voice"]

TEST_PHRASE = "how much time is left"
NAME = "home speech server"


def check_wyoming_server(config: Config) -> Check:
    """Whether a Wyoming server is in use, and if so: reachable, its info, one timed request."""
    from ..asr.wyoming import describe, transcribe
    from ..homenet.link import ServerProblem

    rec = config.recognition
    if rec.engine != "wyoming" or not rec.uri:
        return Check(NAME, True, "not used: nothing anyone says leaves this speaker")
    endpoint = parse_uri(rec.uri)
    where = (
        f"what is said travels over the home network to {endpoint}, and only there"
        if not rec.allow_remote
        else f"what is said travels to {endpoint} (allow_remote = true: perhaps outside the home)"
    )
    fix = (
        f"start the Wyoming speech-to-text service on that machine and check that port "
        f"{endpoint.port} is open to this speaker; until then this speaker's own engine decides"
    )
    try:
        t0 = time.perf_counter()
        info = describe(endpoint, rec.allow_remote)
        described = time.perf_counter() - t0
    except ServerProblem as exc:
        return Check(NAME, False, f"{where}; it cannot be used now: {exc}", fix)
    offers = _offers(info)
    if offers is None:
        return Check(
            NAME, False, f"{where}; it answers but offers no speech-to-text",
            "point uri at the server's speech-to-text port (10300 for wyoming-faster-whisper)",
        )  # fmt: skip
    try:
        pcm = _test_request()
        t0 = time.perf_counter()
        text = transcribe(endpoint, pcm, config.language, rec.allow_remote, rec.answer_seconds)
        took = time.perf_counter() - t0
    except ServerProblem as exc:
        return Check(NAME, False, f"{where}; {offers}; a test request failed: {exc}", fix)
    heard = " ".join(text.lower().replace("?", " ").replace(".", " ").split())
    understood = "understood" if heard == TEST_PHRASE else "not understood (check its model)"
    return Check(
        NAME,
        True,
        f"{where}; {offers}; describe answered in {described * 1000:.0f} ms; a test request "
        f"took {took:.2f} s there and back ({understood})",
    )


def _offers(info) -> str | None:
    """The server's speech-to-text programs, models and languages in a few words."""
    models = [
        f"{m.name} ({', '.join(m.languages[:6]) or 'no language given'})"
        for program in info.asr
        for m in program.models
    ]
    if not info.asr:
        return None
    programs = ", ".join(p.name for p in info.asr)
    return f"it runs {programs} with {', '.join(models) or 'no model listed'}"


def _test_request() -> bytes:
    """The test phrase spoken by espeak-ng, 16 kHz 16-bit mono, with a little silence around."""
    from ..speech.engines import EspeakTTS

    samples, rate = EspeakTTS(rate_wpm=160, voice="gmw/en-us").render(TEST_PHRASE)
    x = samples.astype(np.float64)
    n = round(x.size * 16000 / rate)
    pcm = np.interp(np.linspace(0, x.size - 1, n), np.arange(x.size), x)
    pad = np.zeros(4800)
    return np.clip(np.concatenate([pad, pcm, pad]), -32768, 32767).astype("<i2").tobytes()


def check_wyoming_voice(config: Config) -> Check:
    """Whether a Wyoming voice is in use, and if so: reachable, its voices, one line timed."""
    from ..homenet.link import ServerProblem, describe
    from ..speech.wyoming import synthesize

    name = "home voice server"
    voice = config.voice
    if voice.voice != "wyoming" or not voice.uri:
        return Check(name, True, "not used: the assistant's replies are spoken from here")
    endpoint = parse_uri(voice.uri)
    where = f"the text of each reply travels to {endpoint}" + (
        ", and only there" if not voice.allow_remote else " (allow_remote = true)"
    )
    fix = (
        f"start the Wyoming voice service (wyoming-piper) on that machine and check that port "
        f"{endpoint.port} is open to this speaker; until then the local voice speaks"
    )
    try:
        info = describe(endpoint, voice.allow_remote)
        voices = [v.name for program in info.tts for v in program.voices]
        if not info.tts:
            return Check(name, False, f"{where}; it answers but offers no voice", fix)
        t0 = time.perf_counter()
        samples, rate = synthesize(endpoint, "ready", voice.allow_remote)
        took = time.perf_counter() - t0
    except ServerProblem as exc:
        return Check(name, False, f"{where}; it cannot be used now: {exc}", fix)
    shown = ", ".join(voices[:4]) or "no voice listed"
    return Check(
        name, True,
        f"{where}; voices: {shown}; 'ready' came back in {took:.2f} s "
        f"({len(samples) / rate:.1f} s of audio)",
    )  # fmt: skip


WYOMING_CHECKS = (check_wyoming_server, check_wyoming_voice)
"""Run after the recognizer model checks; only talks to a server the settings name."""
