"""Sound in and out: microphone capture, interruptible playback, the chime, WAV files, routing.

Takes a device name (or the sound server's default); gives ``AudioChunk``s (16 kHz mono 16-bit,
``models.py``) from the microphone or a WAV file, and plays PCM. Nothing here writes audio to disk.

- ``capture.py``   ``Microphone``: the PortAudio callback only copies blocks onto a queue
- ``playback.py``  ``Player``: PCM to the speaker, stoppable mid-sentence
- ``devices.py``   listing and checking devices; ``route.py``: following PulseAudio's routing
- ``chime.py``     the soft chime; ``wavfile.py``: reading, checking and resampling WAV files
- ``native.py``    what PortAudio prints to fd 2 during a stream's life goes to the debug log
"""

from .. import lazy_exports

__all__ = [
    "Microphone",
    "Player",
    "DeviceInfo",
    "list_devices",
    "check_device",
    "read_wav",
    "chunks",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "Microphone": ".capture",
        "Player": ".playback",
        "DeviceInfo": ".devices",
        "list_devices": ".devices",
        "check_device": ".devices",
        "read_wav": ".wavfile",
        "chunks": ".wavfile",
    },
)
