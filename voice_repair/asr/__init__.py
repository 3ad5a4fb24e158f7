"""Offline speech recognition restricted to the product's phrases (pocketsphinx or vosk).

``select.make_recognizer`` picks the engine; ``base.Recognizer`` is the interface both offer;
``download.download_model`` fetches a vosk model.
"""
