"""The pronunciation dictionaries the pocketsphinx decoders load, cut down to what they need.

The bundled dictionary has 135k entries; a decoder builds its search from every entry it is
given, at about 22 MB for the whole file. The grammar decoders need only the grammar's words; the
open-English decoder only words its language model can predict, and of those the commonest.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pocketsphinx
from pocketsphinx import Decoder, NGramModel

__all__ = ["ENGLISH_WORDS", "write_dict", "write_lm_dict"]

ENGLISH_WORDS = 20000
"""How many of the language model's likeliest words the English decoder knows (see
``write_lm_dict``)."""


def write_lm_dict(
    path: Path, decoder: Decoder, keep: frozenset[str], top: int = ENGLISH_WORDS
) -> None:
    """Write the bundled dictionary's entries for the ``top`` likeliest words of the bundled
    language model, plus the words in ``keep`` (the grammar's, so the English reading can
    always say a command word).

    ``decoder`` lends its configuration and log tables to load the model (about 0.1 s).
    """
    lm = NGramModel(
        decoder.config, decoder.logmath, pocketsphinx.get_model_path("en-us/en-us.lm.bin")
    )
    unknown = lm.prob(["<unk>"])
    prob: dict[str, int] = {}
    entries: list[tuple[str, str]] = []
    for base, line in _entries():
        if base not in prob:
            prob[base] = lm.prob([base])
        if prob[base] != unknown:
            entries.append((base, line))
    del lm
    likeliest = sorted({b for b, _ in entries}, key=lambda b: -prob[b])[:top]
    chosen = keep.union(likeliest)
    path.write_text("".join(line for b, line in entries if b in chosen), encoding="utf-8")


def write_dict(words: Sequence[str], path: Path) -> list[str]:
    """Write the bundled dictionary's entries for ``words`` to ``path``; return the missing words.

    Alternative pronunciations ("what(2)") come along, so nothing is lost by the smaller file.
    """
    wanted, found, lines = set(words), set(), []
    for base, line in _entries():
        if base in wanted:
            found.add(base)
            lines.append(line)
    path.write_text("".join(lines) or "a AH\n", encoding="utf-8")
    return sorted(wanted - found)


def _entries() -> Iterator[tuple[str, str]]:
    """(word, line) for each entry of the bundled dictionary, the line ending in a newline;
    "what(2)" gives the word "what"."""
    with open(pocketsphinx.get_model_path("en-us/cmudict-en-us.dict"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                base = line.split(maxsplit=1)[0].split("(", 1)[0]
                yield base, line if line.endswith("\n") else line + "\n"
