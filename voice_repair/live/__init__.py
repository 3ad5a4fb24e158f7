"""The voice half of the app layer: microphone -> recognizer -> matcher -> session -> speaker.

Like ``app.py``, it knows every stage: it builds the recognizer with the matcher's phrases and runs
the half-duplex loop (listen, or speak and listen only for "stop").

- ``listen.py``  ``run_voice`` (the live loop) and ``recognize_files`` (``voice-repair recognize``)
- ``understanding.py``  ``Understanding``: a transcript matched once, snapped when nothing
  matched
- ``loop.py``    ``VoiceLoop``: feeding audio to the recognizer, barge-in while speaking
- ``early.py``   ``VoiceDoor``: what is heard, to the session; with a home server, "stop" and
  danger acted on from the local reading before the server answers
- ``wake.py``    the optional wake phrase, and the grammar with it
- ``expect.py``  Whisper's prompt sentences, led by what the session's mode expects
- ``bargein.py``  a "stop" said over its own voice, spotted on the echo path's stretches
- ``echoproc.py``  the echo path in a process of its own (``audio.echo_process``), run as
  ``python -m voice_repair.live.echoproc`` by ``audio.echoremote``
"""

from .. import lazy_exports

__all__ = [
    "run_voice",
    "recognize_files",
    "VoiceLoop",
    "WakeGate",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "run_voice": ".listen",
        "recognize_files": ".listen",
        "VoiceLoop": ".loop",
        "WakeGate": ".wake",
    },
)
