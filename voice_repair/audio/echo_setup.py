"""Which echo canceller runs: the ``audio.echo_cancel`` setting turned into one that works.

Order (measured in the echoing test room, README "Its own voice"): SpeexDSP's linear filter in
process, fed the exact samples played, first: it leaves words said over the echo as they were
(with it a "stop" over its speech in a room without echo is still heard, as with none), though
it removed only 2 to 7 dB of the echo in one pass of the live room on a busy machine. WebRTC
AEC3 in process removes far more (31 to 46 dB of a dry echo, 15-20 ms of CPU a second) but
mangles words said over the speech: with it even the plain "stop" test failed 3 times in 3, so
it comes second. Then PulseAudio's ``module-echo-cancel`` (2 to 17 dB there, and 33 to 85 ms
of the sound server's CPU a second); else none, said once in the log with what to do.
``audio.echo_cancel = "off"`` turns it off; naming one method uses that one or says why not.
Every in-process method also ducks its voice when someone talks over it and listens there for
"stop" (``duck.py``, ``live.bargein``); "duck" does only that, cancelling nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ..errors import AudioDeviceError
from ..models import AudioChunk
from .echo import EchoCanceller, PlayedAudio, webrtc_available
from .echopath import BLOCK_MS
from .echoremote import EchoProcess
from .pulse_echo import PulseEcho, load_pulse_echo
from .speex import speex_available

__all__ = ["EchoSetup", "set_up_echo_cancel", "describe"]

log = logging.getLogger(__name__)

METHODS = ("auto", "speex", "webrtc", "duck", "pulse", "off")

NONE_HINT = (
    "echo cancellation is off: 'stop' said over the assistant's speech may not be heard, and "
    "danger said over it is not acted on. Install libspeexdsp1 (apt) or pywebrtc-audio (pip), "
    "or use PulseAudio with module-echo-cancel"
)


@dataclass
class EchoSetup:
    """The canceller in use and its parts."""

    method: str
    """"speex", "webrtc", "duck" (no canceller, only ducking), "pulse" or "off"."""
    reason: str
    played: PlayedAudio | None = None
    """Given to the ``Player`` (webrtc): what is played, and when."""
    canceller: EchoCanceller | EchoProcess | None = None
    """In this process, or in one of its own (``audio.echo_process``)."""
    pulse: PulseEcho | None = None

    @property
    def block_ms(self) -> int:
        """Microphone blocks to record: short ones for an in-process echo path (``echopath``),
        which hands the recognizer its usual 100 ms chunks."""
        return BLOCK_MS if self.canceller is not None else 100

    @property
    def active(self) -> bool:
        """The assistant's own voice is taken out of what the microphone hears (ducking alone
        does not: danger heard over it may be its own words)."""
        return self.method not in ("off", "duck")

    def stream(
        self, chunks: Iterable[AudioChunk], captured_at: Callable[[AudioChunk], float]
    ) -> Iterator[AudioChunk]:
        """The microphone's chunks, cancelled in process when that is the method."""
        if self.canceller is None:
            yield from chunks
            return
        self.canceller.reset()  # a new stream: a new alignment
        yield from self.canceller.stream(chunks, captured_at)

    def close(self) -> None:
        if self.pulse is not None:
            self.pulse.close()
        if isinstance(self.canceller, EchoProcess):
            self.canceller.close()


IN_ITS_OWN = " (the echo path in a process of its own)"

FELL_BACK = (
    "the echo process did not start (%s): the echo path runs in the assistant's process "
    "instead, where a busy assistant may cut its voice late after a 'stop'. Set "
    "echo_process = false in [audio] to choose this and silence this warning"
)


def _in_process(method: str, process: bool = False) -> EchoSetup:
    played = PlayedAudio()
    what = {
        "speex": "SpeexDSP in process",
        "webrtc": "WebRTC AEC3 in process",
        "duck": "no canceller; its voice ducked when someone talks over it",
    }[method]
    engine = "none" if method == "duck" else method
    canceller = EchoCanceller(played, engine)  # here, where the error is clear
    if not process:
        return EchoSetup(method, what, played, canceller)
    remote = EchoProcess(engine, played)  # it builds its own canceller
    try:
        remote.start()
    except AudioDeviceError as exc:  # the path in this process, said in the log: never silence
        remote.close()
        played.on_player = None
        log.warning(FELL_BACK, exc)
        return EchoSetup(method, f"{what} (the echo process did not start: {exc})", played,
                         canceller)  # fmt: skip
    return EchoSetup(method, what + IN_ITS_OWN, played, remote)


def _pulse(input_device: str | None, output_device: str | None) -> EchoSetup:
    if input_device is not None or output_device is not None:
        raise AudioDeviceError(
            "PulseAudio's echo canceller works between the sound server's default devices; "
            "input_device/output_device are set"
        )
    pulse = load_pulse_echo()
    return EchoSetup("pulse", "PulseAudio module-echo-cancel (webrtc)", pulse=pulse)


def set_up_echo_cancel(
    method: str,
    input_device: str | None = None,
    output_device: str | None = None,
    process: bool = False,
) -> EchoSetup:
    """The canceller for ``method`` (the ``audio.echo_cancel`` setting); call before opening
    the microphone and speaker (the PulseAudio one re-routes this process's streams).
    ``process`` (``audio.echo_process``): an in-process method runs in an echo process.

    A named method that cannot run raises ``AudioDeviceError`` saying why; "auto" falls back
    down the list and, with none left, logs ``NONE_HINT`` once.
    """
    if method not in METHODS:
        raise AudioDeviceError(f"echo_cancel {method!r} is not one of {', '.join(METHODS)}")
    if method == "off":
        return EchoSetup("off", "turned off (audio.echo_cancel = 'off')")
    if method in ("speex", "webrtc", "duck"):
        return _in_process(method, process)
    if method == "pulse":
        return _pulse(input_device, output_device)
    problems = []
    for name in ("speex", "webrtc", "pulse"):
        try:
            if name == "pulse":
                return _pulse(input_device, output_device)
            return _in_process(name, process)
        except AudioDeviceError as exc:
            problems.append(f"{name}: {exc}")
    log.warning("%s (%s)", NONE_HINT, "; ".join(problems))
    return EchoSetup("off", "none available: " + "; ".join(problems))


def describe(
    method: str, input_device: str | None, output_device: str | None, process: bool = False
) -> str | None:
    """Which canceller ``method`` would use, without loading anything; None if none can run
    (for ``doctor``). ``process``: ``audio.echo_process``, said for the in-process methods."""
    if method == "off":
        return "off (audio.echo_cancel = 'off')"
    where = IN_ITS_OWN if process else ""
    if method in ("auto", "speex") and speex_available() is None:
        return "SpeexDSP in process (libspeexdsp)" + where
    if method in ("auto", "webrtc") and webrtc_available() is None:
        return "WebRTC AEC3 in process (pywebrtc-audio)" + where
    if method == "duck":
        return "no canceller; its voice ducked when someone talks over it" + where
    if method in ("auto", "pulse"):
        from .pulse_echo import pulse_echo_problem

        problem = pulse_echo_problem()
        if problem is None and input_device is None and output_device is None:
            return "PulseAudio module-echo-cancel"
    return None
