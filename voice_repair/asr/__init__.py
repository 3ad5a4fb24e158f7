"""Offline speech recognition: the product's phrases (pocketsphinx, vosk) or open English
(Whisper, whose transcript the intent matcher judges).

Takes ``AudioChunk``s and the phrase list the intent data gives (handed in by ``app.py``: no
recognizer imports the matcher); gives ``Utterance``s (text, times, whether it was accepted,
and, from Whisper, each word's probability).

- ``base.py``      the ``Recognizer`` protocol every engine offers
- ``select.py``    ``make_recognizer``: picks the engine (``auto``) and says why
- ``sphinx.py``    pocketsphinx with its bundled English model (``sphinxdict.py``: its dictionaries)
- ``whisper.py``   Whisper tiny.en on faster-whisper (``whispermodel.py``: where the model comes
  from, and every file's SHA-256 checked before loading; ``prompting.py``: its initial prompt,
  fitted; ``promptguard.py``: the prompt never invents a request over noise;
  ``whisperdecode.py``: the decode of one segment, mixed into the recognizer)
- ``vosk.py``      vosk, where a vosk model is installed
- ``wyoming.py``   opt-in: a home Wyoming server transcribes each segment (``wyomingwire.py``:
  one exchange), the local engine reads it meanwhile and decides when the server cannot
  (``homenet``: the address rule and the connection); ``stopspot.py``: the fast local "stop"
- ``download.py``  ``models download``: a vosk model, or Whisper tiny.en/base.en, checked
- ``segmenter.py`` voice activity: where an utterance starts and ends
- ``realtime.py``  a recording heard as if played in real time: decision times with compute
"""

from .. import lazy_exports

__all__ = [
    "Recognizer",
    "ENGINES",
    "make_recognizer",
    "download_model",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "Recognizer": ".base",
        "ENGINES": ".select",
        "make_recognizer": ".select",
        "download_model": ".download",
    },
)
