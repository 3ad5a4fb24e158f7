"""Tolerant matching: the templates as training material, not as the only sentences people say.

Home Assistant's fuzzy matcher treats hassil templates as examples: words it does not need are
skipped, as long as what is left is clearly the request. We do the same in two steps, tried only
when the whole sentence matched no template (so every exact reading keeps its meaning):

1. ``tidy``: words a recognizer mishears put back ("stop the terms": turns), fillers dropped
   anywhere ("um", "like ten minutes", "okay so", "sorry") and words
   said twice folded into one ("time out time out", "pause pause pause").
2. ``find_inside``: the request found inside a longer sentence, when every word outside it is
   *harmless*: talk about the talk itself ("we're getting too heated", "to talk",
   "away from this", "and then we come back"), or another way of asking the same thing ("i'm
   ready, let's pick it up again"). A word about anything else ("a break from *work*", "five
   minutes to finish my *email*", "stop by the *bakery*") keeps the sentence everyday talk; so
   does a negation before the request ("I don't want to take a break"), and so does a rest that
   is a different request.

The harmless words are a closed list on purpose: a new word there can turn everyday talk into a
request, and ``tests/_none.yaml`` is the place that shows it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

__all__ = ["tidy", "mend", "find_inside", "clauses", "HARMLESS", "memoized"]

T = TypeVar("T")

_FILLERS = re.compile(
    r"\b(?:um+|uh+|uhm|er|erm|hmm+|you know|i mean|hey|yeah|okay so|ok so|alright so)\b"
)
# "sorry" is a filler ("sorry, can you repeat that") unless it is what is said or felt: "say
# sorry", "i'm sorry", "to show i'm sorry" keep it.
_SORRY = re.compile(
    r"(?<!\bi'm )(?<!\bim )(?<!\bam )(?<!\bsay )(?<!\bsaying )(?<!\bsaid )(?<!\bso )"
    r"(?<!\breally )(?<!\bfeel )(?<!\bbe )(?<!\bwas )(?<!\bvery )(?<!\bwe're )\bsorry\b"
)
# What a recognizer makes of a request's words (Whisper, heard in the development sets): "a gain"
# is "again", "terms" in a round are "turns", "council the reminder" is "cancel". Only where the
# misheard word cannot be meant ("in terms of", "the lesson" stay).
_MISHEARD = (
    (re.compile(r"\ba gain\b"), "again"),
    (re.compile(r"\bterm(s?)\b(?! of\b)"), r"turn\1"),
    (re.compile(r"\bcouncil (the|my|our|all|that|this)\b"), r"cancel \1"),
    (re.compile(r"\bcandy (do|help|say|tell|repeat|stop|give|read)\b"), r"can you \1"),
    (
        re.compile(r"\blesson (better|more|properly|to (?:him|her|them|me|us|each other))\b"),
        r"listen \1",
    ),
    (re.compile(r"\bextent (the|our|my|it)\b"), r"extend \1"),
    (
        re.compile(
            r"\b(start|take|have|need|want|end|stop) (a|the|our) (?:pose|paws|pours|pores)\b"
        ),
        r"\1 \2 pause",
    ),
    (re.compile(r"\b(couples?|marriage|family|relationship) the rapist\b"), r"\1 therapist"),
)
# A number said and corrected at once ("twenty no thirty minutes", "ten sorry fifteen"): the
# second is meant.
_NUMBER = (
    r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|forty five|fifty|sixty|ninety|a half|half an?|an?)"
)
_CORRECTED = re.compile(
    rf"\b{_NUMBER}(?: (?:minutes?|hours?))? (?:no|sorry|i mean|actually|or rather|no make it|"
    rf"make it) ({_NUMBER})\b"
)
# "like" is a filler unless it compares or wants ("i'd like", "feel like", "looks like").
_LIKE = re.compile(
    r"(?<!\bi )(?<!\bwe )(?<!\byou )(?<!\bthey )(?<!\bwould )(?<!\bi'd )(?<!\bwe'd )"
    r"(?<!\bfeel )(?<!\bfeels )(?<!\bfelt )(?<!\blook )(?<!\blooks )(?<!\bsound )"
    r"(?<!\bsounds )(?<!\bseem )(?<!\bseems )(?<!\bdon't )(?<!\bnot )(?<!\bjust )"
    r"(?<!\bsomething )(?<!\bwhat's )\blike\b(?! this\b| that\b)"
)
# "carry on" is "continue", which the harmless words hold ("remind us at six to carry on").
_CARRY_ON = re.compile(r"\bcarry on\b")
# "we both need", "let's both": the request is the same without "both"; so is it without "for
# the two of us" ("a time out for the two of us"): a pause is always for both.
_BOTH = re.compile(r"\b(we|let's|us) both\b")
_US_TWO = re.compile(r"\s*\bfor (?:the )?(?:two|both) of us\b")
# What a reminder is for, when it names the talk and its topic: "to come back to the money
# thing", "to have the talk about her mum", "to finish the chat about the holidays" say "to
# talk" (a talk word must be said: "to call the dentist" stays someone else's errand).
_TALK = r"(?:argument|talk|chat|conversation|fight|discussion|row|thing)"
_WHEN = r"(?:at|in|for|on|by|tonight|tomorrow|this|next|after|before|later|so|and)\b"
_TOPIC = re.compile(
    r"\b(?:to (?:come back to|get back to|revisit|finish|have|pick up|continue|talk about|"
    r"discuss)|about) (?:the|this|that|our) (?:\w+ ){0,2}?"
    + _TALK
    + r"(?: about(?: (?!"
    + _WHEN
    + r")[\w']+){1,3})?\b"
)
# "the pause thing", "that turns thing": a request named by what it is, with "thing" after it.
_THING = re.compile(
    r"\b(pause|break|time out|timeout|breather|cool down|cool off|breathing|turns|turn taking|"
    r"rounds|reminder|listening|calming|grounding) thing\b"
)
# Said first, before the request: an address or a short reaction that adds nothing.
_LEADING = re.compile(
    r"^(?:(?:so|okay|ok|well|right|alright|all right|oh|look|listen|wait|hold on|"
    r"speaker|computer|assistant|excuse me|love|babe|honey|darling|mate|sweetheart|kindly)\b\s*)+"
)
# Said last, after the request: a tag that only asks politely ("remind us, would you").
_TAG = re.compile(
    r"(?:\s*\b(?:would you|will you|could you|can you|do you reckon|if you can|if you could|"
    r"if you don't mind|kindly))+$"
)

_HARMLESS_WORDS = """
    i i'm i've i'll i'd we we're we've we'll we'd you you're he he's she she's they they're
    me us him her them it it's this that that's my our your his their each other both
    ourselves myself yourself

    am is are was were be been being do does did have has had will would can could should
    let's going gonna getting get got feel feeling felt think guess know need want
    so too very still quite really a an the bit little lot all right now yet again already
    anymore any more some okay ok yeah yes nah nope well oh just sorry please thanks thank then and
    because cause since after before for to of in with about at as when while
    upset angry mad heated flooded tired exhausted calm calmer sad stressed
    overwhelmed frustrated worked wound tense annoyed hurt hurting scared nervous
    shaky shaking crying emotional raw triggered defensive frazzled fried done
    talk talking talked conversation fight fighting argument arguing discussion
    come coming back again later properly first after afterwards there
    speaker computer assistant thing things up through over away from start going
    say said something regret regretting lose losing temper mind head
    clear cool off calm down breathe breathing think minute minutes moment
    keep keeps same round finish finishing continue revisit apologize properly
    check in each other not than good fine made walk exactly without interrupted
    interrupting piece part side pick understand out line wrong messed yelled shouted
    snapped rude making excuses sounding fake having comes tonight longer like spiraling
    way cutting cut cooled calmed settled cooling
"""
HARMLESS = frozenset(_HARMLESS_WORDS.split())
"""Words that may stand outside the request: people, small grammar, and talk about the talk.

Nothing here names another activity (work, dinner, the kids, a show): such a word outside the
request means the sentence is about that, not about this conversation."""

# Where one clause of spoken English ends and the next begins: the request is often one of them
# ("i think we need a professional, honestly this is beyond you"). "before" and "after" are not
# here: what follows them is usually what the clause is about ("a walk after lunch").
_CLAUSE_BREAK = re.compile(
    r"\b(?:so that|so|because|cause|but|and then|then|i mean|actually|honestly|anyway|or)\b"
)
_SHORTEST_CLAUSE = 3

_NEGATION = frozenset({"not", "don't", "never", "no", "can't", "won't", "didn't", "shouldn't"})
# "did you set a timer for the pasta", "have you started the break": asked about what was done,
# which is a question to a partner, not a request (a request asks for something now or later).
_DONE_AUX = frozenset({"did", "didn't", "have", "haven't", "has", "hasn't"})
_SUBJECTS = frozenset({"i", "you", "we", "he", "she", "they", "it", "anyone", "somebody"})
_MAX_LEFTOVER = 10


def mend(said: str) -> str:
    """A normalised sentence with misheard words put back and a number corrected at once read
    as corrected: what every net after the templates should read (``tidy`` does this first)."""
    t = said
    for wrong, right in _MISHEARD:
        t = wrong.sub(right, t)
    return _CORRECTED.sub(r"\1", t)


def tidy(said: str) -> str:
    """A normalised sentence without fillers and with words said twice in a row folded once."""
    t = mend(said)
    t = _LIKE.sub(" ", t)
    t = _SORRY.sub(" ", t)
    t = _BOTH.sub(r"\1", t)
    t = _US_TWO.sub("", t)
    t = _TOPIC.sub("to talk", t)
    t = _THING.sub(r"\1", t)
    t = _CARRY_ON.sub("continue", t)
    t = _FILLERS.sub(" ", t)
    t = _LEADING.sub("", " ".join(t.split()))
    t = _TAG.sub("", t).strip() or t
    return " ".join(_fold_repeats(t.split()))


def _fold_repeats(words: list[str]) -> list[str]:
    """ "time out time out" -> "time out": an n-gram (n <= 3) said again right after itself."""
    out: list[str] = []
    for word in words:
        out.append(word)
        for n in (1, 2, 3):
            if len(out) >= 2 * n and out[-n:] == out[-2 * n : -n]:
                del out[-n:]
                break
    return out


def find_inside(
    words: list[str],
    match: Callable[[str], list[T]],
    intent_of: Callable[[T], str],
    never: frozenset[str] = frozenset(),
    plausible: Callable[[list[str]], bool] = bool,
    weight: Callable[[T], int] = lambda _: 0,
    alone: Callable[[T], bool] = lambda _: False,
) -> T | None:
    """The best reading of the longest part of ``words`` whose rest is harmless, or None.

    ``match`` gives the exact readings of a text, best first. The rest may be one part before
    the request and one after it. A part counts as harmless when it is made of ``HARMLESS``
    words and is no other request, or when it is the same request said again. Intents in
    ``never`` are not found inside (danger has its own scan, which sees every sentence whole).
    ``plausible`` is a cheap test that a part could be a template at all (``edges.py``).
    When a part outside is the same request, the reading with the higher ``weight`` (the more
    slots) wins: "I'm not ready yet, give me another fifteen" keeps its fifteen. A reading for
    which ``alone`` holds is a request only said alone: the bare "one more time" or "again" is
    everyday English inside a longer sentence ("one more time with feeling"). Nothing is found
    after a question about what was done ("did you", "have we": ``_DONE_AUX``).
    """
    readings = memoized(match)

    def side(part: list[str], before: bool) -> str | None:
        """What a part outside the request allows: "" any intent, a name that intent only,
        None nothing. At most one match per distinct part (there are 2n of them)."""
        if not part:
            return ""
        found = readings(part) if plausible(part) else []
        if found:
            return intent_of(found[0])
        if not all(w in HARMLESS for w in part):
            return None
        if before and any(w in _NEGATION for w in part):
            return None
        if before and _asks_what_was_done(part):
            return None
        return ""

    n = len(words)
    for leftover in range(1, min(n - 1, _MAX_LEFTOVER) + 1):
        for head in range(leftover + 1):
            tail = leftover - head
            before, core, after = words[:head], words[head : n - tail], words[n - tail :]
            if _quick_no(before, True) or _quick_no(after, False):
                continue
            allow_before, allow_after = side(before, True), side(after, False)
            if allow_before is None or allow_after is None:
                continue
            if not plausible(core):
                continue
            found = [m for m in readings(core) if intent_of(m) not in never and not alone(m)]
            if not found:
                continue
            best = found[0]
            if len(core) < 2 and "" in (allow_before, allow_after):
                continue  # one word and a harmless rest: "repeat after me", "next is us"
            if allow_before in ("", intent_of(best)) and allow_after in ("", intent_of(best)):
                same = [best] + [readings(p)[0] for p in (before, after) if p and readings(p)]
                return max(same, key=weight)
    return None


def _asks_what_was_done(before: list[str]) -> bool:
    """Whether the words before a request make it a question about the past ("did you")."""
    if before[-1] in ("did", "didn't"):
        return True
    return len(before) >= 2 and before[-2] in _DONE_AUX and before[-1] in _SUBJECTS


def _quick_no(part: list[str], before: bool) -> bool:
    """A cheap test before any matching: a long part with a word about something else cannot
    be harmless, and is not worth matching as a second request either."""
    return len(part) > 6 and not all(w in HARMLESS for w in part)


def clauses(said: str) -> list[str]:
    """The clauses of a normalised sentence of more than one, each of at least three words
    (shorter ones say too little to stand alone); empty for a sentence of one clause.

    The semantic net reads them when the whole sentence is not near enough to any example:
    "remind us in twenty minutes to actually finish this" is the request before "actually".
    """
    parts = [" ".join(p.split()) for p in _CLAUSE_BREAK.split(said)]
    parts = [p for p in parts if len(p.split()) >= _SHORTEST_CLAUSE and p != said]
    return list(dict.fromkeys(parts))


def memoized(match: Callable[[str], list[T]]) -> Callable[[list[str]], list[T]]:
    """``match`` of a run of words, each run matched once: the searches here and in
    ``clauses.py`` try the same stretches of a sentence many times over."""
    memo: dict[tuple[str, ...], list[T]] = {}

    def readings(part: list[str]) -> list[T]:
        key = tuple(part)
        if key not in memo:
            memo[key] = match(" ".join(part)) if part else []
        return memo[key]

    return readings
