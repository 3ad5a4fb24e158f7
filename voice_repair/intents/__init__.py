"""What people say, understood: hassil sentence templates -> an intent with slots.

Takes the data under ``intents/<lang>/`` (catalogue, ``sentences/``, ``tests/``) and a transcript;
gives an ``IntentMatch`` (``models.py``) or None. Also gives the recognizers their phrase list
(``grammar.py``), without importing any recognizer: ``app.py`` hands it over.

- ``matcher.py``    ``IntentMatcher``: loading, matching, slot values
- ``checking.py``   the data checked once per state of its files, its own test sentences run
  (``check_intents`` and start-up; the matcher hands in how to build itself)
- ``wording.py``    what was said, spelled as the templates spell it (every net reads it)
- ``danger.py``     the danger scan run before any template: danger anywhere in a sentence is
  ``safety`` with a ``route`` (patterns in ``danger.yaml``, not in code)
- ``data.py``       reading and schema-checking the YAML (``spec.py``: the catalogue's shapes;
  ``templates.py``: template parsing; ``shared.py``: lists and rules shared by every family)
- ``datatests.py``  the data's own tests: each test sentence is its own intent, ``_*`` nothing
- ``phrases.py``    sampling the sentences a template can say
- ``grammar.py``    the sentences a speech recognizer listens for
- ``nearest.py``    snapping a near-miss transcript onto the nearest of those sentences, only
  where the recognizer was unsure of the words (it takes words with probabilities, no recognizer)
- ``semantic.py``   the second net, after the templates (``embedder.py``, ``examples.py``);
  ``slots.py`` reads its lengths and times from the words, and ``timerwords.py`` takes back what
  a home speaker's timer words cannot mean (someone else's timer, taking time off);
  ``anchors.py``: the word a guess of a pause, a reminder or someone else's timer must hold,
  and the talk no guess stands on; ``asking.py``: whether a sentence asks (a looser nearness)
"""

from .. import lazy_exports

__all__ = [
    "IntentMatcher",
    "IntentSpec",
    "SlotSpec",
    "check_intents",
    "normalize",
    "grammar_sentences",
    "NearestSentence",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "IntentMatcher": ".matcher",
        "IntentSpec": ".matcher",
        "SlotSpec": ".matcher",
        "check_intents": ".matcher",
        "normalize": ".wording",
        "grammar_sentences": ".grammar",
        "NearestSentence": ".nearest",
    },
)
