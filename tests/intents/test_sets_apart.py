"""The frozen evaluation set stays apart from the data it judges.

``bench/data/frozen/`` was written by someone who never read ``intents/en/``. A sentence of it
copied into the data's own tests (which the templates are written against) would turn a
measurement into training data, as happened to the team's rewordings once; this test fails the
moment one is. Independent writers say the commonest things alike ("how much time is left"), so
the sentences both held on the day the set was frozen are listed in ``overlap-at-freeze.txt``
and allowed, with any later coincidence and how it came about; any other is a copy.
"""

from __future__ import annotations

from pathlib import Path

from voice_repair.datafiles import load_yaml
from voice_repair.intents.matcher import normalize

ROOT = Path(__file__).resolve().parents[2]
FROZEN = ROOT / "bench" / "data" / "frozen"


def _set_sentences(folder: Path) -> set[str]:
    texts: set[str] = set()
    for name in ("requests", "danger"):
        doc, _ = load_yaml(folder / f"{name}.yaml")
        texts |= {normalize(str(item["text"])) for item in doc}
    for name in ("hard_negatives", "everyday"):
        doc, _ = load_yaml(folder / f"{name}.yaml")
        texts |= {normalize(str(s)) for s in doc["sentences"]}
    return texts


def _data_sentences() -> set[str]:
    """The data's tests and the semantic net's own examples (``intents/en/examples/``)."""
    texts: set[str] = set()
    data = ROOT / "intents" / "en"
    paths = sorted((data / "tests").glob("*.yaml")) + sorted((data / "examples").glob("*.yaml"))
    for path in paths:
        doc, _ = load_yaml(path)
        if "sentences" in doc:
            texts |= {normalize(str(s)) for s in doc["sentences"]}
        for test in doc.get("tests", []):
            texts |= {normalize(str(s)) for s in test["sentences"]}
        for sentences in (doc.get("examples") or {}).values():
            texts |= {normalize(str(s)) for s in sentences}
    return texts


def _allowed() -> set[str]:
    lines = (FROZEN / "overlap-at-freeze.txt").read_text(encoding="utf-8").splitlines()
    return {line for line in lines if line and not line.startswith("#")}


def test_no_sentence_of_the_frozen_set_is_copied_into_the_data_tests():
    """Nor into the semantic net's examples, which are data too."""
    allowed = _allowed()
    copied = sorted(_set_sentences(FROZEN) & _data_sentences() - allowed)
    assert not copied, f"frozen sentences copied into intents/en/tests: {copied}"


def test_the_overlap_list_holds_only_sentences_of_the_frozen_set():
    """So the allow-list cannot grow into a back door."""
    allowed = _allowed()
    assert allowed <= _set_sentences(FROZEN)


def test_no_home_assistant_timer_sentence_is_copied_into_the_data_tests():
    """``bench/data/ha_timers.yaml`` measures the timer words (``python -m bench ha``): a copy
    of one of its sentences into the data's tests would make it training data."""
    doc, _ = load_yaml(ROOT / "bench" / "data" / "ha_timers.yaml")
    bench = {normalize(str(s["text"])) for g in doc["groups"].values() for s in g["sentences"]}
    copied = sorted(bench & _data_sentences())
    assert not copied, f"Home Assistant's timer sentences copied into intents/en/tests: {copied}"
