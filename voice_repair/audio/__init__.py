"""Audio in and out: microphone capture, interruptible playback, the chime, WAV files.

Each module has one job; ``app.py`` wires them. Nothing here writes audio to disk by default.
"""
