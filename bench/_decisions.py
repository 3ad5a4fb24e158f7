"""The pipeline's decisions on the writers' sentences, kept on disk while nothing they depend on
changed: the other half of what makes ``bench lowo`` short.

Every fold of ``bench lowo`` (and ``bench learned``'s threshold choice) needs what the pipeline
without the learned net makes of each writer's sentence (``IntentMatcher.explain``: the danger
patterns, templates, clause search, semantic net). Over nine writers that is some 7,700
sentences, 2-10 minutes on this shared machine, and the same in every run. They depend only on
the code under ``voice_repair/`` and the data under ``intents/`` (the learned net's own
weights excepted: it is switched off for them), so they are kept in ``bench/.cache/`` under a
fingerprint of those files; a change to any of them starts a new file. Two benches running side
by side share the file: each takes in the other's decisions before computing one, and when
writing.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from voice_repair.intents.matcher import IntentMatcher
from voice_repair.intents.semantic import Decision
from voice_repair.models import IntentMatch

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "bench" / ".cache"
SAVE_EVERY = 200
"""New decisions between two writes of the file (a killed run keeps most of its work)."""


UNUSED = frozenset({"learned.npz", "learned.sha256", "learnedparts.py"})
"""Files a decision without the learned net never reads: its weights, and its part reading
(which returns at once without them), so tuning them keeps the decisions."""


def fingerprint() -> str:
    """SHA-256 over the code and data a decision depends on (``UNUSED`` excepted)."""
    h = hashlib.sha256()
    files = [*(ROOT / "voice_repair").rglob("*.py"), *(ROOT / "intents").rglob("*")]
    for path in sorted(p for p in files if p.is_file() and p.name not in UNUSED):
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:24]


def _encode(d: Decision) -> dict:
    m = d.match
    match = None if m is None else [m.intent, m.slots, m.guessed]
    return {"m": match, "net": d.net, "score": d.score, "margin": d.margin}


def _decode(text: str, row: dict) -> Decision:
    m = row["m"]
    match = None if m is None else IntentMatch(m[0], dict(m[1]), text, guessed=bool(m[2]))
    return Decision(match, row["net"], row["score"], row["margin"])


class Kept:
    """``explain`` without the learned net, per sentence: from the file, or computed and kept."""

    def __init__(self, matcher: IntentMatcher) -> None:
        self._matcher = matcher
        self._path = FOLDER / f"decisions-{fingerprint()}.json"
        self._rows: dict[str, dict] = {}
        self._seen = 0
        self._new = 0
        self._read()

    def _read(self) -> None:
        """Take in what the file holds (another run of a bench may have added to it)."""
        try:
            stamp = self._path.stat().st_mtime_ns
        except OSError:
            return
        if stamp == self._seen:
            return
        try:
            kept = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # being replaced, or half written by a killed run: compute instead
        self._seen = stamp
        self._rows = {**kept, **self._rows}

    def get(self, text: str) -> Decision:
        row = self._rows.get(text)
        if row is None:
            self._read()
            row = self._rows.get(text)
        if row is None:
            learned, self._matcher.learned = self._matcher.learned, None
            try:
                row = _encode(self._matcher.explain(text))
            finally:
                self._matcher.learned = learned
            self._rows[text] = row
            self._new += 1
            if self._new >= SAVE_EVERY:
                self.save()
        return _decode(text, row)

    def __contains__(self, text: str) -> bool:
        return text in self._rows

    def save(self) -> None:
        """Write the decisions so far (atomically: a killed run leaves the last whole file)."""
        if not self._new:
            return
        FOLDER.mkdir(parents=True, exist_ok=True)
        self._seen = 0
        self._read()  # two benches side by side: neither loses the other's decisions
        part = self._path.with_suffix(f".{os.getpid()}.part")
        part.write_text(json.dumps(self._rows), encoding="utf-8")
        part.replace(self._path)
        self._seen = self._path.stat().st_mtime_ns
        self._new = 0


__all__ = ["Kept", "fingerprint"]
