"""Figures of a cut (DOMAIN.md §5): exact, truncated, final-cut participation."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from prep_core.counting import decide, decide_sin_acta
from prep_core.figures import ActaOutcome, cut_figures, truncated_percent
from prep_core.values import Mark


def test_fourth_decimal_is_truncated_not_rounded():
    # 97.99079…% must publish as 97.9907, not 97.9908
    assert str(truncated_percent(9_799_079, 10_000_000)) == "97.9907"
    assert str(truncated_percent(2, 3)) == "66.6666"
    assert str(truncated_percent(1, 1)) == "100.0000"
    assert str(truncated_percent(0, 0)) == "0.0000"


@given(st.integers(0, 10**9), st.integers(1, 10**9))
def test_truncation_never_exceeds_the_exact_value(part, whole):
    p = truncated_percent(part, whole)
    exact = Decimal(part) * 100 / Decimal(whole)
    assert p <= exact < p + Decimal("0.0001") or part * 100 == p * whole
    assert p.as_tuple().exponent == -4


def outcome(votes, ln, limit, especial=False, fuera=False):
    d = decide(votes, limit, fuera_de_catalogo=fuera)
    return ActaOutcome(d, ln, sum(v for v in votes if isinstance(v, int)), especial)


def test_every_header_field():
    outcomes = [
        outcome([100, 50], 300, 310),  # counted
        outcome([80, Mark.ILEGIBLE], 200, 210),  # counted, inconsistent
        outcome([400, 0], 300, 310),  # excede: not counted, inconsistent
        outcome([60, 40], 0, 1010, especial=True),  # especial counted
        ActaOutcome(decide_sin_acta(None), 250, 0, False),  # sin acta
        outcome([5, 5], 0, None, fuera=True),  # fuera de catálogo
    ]
    f = cut_figures(10, outcomes)
    assert f.as_header() == {
        "ACTAS_ESPERADAS": "10",
        "ACTAS_REGISTRADAS": "6",
        "ACTAS_FUERA_CATALOGO": "1",
        "ACTAS_CAPTURADAS": "5",
        "PORCENTAJE_ACTAS_CAPTURADAS": "50.0000",
        "ACTAS_CONTABILIZADAS": "3",
        "PORCENTAJE_ACTAS_CONTABILIZADAS": "30.0000",
        "PORCENTAJE_ACTAS_INCONSISTENCIAS": "20.0000",
        "ACTAS_NO_CONTABILIZADAS": "2",
        "LISTA_NOMINAL_ACTAS_CONTABILIZADAS": "500",
        "TOTAL_VOTOS_C_CS": "330",
        "TOTAL_VOTOS_S_CS": "230",
        # during operation especiales are left out: 230 / 500
        "PORCENTAJE_PARTICIPACION_CIUDADANA": "46.0000",
    }


def test_final_cut_participation_includes_especiales():
    outcomes = [outcome([100, 50], 300, 310), outcome([60, 40], 0, 1010, especial=True)]
    during = cut_figures(2, outcomes)
    final = cut_figures(2, outcomes, final=True)
    assert str(during.porcentaje_participacion_ciudadana) == "50.0000"  # 150/300
    assert str(final.porcentaje_participacion_ciudadana) == "83.3333"  # 250/300


def test_no_counted_actas_gives_zero_percentages():
    f = cut_figures(0, [])
    assert f.as_header()["PORCENTAJE_PARTICIPACION_CIUDADANA"] == "0.0000"
