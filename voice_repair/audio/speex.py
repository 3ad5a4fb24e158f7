"""SpeexDSP's echo canceller (MDF, a linear adaptive filter) through ctypes.

Why it is here: WebRTC's AEC3 removes more echo (31 to 46 dB of a dry echo in the test room)
but its residual-echo suppressor also cuts the person's own words when both talk at once: a
"stop" said as loud as the echo came out 7 dB down and mangled, and neither pocketsphinx (0 of
5) nor Whisper (0 of 5) heard it. A linear filter only subtracts its estimate of the echo, so
words said over it pass unchanged: offline, aligned exactly and after one pass to learn the
room, 37-39 dB of echo removed and 5 of 5 read as "stop" by pocketsphinx. Live it removed only
2 to 7 dB in a pass on a busy machine (it needs the alignment steadier than that), but it never
makes a "stop" worse, which AEC3 does, so it is the first choice (README, "Its own voice").

``libspeexdsp`` is Debian's ``libspeexdsp1`` (on every Raspberry Pi OS image with PulseAudio);
no wheel is needed.
"""

from __future__ import annotations

import ctypes
import ctypes.util

import numpy as np

from ..errors import AudioDeviceError

__all__ = ["SpeexEcho", "speex_available"]

_SET_SAMPLING_RATE = 24
"""``SPEEX_ECHO_SET_SAMPLING_RATE`` in speex_echo.h."""


def _library() -> ctypes.CDLL:
    name = ctypes.util.find_library("speexdsp") or "libspeexdsp.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError as exc:
        raise AudioDeviceError(
            f"libspeexdsp is not installed ({exc}); Debian: apt install libspeexdsp1"
        ) from exc
    lib.speex_echo_state_init.restype = ctypes.c_void_p
    lib.speex_echo_state_init.argtypes = [ctypes.c_int, ctypes.c_int]
    lib.speex_echo_state_destroy.argtypes = [ctypes.c_void_p]
    lib.speex_echo_state_reset.argtypes = [ctypes.c_void_p]
    lib.speex_echo_ctl.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
    lib.speex_echo_cancellation.argtypes = [ctypes.c_void_p] * 4
    return lib


def speex_available() -> str | None:
    """None if libspeexdsp loads, else why not (with what to do)."""
    try:
        _library()
    except AudioDeviceError as exc:
        return str(exc)
    return None


class SpeexEcho:
    """One echo canceller: ``process(near, far)`` on frames of ``frame`` samples."""

    def __init__(self, frame: int = 160, taps: int = 4096, sample_rate: int = 16000) -> None:
        """``taps``: the echo's length it can model (4096 at 16 kHz: 256 ms of room)."""
        self._lib = _library()
        self.frame = frame
        self._state = self._lib.speex_echo_state_init(frame, taps)
        rate = ctypes.c_int(sample_rate)
        self._lib.speex_echo_ctl(self._state, _SET_SAMPLING_RATE, ctypes.byref(rate))
        self._out = np.empty(frame, dtype=np.int16)

    def process(self, near: np.ndarray, far: np.ndarray) -> np.ndarray:
        """``near`` (microphone) minus the echo of ``far`` (played); int16, one frame each."""
        near = np.ascontiguousarray(near, dtype=np.int16)
        far = np.ascontiguousarray(far, dtype=np.int16)
        if near.size != self.frame or far.size != self.frame:
            raise ValueError(f"frames of {self.frame} samples expected")
        self._lib.speex_echo_cancellation(
            self._state, near.ctypes.data, far.ctypes.data, self._out.ctypes.data
        )
        return self._out.copy()

    def reset(self) -> None:
        self._lib.speex_echo_state_reset(self._state)

    def __del__(self) -> None:
        state, self._state = getattr(self, "_state", None), None
        if state:
            self._lib.speex_echo_state_destroy(state)
