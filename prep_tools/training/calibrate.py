"""Choosing the reader's ``auto`` thresholds on validation readings (never on evaluation).

``rows`` are the benchmark's per-acta rows (``bench.run_deck``): each field's confidence,
value, truth and whether an arithmetic check covers it. Two thresholds come out:

- the **checked** threshold: the lowest confidence at which the ``auto`` fields are right
  at least ``target`` of the time over all and ``per_writer`` for every writer, and each
  writer's error rate has a one-sided Clopper–Pearson upper bound, at 95 %, of at most
  ``writer_bound`` (the point rates alone pick the lowest threshold a finite validation
  sample lets through, with no margin: on the pixel-centre cut that was 0.578, whose
  `auto` readings were under 99.9 % right on evaluation hands in nine conditions of
  thirteen);
- the **unchecked** threshold, for figures no check covers (boletas sobrantes). Such a
  figure stands on its own: nothing later on the acta can expose its error. It is
  ``auto`` only above the lowest confidence (never below the checked threshold) at which
  the validation figures of its kind were right with an error rate whose one-sided
  Clopper–Pearson upper bound, at ``confidence``, is at most ``max_error``. With no error
  at all that takes about 3,000 ``auto`` figures for a 0.1 % bound at 95 %; with fewer,
  the default stays.

Domain logic only: no I/O.
"""

from __future__ import annotations

import math

import numpy as np

from capture_station.recognition.digits import DEFAULT_UNCHECKED
from capture_station.recognition.words import eligible


def _grid() -> list[float]:
    return sorted(set(np.round(np.concatenate([np.linspace(0.5, 0.999, 200),
                                               1 - np.logspace(-6, -3, 30)]), 6)))


def _binom_cdf(k: int, n: int, p: float) -> float:
    """P(X ≤ k), X ~ Binomial(n, p)."""
    if p <= 0:
        return 1.0
    if p >= 1:
        return 0.0 if k < n else 1.0
    lp, lq = math.log(p), math.log1p(-p)
    terms = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * lp + (n - i) * lq
             for i in range(k + 1)]
    m = max(terms)
    return min(1.0, math.exp(m) * sum(math.exp(t - m) for t in terms))


def error_upper_bound(errors: int, n: int, confidence: float = 0.95) -> float:
    """One-sided Clopper–Pearson upper bound on an error rate: ``errors`` seen in ``n``."""
    if n <= 0:
        return 1.0
    if errors >= n:
        return 1.0
    alpha = 1.0 - confidence
    if errors == 0:
        return 1.0 - alpha ** (1.0 / n)
    lo, hi = errors / n, 1.0
    for _ in range(60):  # the p at which seeing ≤ errors has probability alpha
        mid = (lo + hi) / 2
        if _binom_cdf(errors, n, mid) > alpha:
            lo = mid
        else:
            hi = mid
    return hi


def _arrays(rows: list[dict]):
    fields = [f for r in rows for f in r["fields"]]
    conf = np.array([f["confidence"] for f in fields], dtype=float)
    ok = np.array([f["value"] == f["truth"] for f in fields], dtype=bool)
    writer = np.array([r["writer"] for r in rows for _ in r["fields"]])
    checked = np.array([f.get("checked", True) for f in fields], dtype=bool)
    return conf, ok, writer, checked


def auto_stats(rows: list[dict], threshold: float, unchecked: float = DEFAULT_UNCHECKED,
               min_group: int = 300) -> dict:
    """Auto rate and accuracy of ``rows`` at these thresholds, and the worst writer's
    accuracy among writers with ≥ ``min_group`` auto fields."""
    conf, ok, writer, checked = _arrays(rows)
    sel = conf >= np.where(checked, threshold, max(threshold, unchecked))
    worst, bound = 1.0, 0.0
    for w in np.unique(writer):
        g = sel & (writer == w)
        n = int(g.sum())
        if n >= min_group:
            worst = min(worst, float(ok[g].mean()))
            bound = max(bound, error_upper_bound(int((~ok[g]).sum()), n))
    acc = float(ok[sel].mean()) if sel.any() else 1.0
    return {"auto_rate": round(float(sel.mean()) if len(sel) else 0.0, 5), "auto_accuracy": round(acc, 6),
            "fields": len(conf), "worst_writer_auto_accuracy": round(worst, 6),
            "worst_writer_error_bound": round(bound, 6)}


def choose_threshold(rows: list[dict], target: float = 0.9995, per_writer: float | None = None,
                     min_group: int = 300, unchecked: float = DEFAULT_UNCHECKED,
                     writer_bound: float | None = None) -> tuple[float, dict]:
    """The lowest confidence threshold whose auto-field accuracy on ``rows`` ≥ ``target``
    and, with ``per_writer``, on every writer with ≥ ``min_group`` auto fields ≥ ``per_writer``
    (so that one writer's errors are not hidden by another's clean figures); with
    ``writer_bound``, each such writer's error rate's 95 % upper bound ≤ ``writer_bound``.
    Fields no check covers count as auto at ``unchecked`` or above. (1.0, {}) when none
    qualifies."""
    for thr in _grid():
        st = auto_stats(rows, thr, unchecked, min_group)
        if st["auto_rate"] == 0:
            continue
        if (st["auto_accuracy"] >= target
                and (per_writer is None or st["worst_writer_auto_accuracy"] >= per_writer)
                and (writer_bound is None or st["worst_writer_error_bound"] <= writer_bound)):
            return float(thr), st
    return 1.0, {}


def choose_unchecked_threshold(rows: list[dict], floor: float, max_error: float = 0.001,
                               confidence: float = 0.95) -> tuple[float, dict]:
    """The threshold for figures no check covers: the lowest one ≥ ``floor`` at which the
    upper bound on their error rate stays ≤ ``max_error``; ``DEFAULT_UNCHECKED`` (or
    ``floor`` if higher) when none does."""
    conf, ok, _, checked = _arrays(rows)
    conf, ok = conf[~checked], ok[~checked]
    for thr in [floor] + [t for t in _grid() if t > floor] + [max(floor, DEFAULT_UNCHECKED)]:
        sel = conf >= thr
        n, e = int(sel.sum()), int((~ok[sel]).sum())
        bound = error_upper_bound(e, n, confidence)
        if bound <= max_error:
            return float(thr), {"fields": int(len(conf)), "auto": n, "errors": e,
                                "error_upper_bound": round(bound, 6), "confidence": confidence}
    return max(floor, DEFAULT_UNCHECKED), {"fields": int(len(conf)), "auto": None,
                                           "note": "no threshold met the bound; default kept"}


HAND_SHARES = (0.0, 0.05, 0.1)  # of an acta's figures whose words may disagree (words.hand_known)


def choose_words_threshold(rows: list[dict], max_error: float = 0.001, per_writer: float = 0.999,
                           min_group: int = 300, confidence: float = 0.95,
                           shares: tuple[float, ...] = HAND_SHARES) -> tuple[float, float, dict]:
    """The ``auto`` rule for figures the reader took from their words alone (digits
    scribbled over, ``from_words``) that a check covers: (threshold, share, stats). For
    each ``share`` (an acta's hand is one the words model reads when at most that share
    of its figures read surely in words say another number than their digits,
    ``words.hand_known``), the lowest confidence at which the figures ``auto`` on such
    actas, and those the arithmetic pins on any acta (``words.eligible``), have errors
    with a one-sided Clopper–Pearson upper bound, at ``confidence``, of at most
    ``max_error`` over all (with no error that takes about 3,000 ``auto`` figures for
    0.1 % at 95 %), and every writer with ≥ ``min_group`` of them ``auto`` is
    right at least ``per_writer`` of the time; of those, the one that lets most figures
    through. (1.0, 0.0, stats) when none qualifies: such figures then go to a person."""
    best: tuple[float, float, dict] | None = None
    tried = {}
    for share in shares:
        taken = [{"writer": r["writer"], "fields": [f for f in eligible(r["fields"], share)
                                                     if f.get("checked", True)]} for r in rows]
        thr, stats = _lowest_words_threshold(taken, max_error, per_writer, min_group, confidence)
        tried[str(share)] = {"threshold": thr, **stats}
        if thr < 1.0 and (best is None or stats["auto"] > best[2]["auto"]):
            best = thr, share, stats
    if best is None:
        return 1.0, 0.0, {"note": "no threshold met the bound", "tried": tried}
    return best[0], best[1], {**best[2], "tried": tried}


def _lowest_words_threshold(taken: list[dict], max_error: float, per_writer: float,
                            min_group: int, confidence: float) -> tuple[float, dict]:
    conf, ok, writer, _ = _arrays(taken)
    base = {"figures": len(conf), "right": int(ok.sum())}
    for thr in _grid():
        sel = conf >= thr
        n, e = int(sel.sum()), int((~ok[sel]).sum())
        bound = error_upper_bound(e, n, confidence)
        if n == 0 or bound > max_error:
            continue
        groups = {str(w): (int((sel & (writer == w)).sum()), int((sel & (writer == w) & ~ok).sum()))
                  for w in np.unique(writer)}
        if any(k >= min_group and 1 - err / k < per_writer for k, err in groups.values()):
            continue
        return float(thr), {**base, "auto": n, "errors": e, "error_upper_bound": round(bound, 6),
                            "confidence": confidence, "per_writer": groups}
    return 1.0, {**base, "auto": 0, "note": "no threshold met the bound"}
