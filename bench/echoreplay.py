"""Why the live canceller removes so little echo: a recorded echo path replayed offline.

    python -m bench echoreplay -- DIR [--taps 4096] [--frame 160]

``DIR`` is one method's folder written by ``python -m bench bargein -- --record ROOT``: the
microphone and the reference exactly as the canceller got them, the player's blocks and what
the speaker really played (``speaker.monitor``). Prints, separating the causes:

* **live, replayed**: SpeexDSP on the recorded pair (the same settings): does the offline
  replay reproduce the live figure (it must, or the record is not faithful);
* **lag of the echo behind the reference**, per half second of its voice: how it moves within
  a reply and between replies (a canceller models a fixed path: every jump is relearned);
* **the reference against what was played**: the same lag between the reference and
  ``speaker.monitor`` (a move here is the product's: gaps the reference does not have, or its
  clock off), and between what was played and the microphone (a move here is the room's:
  the test room's loopback jumping);
* **the player's clock**: how far each block's "sounds at" strays from where the previous block
  ended (the reference snaps only within ``PlayedAudio.SNAP_S``), and underruns;
* **replayed realigned**: SpeexDSP with the reference shifted to the lag measured per reply,
  and per half second (an oracle), and with other filter lengths.

Every figure is echo removed (ERLE, dB) over the frames where its voice played.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._playerlog import player_clock, underrun_gaps  # noqa: E402
from voice_repair.audio.speex import SpeexEcho  # noqa: E402

EXPLICIT_ONLY = True  # needs a record from ``bench bargein -- --record``

RATE = 16000
FRAME = 160
WIN = RATE // 2
"""Half a second per lag estimate."""
LAG_LO, LAG_HI = -0.2, 0.5
"""Lags searched, seconds (positive: the echo comes after the reference)."""
ACTIVE_RMS = 100.0


def _s16(path: Path) -> np.ndarray:
    return np.fromfile(path, dtype="<i2") if path.exists() else np.zeros(0, np.int16)


def _active(far: np.ndarray) -> np.ndarray:
    frames = far[: far.size // FRAME * FRAME].reshape(-1, FRAME).astype(np.float64)
    return np.sqrt((frames**2).mean(axis=1)) > ACTIVE_RMS


def replies(far: np.ndarray, gap_s: float = 1.0) -> list[tuple[int, int]]:
    """Sample ranges of its voice, split at ``gap_s`` of silence in the reference."""
    act = _active(far)
    out: list[tuple[int, int]] = []
    start = last = None
    for i in np.flatnonzero(act):
        if start is None:
            start = last = i
        elif (i - last) * FRAME > gap_s * RATE:
            out.append((start * FRAME, (last + 1) * FRAME))
            start = i
        last = i
    if start is not None:
        out.append((start * FRAME, (last + 1) * FRAME))
    return out


def lag(a: np.ndarray, b: np.ndarray, lo: float, hi: float) -> tuple[float, float]:
    """(seconds ``b`` comes after ``a`` in the best alignment, normalized correlation)."""
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    if not a.any() or not b.any():
        return float("nan"), 0.0
    size = 1 << int(np.ceil(np.log2(a.size + b.size)))
    c = np.fft.irfft(np.conj(np.fft.rfft(a, size)) * np.fft.rfft(b, size), size)
    lags = np.arange(int(lo * RATE), int(hi * RATE) + 1)
    vals = c[lags % size]
    k = int(np.argmax(np.abs(vals)))
    # normalized over the part of ``b`` that lines up with ``a``'s sound, not all of ``b``
    nz = np.flatnonzero(a)
    lo_i, hi_i = nz[0], nz[-1] + 1
    seg_b = b[max(0, lo_i + lags[k]) : max(0, hi_i + lags[k])]
    seg_a = a[lo_i : lo_i + seg_b.size]
    norm = np.sqrt(np.sum(seg_a**2) * np.sum(seg_b**2))
    return lags[k] / RATE, float(abs(vals[k]) / norm) if norm > 0 else 0.0


def lag_track(ref: np.ndarray, mic: np.ndarray, spans, lo=LAG_LO, hi=LAG_HI):
    """Per half second of voice: (start sample, lag s, correlation) of ``mic`` behind ``ref``."""
    pad = int(max(-lo, hi) * RATE)
    out = []
    for s0, s1 in spans:
        for k in range(max(s0, pad), min(s1, mic.size - pad) - WIN + 1, WIN):
            b = mic[k - pad : k + WIN + pad]
            a = np.zeros(b.size)
            a[pad : pad + WIN] = ref[k : k + WIN]
            d, r = lag(a, b, lo, hi)
            out.append((k, d, r))
    return out


def erle(near: np.ndarray, far: np.ndarray, taps: int = 4096, frame: int = FRAME,
         spans=None) -> tuple[float, list[float]]:  # fmt: skip
    """SpeexDSP (a fresh filter kept for the whole record, as live) over ``near``/``far``:
    (dB over all voiced frames, dB per reply in ``spans``)."""
    aec = SpeexEcho(frame, taps=taps, sample_rate=RATE)
    n = min(near.size, far.size) // 320 * 320
    out = np.empty(n, dtype=np.int16)
    for i in range(0, n, frame):
        out[i : i + frame] = aec.process(near[i : i + frame], far[i : i + frame])
    act = np.repeat(_active(far[:n]), FRAME)

    def db(lo: int, hi: int) -> float:
        m = act[lo:hi]
        e_in = np.sum(near[lo:hi][m].astype(np.float64) ** 2)
        e_out = np.sum(out[lo:hi][m].astype(np.float64) ** 2)
        return 10 * np.log10((e_in + 1) / (e_out + 1))

    return db(0, n), [db(s0, min(s1, n)) for s0, s1 in (spans or [])]


def shifted(far: np.ndarray, samples: int) -> np.ndarray:
    """``far`` delayed by ``samples`` (negative: advanced), zero-filled."""
    out = np.zeros_like(far)
    if samples >= 0:
        out[samples:] = far[: far.size - samples]
    else:
        out[:samples] = far[-samples:]
    return out


def realigned(far: np.ndarray, track, spans, per_window: bool, lead_s: float = 0.01):
    """The reference moved to the measured lag (less ``lead_s``, the filter's margin): one
    shift per reply (its median lag), or one per half second (an oracle)."""
    out = np.zeros_like(far)
    lead = int(lead_s * RATE)
    for s0, s1 in spans:
        rows = [(k, d) for k, d, r in track if s0 <= k < s1 and r > 0.3 and np.isfinite(d)]
        if not rows:
            out[s0:s1] = far[s0:s1]
            continue
        if not per_window:
            d = round(np.median([d for _, d in rows]) * RATE) - lead
            seg = shifted(far, d)
            out[s0:s1] = seg[s0:s1]
            continue
        for k, d in rows:
            seg = shifted(far, round(d * RATE) - lead)
            out[k : k + WIN] = seg[k : k + WIN]
    return out


def _jumps(track, min_r: float = 0.5) -> str:
    rows = [(k, d) for k, d, r in track if r >= min_r and np.isfinite(d)]
    if len(rows) < 2:
        return f"{len(rows)} windows with a clear peak"
    d = np.array([d for _, d in rows]) * 1000
    steps = np.abs(np.diff(d))
    return (
        f"{len(rows)}/{len(track)} windows with a clear peak (r >= {min_r}); lag median "
        f"{np.median(d):.1f} ms, range {d.min():.1f}..{d.max():.1f} ms; window-to-window moves "
        f"> 1 ms: {int((steps > 1).sum())}, > 5 ms: {int((steps > 5).sum())}, > 20 ms: "
        f"{int((steps > 20).sum())} of {steps.size}"
    )


def _parec_late(
    spk: np.ndarray, t_spk: float, blocks: np.ndarray, near: np.ndarray, far: np.ndarray
) -> float:
    """How much later than it was started ``parec`` began to deliver (seconds; it varies, 2 s
    once): the median, over the first replies, of where the microphone's second of voice is
    found in the speaker record against where the clocks put it. What is left is the room's
    delay, the same for every reply, and only its moves are read."""
    found = []
    echoed = [s for s in replies(far) if np.sqrt(np.mean(near[s[0] : s[0] + RATE] ** 2.0)) > 300]
    for s0, _s1 in echoed[:8]:
        j = round((blocks[0, 0] + s0 / RATE - t_spk) * RATE)
        lo = max(0, j - 3 * RATE)
        sp = spk[lo : j + 3 * RATE].astype(np.float64)
        seg = near[s0 : s0 + RATE].astype(np.float64)
        if sp.size <= seg.size:
            continue
        d, _r = lag(sp, np.concatenate([seg, np.zeros(sp.size - seg.size)]), -6, 6)
        if np.isfinite(d):
            found.append((j - lo) / RATE + d)
    return float(np.median(found)) if found else 0.0


def speaker_on_near_clock(folder: Path, near: np.ndarray, far: np.ndarray) -> np.ndarray | None:
    """``speaker.s16`` laid on the microphone record's sample clock (the blocks' times): so the
    reference, the speaker and the microphone can be compared sample for sample."""
    spk = _s16(folder / "speaker.s16")
    start_p = folder / "speaker.start"
    blocks_p = folder / "blocks.tsv"
    if not spk.size or not start_p.exists() or not blocks_p.exists():
        return None
    t_spk = float(start_p.read_text())
    blocks = np.loadtxt(blocks_p, ndmin=2)
    t_spk += _parec_late(spk, t_spk, blocks, near, far)
    near_n = near.size
    out = np.zeros(near_n, dtype=np.int16)
    pos = 0
    for at, n, _delay in blocks:
        n = int(n)
        j = round((at - t_spk) * RATE)
        seg = spk[max(0, j) : max(0, j) + n]
        out[pos : pos + seg.size] = seg[: max(0, min(seg.size, near_n - pos))]
        pos += n
        if pos >= near_n:
            break
    return out


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench echoreplay")
    p.add_argument("folder")
    p.add_argument("--taps", default="4096")
    p.add_argument("--frame", type=int, default=FRAME)
    args = p.parse_args(argv)
    folder = Path(args.folder)
    near, far = _s16(folder / "near.s16"), _s16(folder / "far.s16")
    n = min(near.size, far.size)
    near, far = near[:n], far[:n]
    spans = replies(far)
    voiced = sum(s1 - s0 for s0, s1 in spans) / RATE
    print(f"record: {n / RATE:.1f} s of microphone, {len(spans)} replies, {voiced:.1f} s voiced")
    print(player_clock(folder / "played.tsv"))
    print(underrun_gaps(folder / "played.tsv"))
    blocks = np.loadtxt(folder / "blocks.tsv", ndmin=2)
    delays = blocks[:, 2] * 1000
    moves = int((np.abs(np.diff(delays)) > 0).sum())
    print(f"delay in use: {np.unique(np.round(delays)).tolist()} ms, changed {moves} times")
    gaps = np.diff(blocks[:, 0]) - blocks[:-1, 1] / RATE
    worst = np.abs(gaps).max() * 1000
    print(f"microphone blocks: {len(blocks)}; time gaps between blocks > 2 ms: "
          f"{int((np.abs(gaps) > 0.002).sum())}, worst {worst:.1f} ms")  # fmt: skip
    whole, per = erle(near, far, spans=spans)
    print(f"live, replayed (taps 4096): {whole:.1f} dB; per reply "
          f"{np.round(per, 1).tolist()}")  # fmt: skip
    track = lag_track(far, near, spans)
    print(f"echo behind the reference (mic vs far): {_jumps(track)}")
    for s0, s1 in spans:
        rows = [f"{d * 1000:.0f}" for k, d, r in track if s0 <= k < s1 and r >= 0.5]
        print(f"  reply at {s0 / RATE:6.1f} s: lags (ms) {' '.join(rows)}")
    spk = speaker_on_near_clock(folder, near, far)
    if spk is not None and spk.any():
        t_ref = lag_track(far, spk, spans, -0.5, 0.5)
        print(f"what was played behind the reference (speaker vs far): {_jumps(t_ref)}")
        t_room = lag_track(spk, near, spans, -0.3, 0.5)
        print(f"the microphone behind what was played (mic vs speaker; the room): "
              f"{_jumps(t_room)}")  # fmt: skip
        w, per = erle(near, shifted(spk, -int(0.01 * RATE) + round(np.median(
            [d for _, d, r in t_room if r > 0.5] or [0]) * RATE)), spans=spans)  # fmt: skip
        print(f"replayed with what the speaker really played as the reference (one shift): "
              f"{w:.1f} dB; per reply {np.round(per, 1).tolist()}")  # fmt: skip
    for per_window in (False, True):
        al = realigned(far, track, spans, per_window)
        w, per = erle(near, al, spans=spans)
        what = "per half second (oracle)" if per_window else "one shift per reply"
        print(f"replayed realigned, {what}: {w:.1f} dB; per reply {np.round(per, 1).tolist()}")
    al = realigned(far, track, spans, False)
    for taps in [int(t) for t in args.taps.split(",")]:
        for frame in (80, 160, 320):
            if (taps, frame) == (4096, 160):
                continue
            w, _ = erle(near, al, taps=taps, frame=frame, spans=spans)
            print(f"  realigned per reply, taps {taps}, frame {frame}: {w:.1f} dB")
    return 0
