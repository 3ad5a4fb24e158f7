"""Whisper's prompt: the sentences wanted now, most wanted first, cut to what Whisper keeps.

faster-whisper keeps the last 223 tokens of a longer prompt, so the sentences listed first (the
ones the conversation's mode expects most) would be the ones lost; ``PromptSource`` cuts whole
sentences from the end instead.
"""

from __future__ import annotations

from voice_repair.asr.prompting import PromptSource


def _words(text: str) -> int:
    return len(text.split())


def test_a_prompt_too_long_loses_its_last_sentences_not_its_first():
    wanted = ["end the pause", "add ten minutes", "how much time is left", "i don't feel safe"]
    source = PromptSource(wanted, _words, budget=9)
    assert source.text() == "End the pause. Add ten minutes."


def test_the_prompt_follows_the_sentences_wanted_now():
    now = {"sentences": ["next one", "say that again"]}
    source = PromptSource(lambda: now["sentences"], _words)
    assert source.text() == "Next one. Say that again."
    now["sentences"] = ["end the pause", "Next one"]
    assert source.text() == "End the pause. Next one."
    now["sentences"] = []
    assert source.text() is None


def test_a_sentence_wanted_twice_keeps_its_first_place():
    source = PromptSource(["I'm ready to talk", "stop", "i'm  ready to talk"], _words)
    assert source.text() == "I'm ready to talk. Stop."
