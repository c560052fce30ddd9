"""Cross-checks and confidence: a failing check blames the least sure fields."""

from __future__ import annotations

from capture_station.recognition.fields import apply_checks, cross_checks
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
    fields = _fields(values, {VOTES[0]: 0.6, VOTES[1]: 0.7})  # two unsure figures
    apply_checks(fields, cross_checks(T, values), 0.98, 0.9995, T, None)
    assert not any(f["auto"] for f in fields.values())
    assert max(f["confidence"] for f in fields.values()) <= 0.97
