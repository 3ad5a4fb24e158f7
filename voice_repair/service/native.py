"""What the C sound libraries print, kept out of the journal.

libasound and PortAudio write their complaints straight to the process's standard error, where
no Python setting reaches them; a microphone retried every 10 s for a week would fill the
journal with them. ``route_alsa_errors`` hands ALSA's to the debug log; ``native_stderr_to_debug``
(``audio/native.py``, shared with the speaker's player) catches what is printed to fd 2 during one
attempt.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

from ..audio.native import native_stderr_to_debug, saved_stderr

__all__ = ["native_stderr_to_debug", "route_alsa_errors", "saved_stderr"]

log = logging.getLogger(__name__)

_ALSA_HANDLER = ctypes.CFUNCTYPE(
    None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
)
_alsa_handler_ref: object = None


def route_alsa_errors() -> bool:
    """Send ALSA library messages to this log (debug level) instead of raw standard error.

    libasound prints every failed open ("Unable to create stream: No such entity") straight to
    stderr, so a microphone retried every 10 s for a week of absence would fill the journal
    despite ``keep_listening`` logging the outage once. Returns False where libasound is not
    loaded (no ALSA: nothing to quiet). The format arguments are variadic and not read; the
    message's format string, function and error code are enough for debugging.
    """
    global _alsa_handler_ref
    name = ctypes.util.find_library("asound")
    if name is None:
        return False
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return False

    def handler(file: bytes, line: int, function: bytes, err: int, fmt: bytes) -> None:
        log.debug(
            "ALSA %s: %s (error %d)",
            (function or b"?").decode(errors="replace"),
            (fmt or b"").decode(errors="replace"),
            err,
        )

    _alsa_handler_ref = _ALSA_HANDLER(handler)  # kept alive: ALSA holds the pointer
    lib.snd_lib_error_set_handler(_alsa_handler_ref)
    return True
