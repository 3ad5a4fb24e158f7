"""Finding sound devices, with errors that tell people what to do.

sounddevice names devices by index or by a substring of their name; a wrong name comes back as a
bare ``ValueError``. Here it becomes an ``AudioDeviceError`` listing what *is* there.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import sounddevice as sd

from ..errors import AudioDeviceError

__all__ = [
    "DeviceInfo",
    "list_devices",
    "check_device",
    "device_id",
    "refresh_devices",
    "generation",
    "stream_call",
    "bound_exit_cleanup",
]

log = logging.getLogger(__name__)

EXIT_CLEANUP_SECONDS = 1.0
"""How long the exit waits for PortAudio to close its streams and terminate, seconds."""

Kind = Literal["input", "output"]


@dataclass(frozen=True)
class DeviceInfo:
    """One sound device as PortAudio sees it (for ``voice-repair devices``)."""

    index: int
    """PortAudio device index; usable as ``--input-device`` / ``--output-device``."""
    name: str
    """Device name; any unique part of it also selects the device."""
    host_api: str
    """PortAudio host API, e.g. ``ALSA``."""
    max_input_channels: int
    """0 for output-only devices."""
    max_output_channels: int
    """0 for input-only devices."""
    default_sample_rate: float
    """The device's preferred rate in Hz (we resample nothing: PortAudio/ALSA convert)."""
    is_default_input: bool = False
    is_default_output: bool = False

    @property
    def is_input(self) -> bool:
        return self.max_input_channels > 0

    @property
    def is_output(self) -> bool:
        return self.max_output_channels > 0


RESTART_WAIT_SECONDS = 5.0
"""How long a re-scan waits for a stream being opened or closed, and an open or close waits for
a re-scan, seconds. Past it the re-scan is skipped (the next attempt tries again) and the open
fails with ``AudioDeviceError``: a close that hangs on a sound server that stopped answering
must not hang the re-scan, nor the re-scan the speaker."""

_state = threading.Condition()
_stream_calls = 0
_restarting = False
_generation = 0


def refresh_devices() -> None:
    """Make PortAudio look for devices again.

    PortAudio lists devices once, when it starts, and the ALSA ``pulse``/``default`` devices only
    exist while a PulseAudio server answers: a service started before the sound server (or a
    test that starts its own) sees no devices until this is called. sounddevice offers no
    public call for it; its maintainer recommends the ``_terminate``/``_initialize`` pair
    (python-sounddevice issue #125).

    The restart closes every stream still open (the speaker's long-lived one among them:
    ``generation`` tells its owner so). It never runs while a stream is being opened or closed
    (``stream_call``): ``Pa_Terminate`` beside a ``Pa_CloseStream`` of the same stream frees it
    twice, which crashed the process.
    """
    global _generation, _restarting
    with _state:
        if not _state.wait_for(lambda: _stream_calls == 0, RESTART_WAIT_SECONDS):
            log.warning(
                "sound devices not re-scanned: a stream's open or close has not returned for "
                "%.0f s (its sound server hung?); the next attempt tries again",
                RESTART_WAIT_SECONDS,
            )
            return
        _restarting = True
        _generation += 1
    try:
        sd._terminate()
        sd._initialize()
    finally:
        with _state:
            _restarting = False
            _state.notify_all()


def generation() -> int:
    """How many times ``refresh_devices`` restarted PortAudio: a stream opened before the last
    restart was closed by it (the speaker's player process starts again after one:
    ``playchild``)."""
    return _generation


@contextmanager
def stream_call(what: str) -> Iterator[int]:
    """Around opening or closing a stream: never at the same time as a PortAudio restart.
    Gives the generation the call runs in (a stream of an older one is already closed).

    ``what`` names the call for the error when a restart does not end in time."""
    global _stream_calls
    with _state:
        if not _state.wait_for(lambda: not _restarting, RESTART_WAIT_SECONDS):
            raise AudioDeviceError(
                f"cannot {what}: the sound library has been restarting for "
                f"{RESTART_WAIT_SECONDS:.0f} s; check the sound server (`voice-repair doctor`)"
            )
        _stream_calls += 1
        current = _generation
    try:
        yield current
    finally:
        with _state:
            _stream_calls -= 1
            _state.notify_all()


def bound_exit_cleanup(seconds: float = EXIT_CLEANUP_SECONDS) -> None:
    """Let the process exit even when PortAudio's own clean-up would hang.

    At exit sounddevice closes its last stream and calls ``Pa_Terminate``, which closes every
    stream still open. A stream whose close hung and was left behind (a sound server that
    stopped answering, ``service/abandon.py``) would hang that too, and with it the exit: a
    stop must end the process within 1.5 s. So the clean-up runs on a daemon thread and is
    waited for at most ``seconds``; what is left then the kernel frees with the process.
    Idempotent.
    """
    handler = getattr(sd, "_exit_handler", None)
    if handler is None:  # a sounddevice without it: nothing registered to bound
        return
    atexit.unregister(handler)
    atexit.unregister(_bounded_exit)
    _bound[0] = seconds
    atexit.register(_bounded_exit)


_bound = [EXIT_CLEANUP_SECONDS]


def _bounded_exit() -> None:
    worker = threading.Thread(target=sd._exit_handler, name="portaudio-exit", daemon=True)
    worker.start()
    worker.join(_bound[0])
    if worker.is_alive():
        log.warning("the sound library did not finish closing at exit; exiting anyway")


def list_devices() -> list[DeviceInfo]:
    """Every device PortAudio knows, inputs and outputs, with the defaults marked."""
    try:
        devices = sd.query_devices()
        apis = sd.query_hostapis()
        default_in, default_out = sd.default.device
    except sd.PortAudioError as exc:
        raise AudioDeviceError(f"cannot list sound devices: {exc}") from exc
    out = []
    for info in devices:
        index = int(info["index"])
        out.append(
            DeviceInfo(
                index=index,
                name=str(info["name"]),
                host_api=str(apis[info["hostapi"]]["name"]),
                max_input_channels=int(info["max_input_channels"]),
                max_output_channels=int(info["max_output_channels"]),
                default_sample_rate=float(info["default_samplerate"]),
                is_default_input=index == default_in,
                is_default_output=index == default_out,
            )
        )
    return out


def _available(kind: Kind) -> str:
    names = [
        f"{d.index}: {d.name}"
        for d in list_devices()
        if (d.is_input if kind == "input" else d.is_output)
    ]
    return ", ".join(names) if names else "none"


def device_id(device: str | int | None) -> str | int | None:
    """``"3"`` from a command line or config file means device index 3, not a name containing 3."""
    if isinstance(device, str):
        device = device.strip()
        if device.isdigit():
            return int(device)
        return device or None
    return device


def check_device(device: str | int | None, kind: Kind, sample_rate: int) -> None:
    """Raise ``AudioDeviceError`` unless ``device`` can be opened for mono 16-bit ``kind``."""
    device = device_id(device)
    option = "--input-device" if kind == "input" else "--output-device"
    what = "microphone" if kind == "input" else "speaker"
    if not any(d.is_input if kind == "input" else d.is_output for d in list_devices()):
        raise AudioDeviceError(
            f"no {what} found: the system reports no {kind} device. Connect one (or start "
            f"PulseAudio), then check `voice-repair devices` and pass {option}."
        )
    check = sd.check_input_settings if kind == "input" else sd.check_output_settings
    try:
        check(device=device, channels=1, dtype="int16", samplerate=sample_rate)
    except (ValueError, sd.PortAudioError) as exc:
        shown = "the default device" if device is None else f"{device!r}"
        raise AudioDeviceError(
            f"no {what} found as {shown} ({exc}). Available {kind} devices: "
            f"{_available(kind)}. Run `voice-repair devices` and pass {option} NAME-OR-INDEX."
        ) from exc
