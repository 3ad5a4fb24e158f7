"""What was said, as the templates spell it: the one normalisation every net sees.

Typed text and transcripts arrive with capitals, punctuation, typed clock times ("8.30", "8pm"),
abbreviations ("mins") and spellings the templates do not use ("apologise"). The templates double
as the speech grammar, so they use only words in the recognizer's dictionary; ``normalize`` turns
what was said into those words, and drops the politeness said before or after a request. The
danger scan, the templates and the semantic net all read its output (``matcher.py``).
"""

from __future__ import annotations

import re
import unicodedata

from .clock import spaced_clock

__all__ = ["normalize"]

# Words said before or after a request that change nothing ("okay, stop", "pause please").
_LEADING = ("please", "okay", "ok", "so", "um", "uh", "er", "erm", "hey", "well", "alright", "oh")
_LEADING += ("all right", "hmm", "right")
_TRAILING = ("please", "thanks", "thank you", "okay", "ok")
# Typed words respelled as the templates spell them. The templates double as the speech grammar,
# so they use only words in the recognizer's dictionary (American spellings, no "break's").
_SPELLINGS = {
    "im": "i'm", "ive": "i've", "dont": "don't", "cant": "can't", "lets": "let's",
    "whats": "what's", "thats": "that's", "didnt": "didn't", "doesnt": "doesn't",
    "isnt": "isn't", "youre": "you're", "theyre": "they're", "hes": "he's", "shes": "she's",
    "its": "it's", "oclock": "o'clock", "wont": "won't", "hows": "how's", "when's": "when is",
    "break's": "break is", "pause's": "pause is", "counselling": "counseling",
    "counsellor": "counselor", "counsellors": "counselors", "spiralling": "spiraling",
    "shush": "hush", "shh": "hush", "shhh": "hush", "apologise": "apologize",
    "cooldown": "cool down",
    # Typed abbreviations, so the templates (which are also the speech grammar) need only words.
    "min": "minutes", "mins": "minutes", "hr": "hour", "hrs": "hours",
}  # fmt: skip
# Typed "1 and a half hours": the hour lists spell these out ("one and a half hours").
_HALVES = {"1": "one and a half hours", "2": "two and a half hours"}
_FILLER_RE = {
    "lead": re.compile(rf"^(?:(?:{'|'.join(_LEADING)})\b\s*)+"),
    "trail": re.compile(rf"(?:\s*\b(?:{'|'.join(_TRAILING)}))+$"),
}


def normalize(text: str) -> str:
    """Lower-case words as the templates spell them: no punctuation, fillers or doubled spaces.

    Keeps what carries meaning: apostrophes inside words ("i'm") and clock colons ("20:00").
    """
    t = unicodedata.normalize("NFKC", text).lower().replace("’", "'").replace("‘", "'")
    t = re.sub(r"\b([ap])\.\s?m\b\.?", r"\1m", t)  # "8 p.m." -> "8 pm"
    t = re.sub(r"(\d)\.(\d\d)\b", r"\1:\2", t)  # "8.30" -> "8:30"
    t = re.sub(r"(\d)(am|pm)\b", r"\1 \2", t)  # "8pm" -> "8 pm"
    t = spaced_clock(t)  # "at 7 30" -> "at 7:30"
    t = re.sub(r"o\s+clock", "o'clock", t)
    t = re.sub(r"(?<![\d/])1/2(?![\d/])", "half", t)  # typed "1/2 an hour", "1 and a 1/2 hours"
    t = re.sub(r"\b([12]) and a half hours?\b", lambda m: _HALVES[m[1]], t)
    t = re.sub(r"[^\w':]|_", " ", t)
    t = re.sub(r"(?<!\d):|:(?!\d)", " ", t)
    t = re.sub(r"(?<!\w)'|'(?!\w)", " ", t)
    words = [_SPELLINGS.get(w, w) for w in t.split()]
    t = " ".join(words)
    t = re.sub(r"\b(?:a|one) hundred(?: and)?\b", "one hundred", t)  # "a hundred and five"
    t = _FILLER_RE["lead"].sub("", t)
    t = _FILLER_RE["trail"].sub("", t).strip()
    return t
