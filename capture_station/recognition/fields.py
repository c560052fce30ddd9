"""From per-cell probabilities to field values, confidences and cross-checks."""

from __future__ import annotations

import itertools

import numpy as np

from capture_station.recognition.digits import BLANK, SCRIBBLE
from capture_station.recognition.joint import Readings, Relation, posteriors
from capture_station.recognition.templates import EXTRA, FIGURE, TOTAL, VOTE, Template

ILEGIBLE = "Ilegible"
SIN_DATO = "Sin dato"


def _valid(classes: tuple[int, ...]) -> int | str | None:
    """The field value a cell reading spells, or None if it is not a well-formed figure."""
    if any(c == SCRIBBLE for c in classes):
        return ILEGIBLE
    if all(c == BLANK for c in classes):
        return SIN_DATO
    digits = ""
    seen_digit = False
    for c in classes:
        if c == BLANK:
            if seen_digit:
                return None  # a gap or a trailing blank: not right-aligned
            continue
        seen_digit = True
        digits += str(c)
    return int(digits)


def decode_field(p: np.ndarray, top: int = 3) -> list[tuple[int | str, float]]:
    """``p``: (cells, 12) probabilities → readings sorted by probability (value, prob).

    Enumerates the ``top`` classes of every cell; readings that spell the same value
    (e.g. "_7" and "07") are summed.
    """
    order = np.argsort(-p, axis=1)[:, :top]
    acc: dict[int | str, float] = {}
    for combo in itertools.product(*[list(o) for o in order]):
        v = _valid(tuple(int(c) for c in combo))
        if v is None:
            continue
        pr = float(np.prod([p[i, c] for i, c in enumerate(combo)]))
        acc[v] = acc.get(v, 0.0) + pr
    if not acc:
        return [(ILEGIBLE, 0.0)]
    return sorted(acc.items(), key=lambda kv: -kv[1])


def as_count(v) -> int:
    return v if isinstance(v, int) else 0


# code → (es, en) of each arithmetic check printed on the acta (DOMAIN.md §4; INE acta
# sections 5, 8, 9)
CHECK_TEXT = {
    "suma_votos": ("suma de votos = total asentado", "sum of votes = written total"),
    "personas_mas_rep": ("personas + representantes = total de personas que votaron",
                         "voters + representatives = total who voted"),
    "votantes_vs_sacados": ("personas + representantes = votos sacados de las urnas",
                            "voters + representatives = votes taken from the boxes"),
    "sacados_vs_total": ("votos sacados = total de la votación",
                         "votes taken from the boxes = total of the votes"),
}


def relations(t: Template) -> list[Relation]:
    """The arithmetic the acta's figures must satisfy, as far as ``t`` has the fields."""
    votes = tuple(f.name for f in t.fields if f.kind == VOTE)
    totals = [f.name for f in t.fields if f.kind == TOTAL]
    names = {f.name for f in t.fields}
    p, r = "TOTAL_PERSONAS_VOTARON", "TOTAL_REP_PARTIDO_CI_VOTARON"
    rels = []
    if totals:
        rels.append(Relation("suma_votos", votes, totals[0]))
    if {p, r, "SUMA_PERSONAS_Y_REP"} <= names:
        rels.append(Relation("personas_mas_rep", (p, r), "SUMA_PERSONAS_Y_REP"))
    if {p, r, "TOTAL_VOTOS_SACADOS"} <= names:
        rels.append(Relation("votantes_vs_sacados", (p, r), "TOTAL_VOTOS_SACADOS"))
    if totals and "TOTAL_VOTOS_SACADOS" in names:
        rels.append(Relation("sacados_vs_total", ("TOTAL_VOTOS_SACADOS",), totals[0]))
    return rels


def span(t: Template) -> int:
    """How many figures the largest cell row of ``t`` can hold: 10^cells (1,000 for
    INE's three cells)."""
    return 10 ** max((len(f.cells) for f in t.fields if f.kind != EXTRA), default=3)


def cross_checks(t: Template, values: dict[str, int | str]) -> list[dict]:
    """The acta's arithmetic checks on the values read.

    ``complete``: every field involved holds a number. When some are Ilegible or Sin dato
    the check can still fail one way: the numbers read add up to more than the total.
    """
    checks = []
    for rel in relations(t):
        vals = [values.get(n) for n in rel.fields]
        complete = all(isinstance(v, int) for v in vals)
        left = sum(as_count(values.get(n)) for n in rel.parts)
        right = values.get(rel.whole)
        if complete:
            ok = left == right
        elif isinstance(right, int):
            ok = left <= right  # missing figures can only make the sum smaller
        else:
            ok = True
        es, en = CHECK_TEXT[rel.code]
        checks.append({"code": rel.code, "es": es, "en": en, "ok": bool(ok), "complete": complete,
                       "left": left, "right": as_count(right), "fields": list(rel.fields)})
    return checks


P_INCONSISTENT = 0.02  # prior: an acta whose own arithmetic does not hold as written
# An unfamiliar hand: when the model is unsure of several figures of one acta, its sure
# readings of the same hand are less trustworthy (on the validation writers, errors among
# confident fields were ~25x more frequent in such actas). A hand misreads some shapes, not
# all: the suspects are the figures that contain a digit the unsure cells hesitated over
# (the two likeliest classes of each unsure cell below ``UNSURE_CELL``). Chosen on
# validation decks only.
UNSURE, UNSURE_FIELDS, UNFAMILIAR_HAND_CAP = 0.9, 3, 0.97
UNSURE_CELL = 0.95
# Two cells of one acta whose features (``DigitModel.read``) are at least this alike are one
# shape of one hand: on the validation writers, cells of the same digit were above it in
# ~95 % of pairs and cells of different digits below it in ≥ 99.9 % for most hands. With
# features, a figure is a suspect only for a digit that looks like an unsure cell. Chosen
# on validation decks only.
SAME_SHAPE = 0.7


def _whole_acta_if_unfamiliar(confidence: dict[str, float]) -> set[str]:
    """Every field, when ``UNSURE_FIELDS`` or more are below ``UNSURE``; else none."""
    return set(confidence) if sum(c < UNSURE for c in confidence.values()) >= UNSURE_FIELDS else set()


def unfamiliar_suspects(readings: dict[str, Readings], cell_probs: dict[str, np.ndarray],
                        cell_features: dict[str, np.ndarray] | None = None) -> set[str]:
    """The fields to keep below ``UNFAMILIAR_HAND_CAP``: none unless ``UNSURE_FIELDS`` or
    more figures are unsure; then those figures and every figure holding a digit their
    unsure cells confused — with ``cell_features``, only where that digit's cell looks
    like one of the unsure cells (``SAME_SHAPE``): the hand's other shapes of it were not
    in doubt."""
    unsure = [n for n, rs in readings.items() if rs[0][1] < UNSURE]
    if len(unsure) < UNSURE_FIELDS:
        return set()
    shaky: set[int] = set()
    shaky_feats = []
    for n in unsure:
        for i, p in enumerate(cell_probs[n]):
            if p.max() < UNSURE_CELL:
                shaky.update(int(c) for c in np.argsort(-p)[:2] if c < BLANK)
                if cell_features is not None:
                    shaky_feats.append(cell_features[n][i])
    alike = np.array(shaky_feats)  # one row per unsure cell whenever ``shaky`` is not empty

    def doubtful(n: str) -> bool:
        return any(int(c) in shaky and (cell_features is None or float(np.max(alike @ cell_features[n][i])) >= SAME_SHAPE)
                   for i, c in enumerate(cell_probs[n].argmax(axis=1)))

    return set(unsure) | {n for n in cell_probs if doubtful(n)}


def read_fields(t: Template, readings: dict[str, Readings], threshold: float, strict: float,
                cell_probs: dict[str, np.ndarray] | None = None,
                cell_features: dict[str, np.ndarray] | None = None) -> tuple[dict[str, dict], list[dict]]:
    """Every field's value, confidence and ``auto`` flag, and the acta's checks.

    ``readings``: per field, the classifier's readings (``decode_field``). The value is the
    reading most probable once the acta's arithmetic is taken into account (``joint``):
    a figure the classifier hesitated over, of which only one reading makes the sums
    hold, takes that reading (and keeps, under ``read_as``, what the classifier preferred).
    Its confidence is then set by ``apply_checks`` and never exceeds that posterior.
    ``cell_probs``: per field, its cells' class probabilities, to tell which figures an
    unfamiliar hand puts in doubt (without them, all of that acta's figures);
    ``cell_features``: per field, its cells' features, to narrow those to the shapes in doubt.
    ``strict``: the threshold of figures no check covers (``calibrate``).
    """
    post = posteriors(readings, relations(t), P_INCONSISTENT, span(t))
    if cell_probs is not None:
        capped = unfamiliar_suspects(readings, cell_probs, cell_features)
    else:
        capped = _whole_acta_if_unfamiliar({n: rs[0][1] for n, rs in readings.items()})
    fields: dict[str, dict] = {}
    ceiling: dict[str, float] = {}
    for n, rs in readings.items():
        v, p = post[n][0] if post.get(n) else rs[0]
        fields[n] = {"value": v, "confidence": round(dict(rs).get(v, 0.0), 6), "auto": False}
        if v != rs[0][0]:
            fields[n]["read_as"] = rs[0][0]
        ceiling[n] = p
    checks = cross_checks(t, {n: f["value"] for n, f in fields.items()})
    apply_checks(fields, checks, threshold, strict, t, readings, capped, ceiling)
    return fields, checks


def apply_checks(fields: dict[str, dict], checks: list[dict], threshold: float,
                 strict: float, t: Template | None = None,
                 alternatives: dict[str, list] | None = None, capped: set[str] | None = None,
                 ceiling: dict[str, float] | None = None) -> None:
    """Adjust confidence and ``auto`` with the checks.

    A complete check that holds raises the confidence of its fields (an error would have
    to be cancelled by another). A failing one is explained, when it can be, by a single
    field whose second reading makes it hold: that field is marked for review (its
    confidence cut). Otherwise each field of the check gets the probability that it is
    right given that the check failed: with e_i = 1 − confidence, independent errors and a
    prior ``P_INCONSISTENT`` that the acta itself does not add up,
    P(field i wrong | fail) = e_i (1 − P_INCONSISTENT) / P(fail). A field far surer than
    the others stays sure; the less sure ones take the blame.

    An acta with ``UNSURE_FIELDS`` or more figures below ``UNSURE`` is written in a hand the
    model does not know well: no figure of it is above ``UNFAMILIAR_HAND_CAP``. (``capped``
    names the figures so limited instead, e.g. from ``unfamiliar_suspects``.)
    ``ceiling``: a bound per field on the final confidence (the joint posterior).
    """
    passed: set[str] = set()
    cut: dict[str, float] = {}
    values = {n: f["value"] for n, f in fields.items()}
    if capped is None:
        capped = _whole_acta_if_unfamiliar({n: f["confidence"] for n, f in fields.items()})
    for c in checks:
        if "fields" not in c:
            continue
        if c["ok"]:
            if c.get("complete"):
                passed.update(c["fields"])
            continue
        culprits = []
        if t is not None and alternatives:
            for n in c["fields"]:
                for alt, _ in alternatives.get(n, [])[1:3]:
                    trial = {**values, n: alt}
                    again = [x for x in cross_checks(t, trial) if x["code"] == c["code"]]
                    if again and again[0]["ok"]:
                        culprits.append(n)
                        break
        if len(culprits) == 1:
            n = culprits[0]
            cut[n] = min(cut.get(n, 1.0), fields[n]["confidence"] * 0.3)
            continue
        present = [n for n in c["fields"] if fields.get(n)]
        err = {n: 1.0 - fields[n]["confidence"] for n in present}
        p_err = 1.0 - float(np.prod([1.0 - e for e in err.values()]))
        p_fail = P_INCONSISTENT + (1 - P_INCONSISTENT) * p_err
        for n in present:
            conf = 1.0 - err[n] * (1 - P_INCONSISTENT) / p_fail
            cut[n] = min(cut.get(n, 1.0), conf)
    covered = {n for c in checks for n in c.get("fields", ())}
    for n, f in fields.items():
        conf = f["confidence"]
        if n in cut:
            conf = min(conf, cut[n])
        elif n in passed and isinstance(f["value"], int):
            conf = 1 - (1 - conf) * 0.1
        if n in capped:
            conf = min(conf, UNFAMILIAR_HAND_CAP)
        if ceiling is not None:
            conf = min(conf, ceiling.get(n, 1.0))
        f["confidence"] = round(float(conf), 6)
        # a figure no check covers (e.g. boletas sobrantes) must stand on its own
        f["checked"] = n in covered
        f["auto"] = bool(conf >= (threshold if n in covered else max(threshold, strict)))


__all__ = ["EXTRA", "FIGURE", "ILEGIBLE", "SIN_DATO", "apply_checks", "cross_checks", "decode_field",
           "read_fields", "relations", "unfamiliar_suspects"]
