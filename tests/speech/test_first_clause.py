"""A long reply's first sound waits only for its first clause, with a real engine.

The twelfth session found the replies with the longest first sentences (``support``: "Asking for
help is a sign that you care about each other, not a sign that something is broken.") silent
for 4-13 s under load, because the first sound waited for the whole sentence's synthesis. Here
the real engine (espeak-ng; Piper with the model mark) renders the reply through the real
``Speaker``; only the player is a recorder (the audio path is tested for real in
``tests/audio``), and the engine is wrapped to count what it synthesised and when.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
from speechvoices import VOICES

from voice_repair.models import Say
from voice_repair.speech.cache import UNKNOWN
from voice_repair.speech.clauses import first_clause_split
from voice_repair.speech.engines import make_tts
from voice_repair.speech.speaker import Speaker, opening_sentences

SUPPORT = (
    "Asking for help is a sign that you care about each other, not a sign that something is "
    "broken. A couples or family therapist can give you both a calm place and new tools."
)
FIRST = (
    "Asking for help is a sign that you care about each other, not a sign that something is broken."
)


class _Counting:
    """The real engine, recording each text and its samples; every rendering after the first
    waits until the first sound is played, which proves the first sound never needed it."""

    def __init__(self, tts, first_played: threading.Event) -> None:
        self._tts = tts
        self._first_played = first_played
        self.rendered: list[tuple[str, int]] = []
        self.waited_too_long = False

    def render(self, text: str) -> tuple[np.ndarray, int]:
        if self.rendered and not self._first_played.wait(60):
            self.waited_too_long = True
        samples, rate = self._tts.render(text)
        self.rendered.append((text, samples.size))
        return samples, rate


class _Player:
    """Records each piece played and how many samples had been synthesised before the first."""

    def __init__(self, sample_rate: int, counting: _Counting, first_played: threading.Event):
        self.sample_rate = sample_rate
        self._counting = counting
        self._first_played = first_played
        self.played: list[int] = []
        self.synthesised_before_first: int | None = None

    def play(self, samples: np.ndarray, sample_rate: int, cancel=None) -> bool:
        if self.synthesised_before_first is None:
            self.synthesised_before_first = sum(n for _, n in self._counting.rendered)
            self._first_played.set()
        self.played.append(samples.size)
        return True

    def interrupt(self) -> None:
        pass


@pytest.mark.parametrize("voice", VOICES)
def test_a_long_first_sentence_is_heard_after_its_first_clause_every_word_once(
    voice: str,
) -> None:
    tts = make_tts(voice)
    whole, rate = tts.render(FIRST)  # what the first sound used to wait for
    first_played = threading.Event()
    counting = _Counting(tts, first_played)
    player = _Player(rate, counting, first_played)
    speaker = Speaker(counting, player)
    try:
        speaker.say(Say(SUPPORT, source="support"))
        assert speaker.wait_idle(120), "the reply was never finished"
    finally:
        speaker.close()
    assert not counting.waited_too_long, "the first sound waited for a later rendering"
    texts = [text for text, _ in counting.rendered]
    # Every word once, in order, nothing added: the clauses and sentences join back to the reply.
    assert " ".join(texts) == SUPPORT
    assert texts[0] == "Asking for help is a sign that you care about each other,"
    assert player.played == [n for _, n in counting.rendered]  # each rendering heard once
    # The first sound needed only the first clause's synthesis: well under the whole sentence's.
    assert player.synthesised_before_first == counting.rendered[0][1]
    assert player.synthesised_before_first < 0.8 * whole.size, (
        player.synthesised_before_first,
        whole.size,
    )


@pytest.mark.parametrize(
    ("sentence", "pieces"),
    [
        (FIRST, ["Asking for help is a sign that you care about each other,",
                 "not a sign that something is broken."]),
        ("You could say: It makes sense that you felt left out when I made plans.",
         ["You could say:", "It makes sense that you felt left out when I made plans."]),
        # short: whole; a one-word head ("Try:") is not cut off
        ("When a hurt feels too big, talk.", ["When a hurt feels too big, talk."]),
        ("Try: I can see how much that hurt, and I am listening now.",
         ["Try: I can see how much that hurt,", "and I am listening now."]),
        # never inside a number or after a name
        ("Call Riverside Counseling at five five five, one two three four today.",
         ["Call Riverside Counseling at five five five, one two three four today."]),
        ("You can ask Anna, Ben or Carl to help you when things get hard.",
         ["You can ask Anna, Ben or Carl to help you when things get hard."]),
        ("Agree on a signal you can both use when one of you needs it - a word or a hand.",
         ["Agree on a signal you can both use when one of you needs it -", "a word or a hand."]),
    ],
)  # fmt: skip
def test_only_a_long_sentence_is_cut_and_only_at_a_safe_pause(
    sentence: str, pieces: list[str]
) -> None:
    assert first_clause_split(sentence) == pieces
    assert " ".join(pieces).split() == sentence.split()


def test_the_cache_warms_the_first_clause_first_and_the_rest_of_its_sentence_too() -> None:
    """Warm, the first clause is played at once; its rest must be warm as well, or the cut is
    heard as a pause while the rest renders."""
    warm = opening_sentences([SUPPORT, "Okay. Let's slow down."], UNKNOWN)
    assert warm == [
        "Asking for help is a sign that you care about each other,",
        "Okay.",
        "not a sign that something is broken.",
        "Let's slow down.",
    ]
