"""A plea for help: "please please can you help us" is a call for help, not the feature menu.

``normalize`` drops the politeness said before a request ("please, what can you do"), so the
danger scan saw "please please can you help us" as "can you help us", a plain question that the
menu answers (issue 19: "Still open" since the sixth session). Said once, "please" is
politeness; said twice over, with nothing asked but help, it is someone pleading. Only a bare
ask for help counts ("please please help me choose a film" asks for something else), and it is
read from the words as said, before ``normalize``.
"""

from __future__ import annotations

import re

__all__ = ["pleads"]

_TWICE = re.compile(r"\bplease\W+(?:\w+\W+)?please\b")
""""please please", "please oh please", "please, please"."""
_BARE_HELP = re.compile(
    r"^(?:(?:can|could|will|would) (?:you|someone|somebody|anyone|anybody) )?"
    r"(?:(?:please|just|oh|god) )*help(?: (?:me|us|him|her|them))?(?: (?:please|now))*$"
)
"""What is left of the sentence after ``normalize``: an ask for help and nothing else."""


def pleads(text: str, said: str) -> bool:
    """Whether ``text`` (as said) pleads for help: "please" twice over, and ``said`` (its
    normalised words) asks for help and for nothing else."""
    return bool(_TWICE.search(text.lower())) and bool(_BARE_HELP.match(said))
