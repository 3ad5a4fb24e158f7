"""Setting an appliance is talk, not a kitchen timer or a pause (``intents/appliances.py``).

With ten writers in its training data the learned net answered "set the oven for forty minutes
at two hundred" with the one-line kitchen-timer reply (``timer.other``): the embedding puts
"appliance + length" next to the writers' many "oven timer for N minutes". The rule takes back a
net's guess of a timed request when the sentence sets an appliance and holds no timer word and
no delay, whatever the weights. These sentences were written for this test (none comes from a
development set or the frozen set); the first group fails without the rule (``anchored`` lets
each stand: each holds a length or a number).

The last test runs the rule over every timed request the data and the training writers hold:
none of them may be taken back (the rule would silence a real request).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench._learndata import WRITERS
from voice_repair.datafiles import load_yaml
from voice_repair.intents.anchors import anchored
from voice_repair.intents.appliances import sets_an_appliance
from voice_repair.intents.wording import normalize

ROOT = Path(__file__).resolve().parents[2]
TIMED = ("timer.other", "pause.start", "pause.extend", "pause.status")

SETTINGS = [
    "set the oven for forty minutes at two hundred",
    "put the slow cooker on low for six hours",
    "can you preheat the oven to 180 degrees",
    "stick the casserole in the oven for an hour and a half",
    "put the dishwasher on the quick wash it only takes forty minutes",
    "run the dryer for another twenty minutes the towels are still damp",
    "set the bread maker to the three hour loaf",
    "pop the rice cooker on for twenty five minutes love",
]
ASKED = [
    ("timer.other", "set the oven timer for forty minutes"),  # a timer word: a kitchen timer
    ("timer.other", "can you time the lasagne in the oven forty minutes"),
    ("timer.other", "turn the oven off in twenty minutes"),  # a delayed command to the speaker
    ("timer.other", "put the dishwasher on at ten"),
    ("timer.other", "let me know when the slow cooker has been on for six hours"),
    ("timer.other", "set an alarm for seven thirty"),
    ("pause.start", "give us fifteen minutes to cool off"),
]


@pytest.mark.parametrize("intent", TIMED)
@pytest.mark.parametrize("text", SETTINGS)
def test_a_guess_on_an_appliance_being_set_does_not_stand(text: str, intent: str) -> None:
    said = normalize(text)
    assert sets_an_appliance(said), f"{text!r} should read as setting an appliance"
    assert not anchored(intent, said), f"{text!r} was left standing as {intent}"


@pytest.mark.parametrize(("intent", "text"), ASKED)
def test_a_timer_word_or_a_delay_keeps_the_request(intent: str, text: str) -> None:
    said = normalize(text)
    assert not sets_an_appliance(said)
    assert anchored(intent, said), f"{text!r} should still stand as {intent}"


def test_danger_near_an_appliance_is_never_taken_back() -> None:
    """The rule is for timed guesses only: danger told beside an oven stays danger."""
    assert anchored("safety", normalize("she put her head in the oven and turned the gas on"))


def _timed_requests() -> list[tuple[str, str]]:
    """(where, sentence) for every timed request of the data's tests and the writers' sets."""
    found: list[tuple[str, str]] = []
    for path in sorted((ROOT / "intents" / "en" / "tests").glob("*.yaml")):
        doc, _ = load_yaml(path)
        for test in doc.get("tests", []):
            if test["intent"]["name"] in TIMED:
                found += [(path.name, str(s)) for s in test["sentences"]]
    for writer in WRITERS:
        items, _ = load_yaml(ROOT / "bench" / "data" / writer / "requests.yaml")
        found += [(writer, str(i["text"])) for i in items if i["intent"] in TIMED]
    return found


def test_no_timed_request_of_the_data_or_the_writers_is_taken_back() -> None:
    requests = _timed_requests()
    assert len(requests) > 500  # the sweep read the files (eleven writers and the data)
    taken = [(where, text) for where, text in requests if sets_an_appliance(normalize(text))]
    assert taken == [], f"timed requests read as setting an appliance: {taken}"
