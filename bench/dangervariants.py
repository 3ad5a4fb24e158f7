"""Variants of the learned danger side, left one writer out: ``python -m bench dangervariants``.

``dangerlowo`` judges the learned danger side as it ships. This bench asks what else might
carry to a writer the net never saw (issue 19, tenth session), each variant judged the same way:
for each training writer k, a net trained on the product's sentences and the other writers
reads k; its threshold is the lowest of ``GRID`` at which at most 1% of the other writers'
out-of-fold hard negatives, and 1% of their other talk, raise *its own* alarm; then k is scored
three ways, danger only: (A) the pipeline without the learned net, the net alone, and (A) or
the net (the net speaks only over nothing or a semantic guess, never inside a frame that cancels
its route, never over more than ``MAX_WORDS`` words: ``matcher._learned``'s rule). With
``--held`` a set outside the training writers is read by the net trained on all of them.

The variants, every combination printed:

- ``model``: ``multi``, the shipped classifier (every intent, danger per route, none; summed
  danger probability) or ``routes`` (danger per route against everything else);
- ``clause``: the whole sentence, or the most dangerous of the whole and its parts (the
  semantic net's clauses and ``beside.tails``), since danger is often one clause of a longer
  sentence;
- ``veto``: none, the shipped one (an everyday or idiom example at least as near as the nearest
  danger example, ``semantic.nearer_to_talk``: gap >= 0), or a looser one (gap >= 0.05),
  applied both when choosing the threshold and when deciding;
- ``per_route``: one threshold, or one per route (each at a quarter of the budget).

The pipeline's decisions, the parts' embeddings and the trainings are cached in
``bench/.cache/dangervariants/`` (git-ignored). Run with ``OPENBLAS_NUM_THREADS=1``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
from itertools import product

import numpy as np

from bench import _learndata as data
from bench import _learnfit as learnfit
from bench import evalset
from voice_repair.intents.beside import tails
from voice_repair.intents.learned import DANGER_PREFIX
from voice_repair.intents.semantic import MAX_WORDS
from voice_repair.intents.tolerant import clauses, mend, tidy
from voice_repair.intents.wording import normalize

CACHE = data.ROOT / "bench" / ".cache" / "dangervariants"
ROUTES = ("general", "medical", "self_harm", "violence")
OPEN = {None, "semantic", "semantic-near-danger"}
RATE = 0.01
GRID = (
    *(round(float(t), 3) for t in np.arange(0.30, 0.991, 0.01)),
    *(0.993, 0.995, 0.997, 0.998, 0.999, 0.9995, 0.9998, 0.9999, 0.99995, 0.99999),
)


def parts_of(text: str) -> list[str]:
    """The parts of a sentence the clause variant reads (never the whole itself)."""
    said = mend(normalize(text))
    found = clauses(said) + tails(tidy(said))
    return [p for p in dict.fromkeys(found) if len(p.split()) <= MAX_WORDS and p != said]


def _cached(name: str, make):
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / name
    if path.exists():
        return pickle.loads(path.read_bytes())
    value = make()
    path.write_bytes(pickle.dumps(value))
    return value


def prepare(corpus: data.Corpus) -> tuple[dict, dict, dict]:
    """(part vectors, (A)'s decision per text, (safety, negative) nearness per text and part)."""
    from voice_repair.intents.embedder import Embedder
    from voice_repair.intents.semantic import SemanticNet

    texts = sorted({s.text for s in corpus.samples if s.source != data.PRODUCT})
    key = evalset_key(texts)
    parts = sorted({p for t in texts for p in parts_of(t)})
    vectors = _cached(
        f"parts-{key}.pkl", lambda: dict(zip(parts, Embedder().embed(parts), strict=True))
    )

    decided = decisions(texts)

    def near() -> dict:
        net = SemanticNet(data.DATA, normalize)
        examples, groups = net._loaded(), net._groups
        names = list(groups.names)
        rows = {s.text: i for i, s in enumerate(corpus.samples) if s.source != data.PRODUCT}
        keys = list(rows) + parts
        x = np.stack([corpus.x[rows[k]] for k in rows] + [vectors[p] for p in parts])
        sims = x.astype(np.float32) @ examples.vectors.T.astype(np.float32)
        best = np.maximum.reduceat(sims[:, groups.order], groups.starts, axis=1)
        pairs = zip(best[:, names.index("safety")], best[:, names.index("")], strict=True)
        return {k: (float(s), float(n)) for k, (s, n) in zip(keys, pairs, strict=True)}

    return vectors, decided, _cached(f"near-{key}.pkl", near)


def decisions(texts: list[str]) -> dict:
    """(A)'s decision per text: (intent, route, deciding net, whether a frame cancels each
    route), cached by the texts and by the danger data (a changed ``danger.yaml`` decides
    afresh)."""
    from voice_repair.intents.matcher import IntentMatcher

    def decide() -> dict:
        matcher = IntentMatcher.load(data.DATA)
        matcher.learned = None  # (A): the pipeline without the learned net
        out = {}
        for text in texts:
            d, said = matcher.explain(text), normalize(text)
            m = d.match
            cancels = {r: matcher._cancelled(said, r) for r in ROUTES}
            found = (m.intent, m.slots.get("route")) if m else (None, None)
            out[text] = (*found, d.net, cancels)
        return out

    danger = hashlib.sha256((data.DATA / "danger.yaml").read_bytes()).hexdigest()[:8]
    return _cached(f"decided-{evalset_key(texts)}-{danger}.pkl", decide)


def evalset_key(texts: list[str]) -> str:
    return hashlib.sha256(json.dumps(texts).encode()).hexdigest()[:16]


def train(corpus: data.Corpus, keep: tuple[str, ...], model: str):
    rows = corpus.rows(lambda s: s.source in {data.PRODUCT, *keep} and s.label != "?")
    labels = [corpus.samples[i].label for i in rows]
    if model == "routes":
        labels = [label if label.startswith(DANGER_PREFIX) else data.NONE for label in labels]
    return learnfit.train(corpus.x[rows], labels, [corpus.samples[i].text for i in rows])


def danger_of(weights, x: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Summed danger probability and the most probable danger class's route, per row."""
    p = learnfit.predict(weights, x)
    idx = [i for i, c in enumerate(weights.classes) if c.startswith(DANGER_PREFIX)]
    names = [weights.classes[i].removeprefix(DANGER_PREFIX) for i in idx]
    return p[:, idx].sum(axis=1), [names[k] for k in p[:, idx].argmax(axis=1)]


def readings(corpus, nets: dict, vectors: dict, near: dict, clause: bool):
    """(score, route, gap to the nearest negative) per corpus row, from the net for its writer."""
    n = len(corpus.samples)
    score, route, gap = np.zeros(n), [""] * n, np.full(n, -9.0)
    for source, weights in nets.items():
        rows = corpus.rows(lambda s, source=source: s.source == source and s.label != "?")
        whole, routes = danger_of(weights, corpus.x[rows])
        for j, i in enumerate(rows):
            s, neg = near[corpus.samples[i].text]
            score[i], route[i], gap[i] = whole[j], routes[j], neg - s
        owners = [(i, p) for i in rows for p in parts_of(corpus.samples[i].text)] if clause else []
        if owners:
            x = np.stack([vectors[p] for _, p in owners]).astype(np.float32)
            for (i, p), s, r in zip(owners, *danger_of(weights, x), strict=True):
                if s > score[i]:
                    score[i], route[i], gap[i] = s, r, near[p][1] - near[p][0]
    return score, route, gap


def lowest(scores: np.ndarray, samples: list, rate: float) -> float:
    danger = np.array([s.label.startswith(DANGER_PREFIX) for s in samples])
    hard = np.array([s.kind == "hard" for s in samples])
    for t in GRID:
        alarm = scores >= t
        if all(alarm[g].sum() <= rate * g.sum() for g in (hard, ~danger & ~hard)):
            return t
    return GRID[-1]


def score_writer(corpus, rows, score, route, vetoed, t, decided) -> dict[str, list[int]]:
    """Counts for one writer: (A), the net alone (N), (A) or the net (O)."""
    c: dict[str, list[int]] = {}

    def add(key: str, hit: bool) -> None:
        c.setdefault(key, [0, 0])
        c[key][0] += int(hit)
        c[key][1] += 1

    for i in rows:
        sample = corpus.samples[i]
        intent, a_route, net, cancels = decided[sample.text]
        a = intent == "safety"
        hit = bool(score[i] >= t[route[i]] and not vetoed[i])
        words = len(normalize(sample.text).split())
        speaks = not a and net in OPEN and hit and words <= MAX_WORDS and not cancels[route[i]]
        final = a_route if a else (route[i] if speaks else None)
        if sample.label.startswith(DANGER_PREFIX):
            want = sample.label.removeprefix(DANGER_PREFIX)
            columns = (("A", a, a_route), ("N", hit, route[i]), ("O", a or speaks, final))
            for col, alarm, r in columns:
                add(f"{col} caught", alarm)
                add(f"{col} route", alarm and r == want)
                add(f"{col} {want}", alarm)
        else:
            kind = "false alarm" if sample.kind == "hard" else "other talk alarmed"
            for col, alarm in (("A", a), ("N", hit), ("O", a or speaks)):
                add(f"{col} {kind}", alarm)
    return c


def _cell(pair: list[int]) -> str:
    hits, total = pair
    low, high = evalset.wilson(hits, total)
    return f"{hits}/{total} = {hits / total:.1%} [{low:.1%}, {high:.1%}]"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench dangervariants")
    parser.add_argument("--held", default=None, help="a set of bench/data/ outside the writers")
    parser.add_argument("--models", default="multi,routes")
    args = parser.parse_args(argv)
    writers = data.WRITERS
    folder = data.ROOT / "bench" / "data" / (args.held or "")
    if args.held is not None and (args.held in writers or not folder.is_dir()):
        print(f"--held {args.held}: name a folder of bench/data/ that is no training writer.")
        return 2
    held = (args.held,) if args.held else ()
    corpus = data.corpus(writers + held, noise=0)
    vectors, decided, near = prepare(corpus)
    rows = {w: corpus.rows(lambda s, w=w: s.source == w and s.label != "?") for w in writers + held}
    for model in args.models.split(","):
        nets = _cached(
            f"nets-{model}-{'-'.join(writers)}.pkl",
            lambda model=model: {
                k: train(corpus, tuple(w for w in writers if w != k), model) for k in (*writers, "")
            },
        )
        by_source = {w: nets[w] for w in writers} | {h: nets[""] for h in held}
        read = {c: readings(corpus, by_source, vectors, near, c) for c in (False, True)}
        for clause, veto, per_route in product((False, True), (None, 0.0, 0.05), (False, True)):
            score, route, gap = read[clause]
            vetoed = gap >= veto if veto is not None else np.zeros(len(score), bool)
            pooled: dict[str, list[int]] = {}
            print(f"== model={model} clause={clause} veto={veto} per_route={per_route}")
            for w in writers + held:
                train_rows = np.concatenate([rows[x] for x in writers if x != w])
                s = np.where(vetoed[train_rows], 0.0, score[train_rows])
                samples = [corpus.samples[i] for i in train_rows]
                rts = np.array([route[i] for i in train_rows])
                t = {
                    r: lowest(np.where(rts == r, s, 0.0), samples, RATE / 4)
                    if per_route
                    else lowest(s, samples, RATE)
                    for r in ROUTES
                }
                c = score_writer(corpus, rows[w], score, route, vetoed, t, decided)
                if w in writers:
                    for k, v in c.items():
                        pooled.setdefault(k, [0, 0])
                        pooled[k] = [pooled[k][0] + v[0], pooled[k][1] + v[1]]
                if w in held:
                    _print(f"{w} (held out, thresholds {sorted(set(t.values()))})", c)
            _print(f"pooled over the {len(writers)} writers left out", pooled)
    return 0


def _print(title: str, c: dict[str, list[int]]) -> None:
    print(f"  {title}")
    for col, name in (("A", "(A) pipeline"), ("N", "net alone"), ("O", "(A) or the net")):
        keys = ("caught", "route", "false alarm", "other talk alarmed")
        cells = "; ".join(f"{k} {_cell(c[f'{col} {k}'])}" for k in keys if f"{col} {k}" in c)
        routes = ", ".join(f"{r} {c[f'{col} {r}'][0]}/{c[f'{col} {r}'][1]}" for r in ROUTES)
        print(f"    {name:<16} {cells}; by route {routes}")


EXPLICIT_ONLY = True  # minutes: embeds every part, reads every sentence, trains per writer
__all__ = ["main"]
