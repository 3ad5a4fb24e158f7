"""Setting an appliance is not asking this speaker for a timer or a pause.

"set the oven for forty minutes at two hundred", "put the slow cooker on low for six hours",
"preheat the oven to 180": at home these are said to a partner (or to oneself), about the
appliance's own clock or dial. This speaker cannot set an oven, and answering with the one-line
kitchen-timer reply (``timer.other``) or starting a pause talks over a couple who were only
cooking.

Why a rule and not more examples: the sentence embedding puts "set the oven for forty minutes"
next to "oven timer for an hour" (cosine 0.68) and the writers' kitchen-timer requests ("can you
set an oven timer for half an hour", "oven timer please, fifty minutes for the lamb", 0.67), as
near as any everyday sentence of the data ("turn the oven down to 180", 0.67). Trained on ten
writers, whose ~110 kitchen-timer requests name an appliance or a dish beside a length, the
learned net read "appliance + length" as ``timer.other`` (README, ``retrain15``). The word that
tells them apart is the one the embedding hardly weighs: a timer word ("oven *timer*", "*time*
the roast", "*remind* me", "*wake* me") or a delay ("turn the oven off *in ten minutes*", a
command to be kept later, which the product does answer).

So a net's guess of a timed request (``anchors._TIMED_GUESS``) does not stand when the sentence
sets an appliance (a setting verb, then the appliance within a few words), holds no timer word
and no delay. Only guesses pass through here (``anchors.anchored``); the templates' matches
never do.
"""

from __future__ import annotations

import re

__all__ = ["sets_an_appliance"]

_APPLIANCE = (
    r"(?:oven|ovens|microwave|cooker|slow cooker|rice cooker|pressure cooker|crock ?pot|"
    r"instant pot|air ?fryer|fryer|deep fryer|hob|grill|toaster|bread (?:maker|machine)|"
    r"breadmaker|steamer|sous vide|dishwasher|washing machine|washer|washing|wash|dryer|"
    r"tumble dryer|tumble|iron)"
)
_SETS = re.compile(
    r"\b(?:set|sets|setting|put|putting|turn|turning|switch|switching|pop|stick|bung|whack|"
    r"preheat|pre heat|heat|heat up|run|start|leave)\b(?: \w+){0,3}? (?:the |your |my |our |that )?"
    + _APPLIANCE
    + r"\b"
)
"""A setting verb with the appliance as its object, a few words on at most ("put the chicken
in the oven", "turn the oven up", "set the slow cooker")."""
_ASKS_A_TIMER = re.compile(
    r"\b(?:timer|timers|time|timing|alarm|alarms|stopwatch|countdown|remind|reminder|wake|"
    r"let (?:me|us) know|tell (?:me|us)|shout|beep|ring)\b"
)
"""Words that ask something of a clock: with one of them the sentence may be a kitchen timer
("set an oven timer", "time the roast", "let me know when the oven's been on an hour")."""
_NUMBER = (
    r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
    r"twenty|thirty|forty|fifty|sixty|ninety|half|quarter|couple|few)"
)
_DELAY = re.compile(
    r"\b(?:in|after|within) (?:the next |another |about |around |like )?"
    + _NUMBER
    + r"\b|\bat (?:\d{1,2}(?::\d\d)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|noon|midnight|half|quarter)\b(?! hundred| degrees| \d\d)"
)
"""A command to be kept later ("turn the oven off in ten minutes", "put the dishwasher on at
ten"): a delayed command this speaker answers (``timer.other``), not a setting. "at two
hundred" is a temperature, not a clock time."""


def sets_an_appliance(said: str) -> bool:
    """Whether normalised ``said`` sets an appliance and asks nothing of a clock (module
    docstring): a guessed timer, pause or more time on it does not stand."""
    if _SETS.search(said) is None:
        return False
    return _ASKS_A_TIMER.search(said) is None and _DELAY.search(said) is None
