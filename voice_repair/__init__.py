"""voice-repair: an offline voice companion for couples in a hard conversation."""

__version__ = "0.1.0"
