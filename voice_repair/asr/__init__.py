"""Offline speech recognition restricted to the product's phrases.

Takes ``AudioChunk``s and the phrase list the intent data gives (handed in by ``app.py``: no
recognizer imports the matcher); gives ``Utterance``s (text, times, whether it was accepted).

- ``base.py``      the ``Recognizer`` protocol every engine offers
- ``select.py``    ``make_recognizer``: picks the engine (``auto``) and says why
- ``sphinx.py``    pocketsphinx with its bundled English model (``sphinxdict.py``: its dictionaries)
- ``vosk.py``      vosk, where a vosk model is installed; ``download.py`` fetches one
- ``segmenter.py`` voice activity: where an utterance starts and ends
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
