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
    addend,
    posteriors,
)
from capture_station.recognition.templates import TOTAL, VOTE, template_by_id

T = template_by_id("bcs2024-diploc")
VOTES = [f.name for f in T.fields if f.kind == VOTE]
TOT = next(f.name for f in T.fields if f.kind == TOTAL)


def brute(readings, rels, eps, p_blank=None):
    """Marginals by enumerating every combination of every field's candidates; a relation
    one of whose fields is read blank first has ε ``p_blank`` when given."""

    def factor(r):
        e = p_blank if p_blank is not None and any(readings[n][0][0] == "Sin dato" for n in r.fields) else eps
        return 1 - e, e / RANGE

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
            a, b = factor(r)
            vs = [vals[x] for x in r.fields]
            xs = [addend(v) for v in vs]  # a blank cell adds 0; Ilegible never adds up
            w *= b + a * (None not in xs and sum(xs[:-1]) == xs[-1])
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


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(STRUCTURES), st.sampled_from([None, 0.5]), st.data())
def test_posteriors_equal_brute_force(rels, p_blank, data):
    names = sorted({n for r in rels for n in r.fields})
    readings = {n: data.draw(field_readings, label=n) for n in names}
    got = posteriors(readings, rels, 0.02, p_blank=p_blank)
    want = brute(readings, rels, 0.02, p_blank)
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


def _with_blanks(values: dict, n: int = 3) -> tuple[dict, list[str]]:
    """The acta with its last ``n`` coalition-like vote cells left blank (Sin dato) and the
    totals still adding up: blanks are 0 in the sums, as in the tally."""
    blank = VOTES[-n - 2:-2]
    for b in blank:
        values[b] = "Sin dato"
    values[TOT] = sum(v for k, v in values.items() if k in VOTES and isinstance(v, int))
    for k in ("TOTAL_VOTOS_SACADOS", "SUMA_PERSONAS_Y_REP", "TOTAL_PERSONAS_VOTARON"):
        values[k] = values[TOT]
    return values, blank


def test_blank_cells_count_as_zero_and_the_sum_still_checks():
    values, blank = _with_blanks(_acta())
    truth = values[VOTES[3]]
    readings = _readings(values, {VOTES[3]: [(truth - 6, 0.6), (truth, 0.39)], VOTES[5]: [(values[VOTES[5]], 0.9)]})
    fields, checks = read_fields(T, readings, 0.98, 0.9995)
    suma = next(c for c in checks if c["code"] == "suma_votos")
    assert suma["complete"] and suma["ok"]
    assert fields[VOTES[3]]["value"] == truth and not fields[VOTES[3]]["auto"]
    # a figure the sum confirms is raised, blanks and all
    assert fields[VOTES[5]]["confidence"] > 0.98 and fields[VOTES[5]]["auto"]
    assert all(fields[b]["value"] == "Sin dato" for b in blank)


def test_a_blank_that_was_a_figure_left_out_checks_nothing_and_blames_nobody():
    values, blank = _with_blanks(_acta())
    values[TOT] += 7  # the officials left a 7 out: the blank is not a 0
    readings = _readings(values, {VOTES[5]: [(values[VOTES[5]], 0.9)]})
    fields, checks = read_fields(T, readings, 0.98, 0.9995)
    suma = next(c for c in checks if c["code"] == "suma_votos")
    assert not suma["complete"] and suma["ok"]  # the numbers read stay below the total
    # nobody is raised by it, nobody blamed for it
    assert fields[VOTES[5]]["confidence"] == 0.9 and not fields[VOTES[5]]["auto"]
    assert all(fields[n]["auto"] for n in VOTES if n != VOTES[5] and n not in blank)


def test_ilegible_still_never_adds_up():
    values = _acta()
    values[VOTES[4]] = "Ilegible"
    readings = _readings(values, {VOTES[5]: [(values[VOTES[5]], 0.9)]})
    fields, checks = read_fields(T, readings, 0.98, 0.9995)
    suma = next(c for c in checks if c["code"] == "suma_votos")
    assert not suma["complete"]
    assert fields[VOTES[5]]["confidence"] <= 0.9 and not fields[VOTES[5]]["auto"]
