"""The learned net's danger head (``learned.DangerHead``): which writers it learns from, how it
is fitted, and its threshold.

The request net and the danger readings were one softmax until the thirteenth session; a
retrain on more writers then moved the danger readings with the requests (README, ``split13``).
The danger head is a second fit with writers of its own (``WRITERS``), so adding a writer to
``_learndata.WRITERS`` helps the requests and leaves the danger readings where they were
measured, until the danger head's own writers are changed on purpose (and measured with
``python -m bench splitheads``). ``KIND`` says what the head is:

- ``full``: the same multinomial regression as the request net (every class), only its danger
  classes read;
- ``danger-only``: the routes and ``none`` (every sentence that is not danger labelled ``none``).

Its threshold is chosen as the one-head net's danger threshold was (``_dangeralone``: the head
alone, each of its writers read by a head fitted without that writer, at most 1% of their hard
negatives and other talk alarmed).

A head can also be **kept** (``keep``, ``bench learned -- --write --keep-danger-head``,
sixteenth session): the stored file's danger readings (its head, or a one-head file's whole net,
with its threshold) carried over bit for bit while only the request net is retrained. Refitting
the head on the same writers is not the same head: the product's own sentences are in its
training data and change between sessions, and twice that moved its out-of-fold false alarms
over the 1% line by one sentence, its threshold up a step and a danger catch out (README,
``heads14``, ``retrain15``). A kept head is the one whose danger the blind writers measured.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from bench import _dangeralone as dangeralone
from bench import _fitcache as fitcache
from bench import _learndata as data
from bench import _learnfit as learnfit
from bench.lowo import Protocol
from voice_repair.intents.learned import DANGER_PREFIX, NONE, DangerHead, Weights

WRITERS = data.WRITERS[:8]
"""The danger head's writers: the eight the shipped one-head net was trained on (``dev`` ...
``dev11``), whose danger readings the blind writers measured."""
KIND = "full"
"""``full`` or ``danger-only`` (module docstring)."""


def fit(protocol: Protocol, writers: tuple[str, ...], kind: str = KIND) -> Weights:
    """The head's weights fitted on the product and ``writers`` (kept by ``_fitcache``)."""
    if kind == "full":
        return protocol.trained([writers])[0]
    if kind != "danger-only":
        raise ValueError(f"unknown danger head kind {kind!r}: full or danger-only")
    rows = protocol._rows(writers)
    samples = [protocol.corpus.samples[i] for i in rows]
    labels = tuple(s.label if s.label.startswith(DANGER_PREFIX) else NONE for s in samples)
    job = fitcache.Job(protocol.corpus.x[rows], labels, tuple(s.text for s in samples))
    return fitcache.trained([job], protocol.workers)[0]


def threshold(protocol: Protocol, writers: tuple[str, ...], kind: str = KIND) -> float:
    """The head's danger threshold, on the head alone out of fold (``_dangeralone``)."""
    train = lambda ws: fit(protocol, ws, kind)  # noqa: E731
    folds = dangeralone.out_of_fold(protocol.corpus, writers, train)
    return dangeralone.threshold(protocol.corpus, folds)


def head(weights: Weights) -> DangerHead:
    return DangerHead(weights.classes, weights.w, weights.b)


def stamp(request: str, danger: str) -> str:
    """The fingerprint of a two-head file: both training sets' fingerprints together."""
    return hashlib.sha256(f"{request} danger-head {KIND} {danger}".encode()).hexdigest()


KEPT = " kept-danger-head "
"""Joins a kept head's file fingerprint: ``<request net's> KEPT <the file the head came from>``."""


def keep(request: Weights, stored: Weights) -> Weights:
    """``request`` (a retrained request net, its thresholds chosen) with ``stored``'s danger
    readings kept exactly: its danger head, or its whole net when it has none (a one-head file
    reads danger from its own classes, which a ``DangerHead`` over the same classes reads the
    same way), and its danger threshold. The fingerprint keeps the request net's, to say whether
    the requests are stale, and the origin of the head (kept over any number of keeps)."""
    if stored.danger_head is not None:
        head = stored.danger_head
    else:
        head = DangerHead(stored.classes, stored.w, stored.b)
    origin = stored.fingerprint.split(KEPT)[-1]
    return replace(
        request,
        danger=stored.danger,
        danger_head=head,
        fingerprint=f"{request.fingerprint}{KEPT}{origin}",
    )


def fits(stored: Weights, corpus: data.Corpus) -> tuple[bool, str]:
    """(fresh, a line saying so): whether ``stored`` was trained on ``corpus`` as it is now.
    A kept head (``keep``) is judged on its request net only; the line says where the danger
    head came from, since it was trained on other data on purpose."""
    request = [s for s in corpus.samples if s.label != "?"]
    if KEPT in stored.fingerprint:
        mine, origin = stored.fingerprint.split(KEPT, 1)
        now = learnfit.fingerprint([s.text for s in request], [s.label for s in request])
        fresh, again = mine == now, "--write --keep-danger-head"
        head = f"; its danger head is kept from the file trained on {origin[:12]}... (on purpose)"
    elif stored.danger_head is not None:
        fresh, again, head = stored.fingerprint == fingerprint(corpus), "--write --danger-head", ""
    else:
        now = learnfit.fingerprint([s.text for s in request], [s.label for s in request])
        fresh, again, head = stored.fingerprint == now, "--write", ""
    if fresh:
        return True, f"the stored learned weights fit the training data{head}"
    return False, (
        f"the training data changed since the weights were trained{head}: "
        f"python -m bench learned -- {again}"
    )


def fingerprint(corpus: data.Corpus) -> str:
    """What ``stamp`` gives for today's training data (``bench learned``'s status)."""
    request = [s for s in corpus.samples if s.label != "?"]
    danger = [s for s in request if s.source in {data.PRODUCT, *WRITERS}]
    if KIND == "danger-only":
        labels = [s.label if s.label.startswith(DANGER_PREFIX) else NONE for s in danger]
    else:
        labels = [s.label for s in danger]
    return stamp(
        learnfit.fingerprint([s.text for s in request], [s.label for s in request]),
        learnfit.fingerprint([s.text for s in danger], labels),
    )


__all__ = [
    "KEPT",
    "KIND",
    "WRITERS",
    "fingerprint",
    "fits",
    "fit",
    "head",
    "keep",
    "stamp",
    "threshold",
]
