"""Field posteriors under the acta's arithmetic: exact against brute force, and in use."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from capture_station.recognition.fields import read_fields
from capture_station.recognition.joint import (
    OTHER,
    RANGE,
    Relation,
    _candidates,
    _is_figure,
    posteriors,
)
from capture_station.recognition.templates import TOTAL, VOTE, template_by_id

T = template_by_id("bcs2024-diploc")
VOTES = [f.name for f in T.fields if f.kind == VOTE]
TOT = next(f.name for f in T.fields if f.kind == TOTAL)


def brute(readings, rels, eps):
    """Marginals by enumerating every combination of every field's candidates."""
    a, b = 1 - eps, eps / RANGE
    names = list(readings)
    cands = {n: _candidates(readings[n]) for n in names}
    marg: dict[str, dict] = {n: {} for n in names}
    z = 0.0
    for combo in itertools.product(*[cands[n] for n in names]):
        vals = {n: c[0] for n, c in zip(names, combo, strict=True)}
        w = 1.0
        for _, p in combo:
            w *= p
        for r in rels:
            vs = [vals[x] for x in r.fields]
            w *= b + a * (all(_is_figure(v) for v in vs) and sum(vs[:-1]) == vs[-1])
        z += w
        for n in names:
            if vals[n] is not OTHER:
                marg[n][vals[n]] = marg[n].get(vals[n], 0.0) + w
    return {n: {v: m / z for v, m in marg[n].items()} for n in names}


value = st.one_of(st.integers(0, 14), st.just("Ilegible"), st.just("Sin dato"))
field_readings = st.lists(st.tuples(value, st.floats(0.001, 1.0)), min_size=1, max_size=4,
                          unique_by=lambda t: t[0]).map(
    lambda vs: sorted(((v, p / (sum(q for _, q in vs) * 1.1)) for v, p in vs), key=lambda t: -t[1]))

STRUCTURES = [
    # votes → total; personas + rep → suma; suma → total (the shape of the real actas)
    [Relation("v", ("A", "B", "C"), "T"), Relation("x", ("P", "R"), "S"), Relation("y", ("S",), "T")],
    # a part of the big sum that also appears in another relation
    [Relation("v", ("A", "B", "P"), "T"), Relation("x", ("P", "R"), "S")],
]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(STRUCTURES), st.data())
def test_posteriors_equal_brute_force(rels, data):
    names = sorted({n for r in rels for n in r.fields})
    readings = {n: data.draw(field_readings, label=n) for n in names}
    got = posteriors(readings, rels, 0.02)
    want = brute(readings, rels, 0.02)
    for n in names:
        for v, p in got[n]:
            assert abs(p - want[n][v]) < 1e-9, (n, v)


def _readings(values: dict, unsure: dict | None = None) -> dict:
    out = {n: [(v, 0.9999)] for n, v in values.items()}
    out.update(unsure or {})
    return out


def _acta() -> dict:
    values: dict = {f.name: 0 for f in T.fields}
    for i, n in enumerate(VOTES):
        values[n] = 10 + i
    values[TOT] = sum(values[n] for n in VOTES)
    for n in ("TOTAL_VOTOS_SACADOS", "SUMA_PERSONAS_Y_REP"):
        if n in values:
            values[n] = values[TOT]
    values["TOTAL_PERSONAS_VOTARON"] = values[TOT]
    return values


def test_a_hesitant_figure_takes_the_reading_that_makes_the_sum_hold():
    values = _acta()
    truth = values[VOTES[3]]
    wrong = truth - 6  # e.g. a 7 the classifier rather took for a 1
    fields, checks = read_fields(T, _readings(values, {VOTES[3]: [(wrong, 0.6), (truth, 0.39)]}), 0.98, 0.9995)
    f = fields[VOTES[3]]
    assert f["value"] == truth and f["read_as"] == wrong
    assert not f["auto"]  # a correction is a proposal for a person, not a reading
    assert all(c["ok"] for c in checks)
    assert fields[VOTES[0]]["auto"] and "read_as" not in fields[VOTES[0]]


def test_an_acta_that_does_not_add_up_is_not_corrected_into_adding_up():
    values = _acta()
    values[TOT] += 9  # written wrong by the officials: every figure read with certainty
    readings = _readings(values)
    readings[VOTES[2]] = [(values[VOTES[2]], 0.9999), (values[VOTES[2]] + 9, 0.00005)]
    fields, checks = read_fields(T, readings, 0.98, 0.9995)
    assert all(fields[n]["value"] == values[n] for n in values)
    assert not next(c for c in checks if c["code"] == "suma_votos")["ok"]  # reported as written
    # the one figure whose other reading would explain the gap goes to a person
    assert not fields[VOTES[2]]["auto"] and fields[VOTES[0]]["auto"]
