"""What a home speaker's timer words must never become, whatever the semantic net thinks.

The semantic net compares whole sentences, so it hears "add five minutes to the kitchen timer"
as "add five minutes to the timer" (one word apart) and "take five minutes off the timer" as
"add five minutes" (the same words but one). Both would act on the pause: the first is someone
else's timer, the second asks the opposite. The net cannot see such a word; these rules can, and
they only ever take a decision back or send it to the one-line answer, never make a new one:

- **a named timer** ("the pizza timer", "timer in the kitchen", "timer called laundry") is not
  the pause: a pause request becomes ``timer.other``, which says what this speaker does instead
  and starts nothing;
- **taking time away** ("remove", "take ... off", "decrease", "shorter") is not more time and not
  a new pause: such a decision is dropped (nothing is said, nothing changes);
- **setting a timer** ("make a five minute timer", "set ... timer") with no word of more time
  ("add", "more", "extend") is a new pause, not more time;
- **adding time** ("add", "extend", "lengthen", or more of a length: "another quarter of an
  hour", "ten more minutes") is more time, never a new pause.

Only the semantic net's decisions pass through here: the templates say exactly what they match.
"""

from __future__ import annotations

from .tolerant import HARMLESS

__all__ = ["correct"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TIMER = frozenset({"timer", "timers"})
# Words that may stand right before "timer" and leave it unnamed: articles, owners, lengths.
_UNNAMED = _words(
    """a an the my our your this that these those all of one another other same current
    running new old pause break minute hour second minutes hours seconds half quarter
    countdown main only last first to on off from in at by for with about set start stop
    cancel add make create put increase decrease extend remove reset check resume restart
    end kill delete clear turn switch is"""
)
# After "timer": words that introduce its name ("timer for pizza", "timer in the kitchen").
_NAMING = frozenset({"named", "called", "for", "in", "on"})
_ARTICLES = frozenset({"a", "an", "the", "my", "our", "your", "this", "that"})
# After "timer for": what is not a name ("a timer for a while", "a timer for us").
_NOT_A_NAME = _words("while bit little moment now us me them it later tonight")
_TAKE_AWAY = _words(
    """remove removed subtract decrease decreased reduce reduced shorten shorter shave cut
    less fewer minus"""
)
_MORE = _words("add added more another extra extend increase lengthen longer plus additional")
_SET = frozenset({"set", "start", "make", "create", "put"})
# Adding time is never a new pause ("add twenty minutes to the time out").
_ADDS = _words("add added adding extend extending lengthen")
_SPELLED = _words(
    """one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
    hundred"""
)
_PARTS = _words("quarter half couple few")
_UNITS = _words("minute minutes hour hours")
_PAUSE_REQUESTS = ("pause.start", "pause.status", "pause.extend", "pause.end")


def correct(intent: str, said: str) -> str | None:
    """The intent the semantic net's ``intent`` for normalised ``said`` may stand as: itself,
    ``timer.other``, ``pause.start``, or None (dropped). See the module docstring."""
    words = said.split()
    if intent not in _PAUSE_REQUESTS:
        return intent
    if _names_a_timer(words):
        return "timer.other"
    if intent in ("pause.start", "pause.extend") and _takes_away(words):
        return None
    if intent == "pause.extend" and _sets_a_timer(words) and not _MORE & set(words):
        return "pause.start"
    if intent == "pause.start" and (_ADDS & set(words) or _more_length(words)):
        return "pause.extend"
    return intent


def _more_length(words: list[str]) -> bool:
    """ "another quarter of an hour", "an extra ten minutes", "ten more minutes": a length said
    as more of one, which is more time, not a new pause ("another break", "one more break" stay
    a pause)."""
    for i, word in enumerate(words[:-1]):
        nxt = words[i + 1]
        if word in ("another", "extra") and (nxt in _SPELLED or nxt in _PARTS or nxt.isdigit()):
            return True
        after = words[i + 2] if i + 2 < len(words) else ""
        if (word in _SPELLED or word.isdigit()) and nxt in ("more", "extra") and after in _UNITS:
            return True
    return False


def _is_name(word: str) -> bool:
    """A word that can say what a timer is for: not a length, an article or a preposition, and
    not talk about the talk itself ("the break timer", "a timer for our talk" are the pause)."""
    if any(ch.isdigit() for ch in word) or word in _SPELLED:
        return False
    return word not in _UNNAMED and word not in _NOT_A_NAME and word not in HARMLESS


def _names_a_timer(words: list[str]) -> bool:
    for i, word in enumerate(words):
        if word not in _TIMER:
            continue
        if i and _is_name(words[i - 1]):
            return True  # "kitchen timer", "pizza timer"
        after = words[i + 1 : i + 4]
        if after and after[0] in ("named", "called"):
            return True
        if after and after[0] in _NAMING:
            rest = [w for w in after[1:] if w not in _ARTICLES]
            if rest and _is_name(rest[0]):
                return True  # "timer for pizza", "timer in the kitchen"
    return False


def _takes_away(words: list[str]) -> bool:
    if _TAKE_AWAY & set(words):
        return True
    # "take five minutes off", "knock ten minutes off the timer", "take ten from the pause"
    return "take" in words[:2] and ("off" in words or "from" in words)


def _sets_a_timer(words: list[str]) -> bool:
    return bool(_SET & set(words)) and bool(_TIMER & set(words))
