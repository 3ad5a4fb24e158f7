"""``voice-repair doctor``: one check per thing that can be wrong, each with its fix.

Takes the settings; gives ``Check`` results (ok / warning / failure, and what to do).

- ``checks.py``  settings, data folder, job store, intent data, speech, recognizer models
- ``audio.py``   the checks that touch PortAudio and the sound server: devices, level, chime
- ``recognition.py``  the Whisper model: installed, checksums, one request timed
- ``wyoming.py``  the home speech server, when one is configured: reachable, its info, one request
- ``contacts.py``  the safety routes spoken: one country's set, and which get general advice
"""

from .. import lazy_exports

__all__ = [
    "Check",
    "DEFAULT_CHECKS",
    "diagnose",
    "format_checks",
    "run_checks",
    "AUDIO_CHECKS",
    "RECOGNITION_CHECKS",
    "WYOMING_CHECKS",
    "CONTACT_CHECKS",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "Check": ".checks",
        "DEFAULT_CHECKS": ".checks",
        "diagnose": ".checks",
        "format_checks": ".checks",
        "run_checks": ".checks",
        "AUDIO_CHECKS": ".audio",
        "RECOGNITION_CHECKS": ".recognition",
        "WYOMING_CHECKS": ".wyoming",
        "CONTACT_CHECKS": ".contacts",
    },
)
