"""The out-of-range alarm weighs figures against the casilla's lista nominal; a casilla
type without one (abroad, early vote) has nothing to be out of, as in the counting rules."""

from __future__ import annotations

from dataclasses import replace

from prep_core.acta import TOTAL_FIELD
from prep_core.catalog import SIN_LISTA_NOMINAL, ExpectedActa
from prep_demo.demo import demo_catalog
from sync_server.services.alarms import out_of_range


def _acta(tipo: str) -> ExpectedActa:
    a = next(x for x in demo_catalog(12).expected_actas("DIP_LOC") if not x.casilla.especial)
    key = replace(a.casilla.key, tipo=tipo)
    return replace(a, casilla=replace(a.casilla, key=key, lista_nominal=0, representantes=0))


def test_an_abroad_or_early_vote_acta_is_never_out_of_range() -> None:
    figures = {"PAN": 9_000, TOTAL_FIELD: 9_000, "TOTAL_BOLETAS_SOBRANTES": 0}
    for tipo in sorted(SIN_LISTA_NOMINAL):
        assert out_of_range(_acta(tipo), figures, SIN_LISTA_NOMINAL) == []
    # the same figures on a basic casilla with no lista nominal are out of range
    assert out_of_range(_acta("B"), figures, SIN_LISTA_NOMINAL)
