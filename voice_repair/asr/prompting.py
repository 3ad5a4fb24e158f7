"""Whisper's initial prompt: the sentences the product expects, written out, fitted to Whisper.

Whisper reads a prompt as the transcript of what was said before, so plain sentences in its own
style bias it toward those words without asking it to repeat them. The sentences come from
outside the recognizer (``live/`` hands them in; the recognizer never sees the matcher or the
conversation): either a fixed list, or a function asked before every decode, so the prompt can
follow the conversation's mode (during a pause "end the pause" and "add ten minutes" lead).

Whisper keeps at most 223 prompt tokens and cuts the *start* of a longer prompt. The sentences
come in priority order, so a prompt that does not fit is cut here at the *end*, whole sentences
at a time, and the ones that matter most always stay.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

__all__ = ["PROMPT_TOKENS", "PromptSource", "initial_prompt"]

PROMPT_TOKENS = 223
"""Prompt tokens Whisper keeps (half its 448-token context, less one); faster-whisper drops the
earliest tokens beyond it."""

Sentences = Sequence[str] | Callable[[], Sequence[str]]
"""A fixed list of sentences, or a function giving the sentences wanted now."""


def initial_prompt(sentences: Sequence[str]) -> str | None:
    """The sentences as written text ("I need a pause. How much time is left."), or None."""
    said = [" ".join(s.split()) for s in sentences if s.strip()]
    return " ".join(f"{s[0].upper()}{s[1:]}." for s in said) or None


class PromptSource:
    """The prompt to decode with now: the sentences wanted, deduplicated, cut to fit."""

    def __init__(
        self, sentences: Sentences, count_tokens: Callable[[str], int], budget: int = PROMPT_TOKENS
    ) -> None:
        """``count_tokens``: the model's own tokenizer (a prompt is read after a space)."""
        self._sentences = sentences
        self.count = count_tokens
        """The model's token count of a text."""
        self._budget = budget
        self._made: dict[tuple[str, ...], str | None] = {}

    def text(self) -> str | None:
        """The prompt for the next decode (None: no prompt)."""
        wanted = self._sentences() if callable(self._sentences) else self._sentences
        seen: dict[str, str] = {}  # the first of each sentence, whatever its case
        for said in (" ".join(s.split()) for s in wanted):
            if said:
                seen.setdefault(said.lower(), said)
        key = tuple(seen.values())
        if key not in self._made:
            self._made[key] = self._fit(list(key))
        return self._made[key]

    def _fit(self, sentences: list[str]) -> str | None:
        """The longest head of ``sentences`` whose prompt fits the budget."""
        while sentences:
            prompt = initial_prompt(sentences)
            if prompt is None or self.count(" " + prompt) <= self._budget:
                return prompt
            sentences.pop()
        return None
