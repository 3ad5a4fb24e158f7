"""Text to sound: speech engines, the speaker that says replies in order, the silence markup.

Takes ``Say`` (``models.py``) whose text may hold timed silences (``[4s]``); gives PCM to
``audio.playback`` and can be interrupted mid-sentence by "stop".

- ``engines.py``  ``TextToSpeech`` engines: espeak-ng through pyttsx3, and Piper
- ``espeakends.py`` waiting for espeak-ng's real end of a phrase (pyttsx3's loop can end early)
- ``speaker.py``  ``Speaker``: one worker thread rendering and playing lines, chimes, silences
- ``cache.py``    ``CachedTTS``: each sentence rendered once per voice, fixed lines rendered ahead
- ``turns.py``    a reply stops the sentence being rendered ahead (``pipersession.py``: Piper)
- ``markup.py``   parsing ``[4s]`` timed silences (the content checks use it too)
- ``wyoming.py``  opt-in: a home Wyoming voice server renders each line, the local voice as fallback
"""

from .. import lazy_exports

__all__ = [
    "TextToSpeech",
    "EspeakTTS",
    "PiperTTS",
    "make_tts",
    "Speaker",
    "CachedTTS",
    "Silence",
    "parse",
    "plain",
    "spoken_words",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "TextToSpeech": ".engines",
        "EspeakTTS": ".engines",
        "PiperTTS": ".engines",
        "make_tts": ".engines",
        "Speaker": ".speaker",
        "CachedTTS": ".cache",
        "Silence": ".markup",
        "parse": ".markup",
        "plain": ".markup",
        "spoken_words": ".markup",
    },
)
