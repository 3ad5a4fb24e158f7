"""A request clause inside a longer utterance: "start a pause, he's not listening".

People in a hard moment rarely say a request alone. They give a reason after it ("start a pause
he's not listening"), a complaint or an address before it ("this isn't working, let's pause"),
say it to the partner first and then to the speaker, or ramble around it. ``tolerant.find_inside``
only lets *harmless* words stand around a request (a closed list), so each of these got silence,
though the request clause alone is understood.

``find_clause`` looks for a stretch of the words that a template matches exactly, standing as a
clause of its own: what comes after it must open a new clause (a subject, "because", "so",
"and we ..."), and what comes before it must not bind it into something else. That boundary is
what keeps everyday talk silent: "i need a break *from work*" goes on with a preposition,
"he told us *to* take a break" reports, "*if* we need a break" supposes, "i *don't want to* take
a break" refuses. Tried only when the whole utterance matched no template (``matcher.py``), after
the danger scan of the whole, and never for danger, the feature menu, or the one-word commands
(stop, repeat, next), which a person says to a person as often as to the speaker
(``anchors.told``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from .tolerant import memoized

__all__ = ["Clause", "find_clause"]

T = TypeVar("T")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_SUBJECTS = _words(
    """i i'm i've i'll i'd im ive we we're we've we'll we'd you you're you've you'll he he's
    he'll he'd she she's she'll she'd they they're they've they'll it it's that's
    there's everything nothing nobody everyone things"""
)
"""Words that open a new clause when they follow a request: "start a pause *he's* not listening"."""
_OPENS = _words("""because cause cos coz since so but honestly seriously anyway otherwise why""")
"""Words that begin a clause of their own after a request (a reason, a comment)."""
_JOINS = _words("and before or then")
"""Open a clause after a request only when a subject comes next ("and i'm going out", "before
we say something"): "and a holiday", "before dinner" say what the request is about. Not "until":
"one more hour until we land" tells how long something else lasts."""
_STATES = _words("i'm im we're")
"""A clause that opens by telling a feeling ("i'm so angry, i could hit something") tells, it
does not ask: said alone it may be a request, inside talk it is talk (also "i feel", "we are")."""
_STATE_VERBS = _words("feel am are")
_BINDERS = _words(
    """to that if when whenever unless once until till before after while said say says saying
    told tell tells telling asked ask asks asking heard hear reckons wish wished hope hoped
    the a an my your his her our their of for with about from how why what whether where which
    who would could should might may must can will shall won't wouldn't couldn't shouldn't
    did does do don't doesn't didn't is was are were be been not never no like than as need
    needs needed got gets has have had want wants wanted takes took gives gave get getting"""
)
"""Words that bind what follows them into their own clause: a request right after one of these
is reported, supposed, refused or part of a phrase ("he *said* start a pause", "*if* we need a
break", "a game *of* take a break")."""
_NEGATIONS = _words(
    """not don't dont never no can't cannot won't wouldn't shouldn't didn't doesn't isn't aren't
    nobody nothing"""
)
_LEANING = _words(
    """think want wanna need feel believe reckon going gonna to like have got really even just
    i we you mean say said sure"""
)
"""Words that may stand between a negation and the request it refuses ("i don't *think* we
need a break", "we're not *going to* take a break")."""
_DONE = _words("did didn't have haven't has hasn't")
_OPENERS = _words(
    """i we let's lets let please can could would will you help give tell read teach
    show start put set remind run do play walk guide take pass hand switch find get make stop
    end cancel extend add resume pause hit call begin finish kill scrap drop turn keep suggest
    what what's how is are any which where when should shall try talk explain"""
)
"""Words a request opens with when something was said before it ("..., *let's* pause", "...,
*start* the break"): a clause that opens otherwise is part of the sentence before it ("the roast
needs another half an hour", "did you set a timer for the pasta")."""
_NAMED = {
    "pause.start": _words(
        "pause break time timeout breather rest cool cooling space apart step away"
    ),
}
"""Words a clause of these requests must hold: "give me five minutes" or "twenty minutes left"
alone in a longer sentence is mostly someone waiting on a chore."""
_TOLD = _words("your yours")
"""Words of a command said to a person ("take *your* turn"), never found as a request clause."""
_CHILD = _words("daddy mummy mommy mama papa grandma grandpa")
"""A child's word for a parent anywhere: a family game ("do it again daddy"), not a request."""
_PAST = _words("was were did said told had wasn't weren't didn't")
"""A past tense after the request tells a story ("give me a break, it *was* only a biscuit")."""
_IDIOMS = frozenset({("give", "me", "a", "break")})
"""Request-shaped idioms of everyday talk, never a clause: "give me a break, the bus is late"."""


def holds_idiom(said: str) -> bool:
    """Whether the normalised sentence holds a request-shaped idiom (``_IDIOMS``): the learned
    net's sure request does not outvote everyday talk there (``matcher.SURE_OVER_TALK``)."""
    words = said.split()
    return any(
        tuple(words[i : i + len(idiom)]) == idiom for idiom in _IDIOMS for i in range(len(words))
    )


_SHORTEST = 3
_LONGEST = 14


@dataclass(frozen=True)
class Clause(Generic[T]):
    """A request found as one clause of a longer utterance."""

    match: T
    start: int
    """Index of the clause's first word in the tidied utterance, swearing dropped."""
    end: int
    """Index just past its last word."""
    rest: list[str]
    """The words said before and after it, as one or two parts (for the danger check)."""


_COUNTS = _words(
    """a an one two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty ninety half
    quarter and of couple few about like"""
)
_UNITS = _words("minute minutes min mins hour hours")


def _length_said(after: list[str]) -> int:
    """How many words at the start of ``after`` say a length ("for twenty five minutes"), or 0:
    a request's length said after it ("start a time out for ten minutes, ...")."""
    at = 1 if after[:1] in (["for"], ["of"]) else 0
    for end in range(at, min(at + 5, len(after))):
        word = after[end]
        if word in _UNITS:
            half = 3 if after[end + 1 : end + 4] == ["and", "a", "half"] else 0
            return end + 1 + half if end > at else 0
        if word not in _COUNTS and not word.isdigit():
            return 0
    return 0


_SWEARS = _words("bloody damn damned freaking fucking flipping effing goddamn frigging")
"""Said for force inside a request ("start the bloody time out"): the request without them."""
_EXCLAIMS = (["for", "god's", "sake"], ["for", "heaven's", "sake"], ["for", "fuck's", "sake"],
             ["for", "pete's", "sake"], ["for", "crying", "out", "loud"])  # fmt: skip
"""An exclamation after a request ends it as a clause would ("start a break for god's sake")."""


_DETERMINERS = _words("the my his her our their this that these those")
_FINITE = _words(
    """is isn't are aren't was wasn't keeps keep won't can't will has have just never always
    still"""
)
"""A verb, or a word that stands before one, after a short noun phrase: "the baby's crying",
"his voice is getting louder", "this is going nowhere" are clauses of their own."""


def _noun_clause(after: list[str]) -> bool:
    """Whether ``after`` opens with a short noun phrase and its verb ("the kids are up")."""
    if not after or after[0] not in _DETERMINERS:
        return False
    return any(word in _FINITE or word.endswith(("'s", "'re")) for word in after[:4])


_ASIDES = _words(
    "now right okay ok yeah yes alright please thanks mate love babe honey darling guys y'all"
)
"""Said right after a request without adding to it: "start a pause *now*, he's not listening",
"we need a breather *mate*, forty five minutes"."""


def _opens_clause(after: list[str]) -> bool:
    """Whether the words after a request begin a clause of their own (after the request's
    length, an exclamation, a word of address or of urgency, if they come next)."""
    while after and after[0] in _ASIDES:
        after = after[1:]
    after = after[_length_said(after) :] if after else after
    for exclaim in _EXCLAIMS:
        if after[: len(exclaim)] == exclaim:
            after = after[len(exclaim) :]
    while after and after[0] in _ASIDES:
        after = after[1:]
    if not after:
        return True
    first, second = after[0], after[1] if len(after) > 1 else ""
    if first in _SUBJECTS or first in _OPENS or _noun_clause(after):
        return True
    return first in _JOINS and (second in _SUBJECTS or second == "one")


def _free_before(before: list[str]) -> bool:
    """Whether the words before a request leave it a request of its own: not bound to the last
    word, not refused by a negation just before it, not a question about what was done."""
    if not before:
        return True
    if before[-1] in _BINDERS:
        return False
    for back in range(1, min(4, len(before)) + 1):
        word = before[-back]
        if word in _NEGATIONS:
            if all(w in _LEANING for w in before[len(before) - back + 1 :]):
                return False
            break
        if word not in _LEANING:
            break
    return not (before[-1] in _SUBJECTS and len(before) > 1 and before[-2] in _DONE)


def _tells(clause: list[str]) -> bool:
    """Whether a clause opens by telling a feeling ("i'm so angry", "we feel awful")."""
    second = clause[1] if len(clause) > 1 else ""
    return clause[0] in _STATES or (clause[0] in ("i", "we") and second in _STATE_VERBS)


def find_clause(
    words: list[str],
    match: Callable[[str], list[T]],
    intent_of: Callable[[T], str],
    never: frozenset[str] = frozenset(),
    plausible: Callable[[list[str]], bool] = bool,
    alone: Callable[[T], bool] = lambda _: False,
    spare: frozenset[str] = frozenset(),
) -> Clause[T] | None:
    """The longest stretch of ``words`` (a tidied utterance) that ``match`` reads as a request and
    that stands as a clause of its own, or None.

    ``match`` gives the exact template readings of a text, best first; intents in ``never`` are
    never found. The words before and after the clause may be anything but another request;
    a rest that is one of ``spare`` (the commands, "stop stop, start a pause") or the same
    request again ("let's have a break, box, start a break") does not count as another.
    ``plausible`` is a cheap test that a stretch could be a template at all (``edges.py``);
    ``alone``: a reading that is a request only said alone ("again").
    """
    kept = [w for w in words if w not in _SWEARS]
    longest = len(kept) if len(kept) < len(words) else len(kept) - 1  # the whole was tried
    words, n = kept, len(kept)
    if _CHILD & set(words):
        return None
    readings = memoized(match)

    def other(part: list[str], intent: str) -> bool:
        found = readings(part) if part and plausible(part) else []
        return bool(found) and intent_of(found[0]) not in spare | {intent}

    ends = {j for j in range(_SHORTEST, n + 1) if _opens_clause(words[j:])}
    starts = [i for i in range(n - _SHORTEST + 1) if _free_before(words[:i])]
    for size in range(min(_LONGEST, longest), _SHORTEST - 1, -1):
        for i in starts:
            j = i + size
            if j not in ends or not plausible(words[i:j]):
                continue
            if (i and words[i] not in _OPENERS) or _tells(words[i:j]):
                continue
            if _TOLD & set(words[i:j]) or _PAST & set(words[j:]) or tuple(words[i:j]) in _IDIOMS:
                continue
            found = [m for m in readings(words[i:j]) if intent_of(m) not in never]
            found = [m for m in found if not alone(m)]
            if not found:
                continue
            intent = intent_of(found[0])
            if intent in _NAMED and not _NAMED[intent] & set(words[i:j]):
                continue
            if other(words[:i], intent) or other(words[j:], intent):
                continue
            rest = [" ".join(p) for p in (words[:i], words[j:]) if p]
            return Clause(found[0], i, j, rest)
    return None
