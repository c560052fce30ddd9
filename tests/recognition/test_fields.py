"""Cross-checks and confidence: a failing check blames the least sure fields; an unfamiliar
hand puts in doubt the digits it was unsure of."""

from __future__ import annotations

import numpy as np

from capture_station.recognition.digits import BLANK
from capture_station.recognition.fields import apply_checks, cross_checks, decode_field, read_fields
from capture_station.recognition.templates import TOTAL, VOTE, template_by_id

T = template_by_id("bcs2024-diploc")
VOTES = [f.name for f in T.fields if f.kind == VOTE]
TOT = next(f.name for f in T.fields if f.kind == TOTAL)


def _fields(values: dict, conf: dict) -> dict:
    return {n: {"value": v, "confidence": conf.get(n, 0.9999), "auto": False} for n, v in values.items()}


def _acta(total_error: int = 0) -> dict:
    values = {f.name: 0 for f in T.fields}
    for i, n in enumerate(VOTES):
        values[n] = 10 + i
    values[TOT] = sum(values[n] for n in VOTES) + total_error
    return values


def test_passing_sum_raises_confidence():
    values = _acta()
    fields = _fields(values, {VOTES[0]: 0.95})
    checks = cross_checks(T, values)
    assert next(c for c in checks if c["code"] == "suma_votos")["ok"]
    apply_checks(fields, checks, 0.98, 0.9995, T, None)
    assert fields[VOTES[0]]["confidence"] > 0.99 and fields[VOTES[0]]["auto"]


def test_failing_sum_blames_the_least_sure_field():
    values = _acta(total_error=7)  # one figure was misread: the sum does not hold
    fields = _fields(values, {VOTES[2]: 0.6})
    checks = cross_checks(T, values)
    assert not next(c for c in checks if c["code"] == "suma_votos")["ok"]
    apply_checks(fields, checks, 0.98, 0.9995, T, None)
    assert fields[VOTES[2]]["confidence"] < 0.1 and not fields[VOTES[2]]["auto"]
    # the sure figures stay sure, though a little less than before
    assert 0.98 < fields[VOTES[0]]["confidence"] < 0.9999 and fields[VOTES[0]]["auto"]


def test_failing_sum_with_no_suspect_cuts_everyone():
    values = _acta(total_error=7)
    fields = _fields(values, {n: 0.995 for n in [*VOTES, TOT]})
    apply_checks(fields, cross_checks(T, values), 0.98, 0.9995, T, None)
    assert not any(fields[n]["auto"] for n in [*VOTES, TOT])


def test_an_unfamiliar_hand_has_no_auto_figure():
    values = _acta()
    fields = _fields(values, {VOTES[0]: 0.6, VOTES[1]: 0.7, VOTES[2]: 0.8})  # three unsure figures
    apply_checks(fields, cross_checks(T, values), 0.98, 0.9995, T, None)
    assert not any(f["auto"] for f in fields.values())
    assert max(f["confidence"] for f in fields.values()) <= 0.97


def _cells(value: int, sure: float = 0.9999, hesitate: tuple[int, int] | None = None) -> np.ndarray:
    """Three cells' probabilities spelling ``value`` right-aligned; ``hesitate`` = (read, other)
    makes the last cell unsure between two digits."""
    p = np.full((3, 12), (1 - sure) / 11)
    for i, ch in enumerate(f"{value:>3d}"):
        p[i, BLANK if ch == " " else int(ch)] = sure
    if hesitate:
        p[2] = 0.0005
        p[2, hesitate[0]], p[2, hesitate[1]] = 0.6, 0.395
    return p / p.sum(axis=1, keepdims=True)


def _unsure_hand(**more: int):
    """An acta whose votes are 10, 11, … read right, but three figures unsure between 1 and 7;
    ``more``: other votes (by index, ``v3=71``) set to other values."""
    values = _acta()
    values[VOTES[1]], values[VOTES[7]], values[VOTES[9]] = 7, 17, 1  # unsure: a 7 or a 1?
    for k, v in more.items():
        values[VOTES[int(k[1:])]] = v
    values[TOT] = sum(values[n] for n in VOTES)
    cell_probs = {n: _cells(v) for n, v in values.items()}
    cell_probs[VOTES[1]] = _cells(7, hesitate=(7, 1))
    cell_probs[VOTES[7]] = _cells(17, hesitate=(7, 1))
    cell_probs[VOTES[9]] = _cells(1, hesitate=(1, 7))
    return values, cell_probs, {n: decode_field(p) for n, p in cell_probs.items()}


def test_an_unfamiliar_hand_puts_in_doubt_only_the_digits_it_hesitated_over():
    values, cell_probs, readings = _unsure_hand()
    fields, _ = read_fields(T, readings, 0.98, 0.9995, cell_probs)
    doubted = {n for n, f in fields.items() if f["confidence"] <= 0.97}
    assert {VOTES[1], VOTES[7], VOTES[9]} <= doubted
    holding_1_or_7 = {n for n, v in values.items() if {"1", "7"} & set(str(v))}
    assert holding_1_or_7 <= doubted  # the hand's other 1s and 7s are not trusted either
    others = [n for n in VOTES if n not in holding_1_or_7]
    assert others and all(fields[n]["auto"] for n in others)  # its 2s, 3s… still are
    # without the cells, the whole acta is in doubt (the former rule)
    fields, _ = read_fields(T, readings, 0.98, 0.9995)
    assert not any(f["auto"] for f in fields.values())


def _features(cell_probs: dict, shape_of) -> dict:
    """Unit feature vectors per cell: one direction per shape name ``shape_of(field, i, digit)``."""
    shapes: dict = {}
    out = {}
    for n, p in cell_probs.items():
        rows = []
        for i, c in enumerate(p.argmax(axis=1)):
            key = shape_of(n, i, int(c))
            v = shapes.setdefault(key, np.eye(512)[len(shapes)])
            rows.append(v)
        out[n] = np.array(rows)
    return out


def test_features_narrow_the_doubt_to_the_shapes_that_were_unsure():
    values, cell_probs, readings = _unsure_hand(v3=71)  # its 7 and 1 written like the unsure ones

    def shape(n, i, digit):  # the hand writes the unsure 1s and 7s one way, and in VOTES[3]
        if n in (VOTES[1], VOTES[7], VOTES[9], VOTES[3]) and digit in (1, 7):
            return ("unsure-1-or-7",)
        return (n, i, digit)  # every other cell its own, clearly different shape

    feats = _features(cell_probs, shape)
    fields, _ = read_fields(T, readings, 0.98, 0.9995, cell_probs, feats)
    doubted = {n for n, f in fields.items() if f["confidence"] <= 0.97}
    assert {VOTES[1], VOTES[7], VOTES[9], VOTES[3]} <= doubted
    # the 1s of 10…19 look like nothing the model hesitated over: no longer in doubt
    other_ones = [n for n in VOTES if n not in doubted and "1" in str(values[n])]
    assert other_ones and all(fields[n]["auto"] for n in other_ones)
    # without features, every figure holding a 1 or a 7 is in doubt
    fields, _ = read_fields(T, readings, 0.98, 0.9995, cell_probs)
    assert not any(fields[n]["auto"] for n in other_ones)
