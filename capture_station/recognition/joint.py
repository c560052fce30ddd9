"""Field posteriors under the acta's own arithmetic.

The classifier gives every field a distribution over readings, each field on its own. The
acta ties its figures together: the votes add up to the written total, personas +
representantes give the votes taken from the boxes, and so on (``Relation``). An acta as
written breaks a relation now and then, so each relation is a soft factor, not a rule:

    f(x) = (1 − ε)·[relation holds] + ε / RANGE

ε is the prior that the acta's writers broke this relation; when they did, the written
whole is taken as any of the ``RANGE`` figures a cell row can hold (10^cells: 1,000 for
INE's three cells, more on a form with more cells per figure). The posterior of the
acta's figures is the product of the per-field distributions and these factors; each
field's marginal of it is what this module computes, exactly, over the candidate readings:
the fields that appear in a single relation (the votes) by dynamic programming over their
partial sums, the few shared ones (total, personas, representantes…) by enumeration.

A field far surer of itself than the others stays as it was read; a field torn between two
readings, of which only one makes the arithmetic hold, leans to that one; a reading that
breaks a relation nobody else can explain loses confidence. Domain logic only: no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeGuard

import numpy as np

RANGE = 1000  # three digit cells: 0..999 (the default; ``posteriors(span=…)``)
MIN_CANDIDATE = 1e-4  # readings below this probability join OTHER
MAX_CANDIDATES = 4
MAX_COMBINATIONS = 20_000  # of the shared fields' candidates; fewer kept beyond that
OTHER = object()  # any reading not listed: never satisfies a relation


@dataclass(frozen=True)
class Relation:
    """``sum(parts) == whole``, printed on the acta as a check."""

    code: str
    parts: tuple[str, ...]
    whole: str

    @property
    def fields(self) -> tuple[str, ...]:
        return (*self.parts, self.whole)


Readings = list[tuple[object, float]]


def _candidates(readings: Readings) -> Readings:
    kept = [(v, p) for v, p in readings[:MAX_CANDIDATES] if p >= MIN_CANDIDATE]
    rest = max(0.0, 1.0 - sum(p for _, p in kept))
    return [*kept, (OTHER, rest)] if rest > 0 else kept


def _figure_below(span: int) -> Callable[[object], TypeGuard[int]]:
    def is_figure(v: object) -> TypeGuard[int]:
        return isinstance(v, int) and 0 <= v < span

    return is_figure


_is_figure = _figure_below(RANGE)  # a figure of three cells

def _fold(acc: np.ndarray, cands: Readings, backwards: bool = False) -> np.ndarray:
    """Distribution of (partial sum + this field), partial sums kept below the span
    (``len(acc)``); with ``backwards``, of what is still needed before this field
    (sum − this field)."""
    span = len(acc)
    out = np.zeros(span)
    for v, p in cands:
        if isinstance(v, int) and 0 <= v < span:
            if backwards:
                out[: span - v] += p * acc[v:]
            else:
                out[v:] += p * acc[: span - v]
    return out


def posteriors(readings: dict[str, Readings], relations: list[Relation],
               p_broken: float, span: int = RANGE) -> dict[str, Readings]:
    """Each field's readings re-weighted by the relations, sorted, OTHER left out.

    ``readings``: per field, (value, probability) from the classifier, best first.
    ``span``: how many figures a field's cells can hold (10^cells). Fields that no
    relation covers keep their readings.
    """
    _is_figure = _figure_below(span)
    rels = [r for r in relations if all(n in readings for n in r.fields)]
    if not rels:
        return {n: list(r) for n, r in readings.items()}
    a, b = 1.0 - p_broken, p_broken / span
    cands = {n: _candidates(readings[n]) for r in rels for n in r.fields}
    count = Counter(n for r in rels for n in r.fields)
    main = max(rels, key=lambda r: len(r.parts))
    leaves = [n for n in main.parts if count[n] == 1]
    hubs = [n for n in cands if n not in leaves]
    while np.prod([len(cands[n]) for n in hubs]) > MAX_COMBINATIONS:
        n = max(hubs, key=lambda h: len(cands[h]))
        cands[n] = _candidates(readings[n][: len(cands[n]) - 2])  # the least likely joins OTHER

    # prefix[i]: distribution of the partial sum of leaves[:i] (sums ≥ span dropped:
    # the whole they must equal is a figure below span)
    delta = np.zeros(span)
    delta[0] = 1.0
    prefix = [delta]
    for n in leaves:
        prefix.append(_fold(prefix[-1], cands[n]))
    full = prefix[-1]

    # every combination of the hubs' candidates at once, one array axis per hub
    shape = tuple(len(cands[n]) for n in hubs)

    def along(i: int, x: list[float]) -> np.ndarray:
        return np.array(x).reshape([-1 if k == i else 1 for k in range(len(hubs))])

    value = {n: along(i, [float(v) if _is_figure(v) else np.nan for v, _ in cands[n]])
             for i, n in enumerate(hubs)}
    w = np.ones(shape)
    for i, n in enumerate(hubs):
        w = w * along(i, [p for _, p in cands[n]])
    for r in rels:
        if r is not main:  # NaN (not a figure) never equals anything
            holds = sum(value[n] for n in r.parts) == value[r.whole]
            w = w * (b + a * holds)
    need = np.broadcast_to(value[main.whole] - sum((value[n] for n in main.parts if n not in leaves),
                                                    np.zeros(1)), shape)
    ok = np.isfinite(need) & (need >= 0) & (need < span)
    idx = np.where(ok, need, 0).astype(int)
    m = w * (b + a * np.where(ok, full[idx], 0.0))
    z = float(m.sum())
    out = {n: list(r) for n, r in readings.items()}
    if z <= 0:
        return out
    for i, n in enumerate(hubs):
        mass = m.sum(axis=tuple(k for k in range(len(hubs)) if k != i))
        out[n] = _sorted([(cands[n][j][0], float(mass[j]) / z) for j in range(len(mass))])
    goal = np.zeros(span)  # weight of the hub values (other relations in) per leaves' target
    np.add.at(goal, idx[ok], w[ok])
    w_all = float(w.sum())
    # back[i][t] = Σ_s goal[s] · P(leaves[i:] sum to s − t): what the leaves after i still
    # need, folded backwards like prefix forwards
    back = [goal]
    for n in reversed(leaves):
        back.append(_fold(back[-1], cands[n], backwards=True))
    back.reverse()
    for i, n in enumerate(leaves):
        post = []
        for v, p in cands[n]:
            mass_v = b * w_all
            if _is_figure(v):
                mass_v += a * float(np.dot(prefix[i][: span - v], back[i + 1][v:]))
            post.append((v, p * mass_v / z))
        out[n] = _sorted(post)
    return out


def _sorted(post: list[tuple[object, float]]) -> Readings:
    return sorted(((v, p) for v, p in post if v is not OTHER), key=lambda vp: -vp[1])
