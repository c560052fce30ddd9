"""Every counting rule and legend of DOMAIN.md §4."""

from __future__ import annotations

import pytest

from prep_core.counting import (
    CONTABILIZADA,
    FUERA_DE_CATALOGO,
    NO_CONTABILIZADA,
    Legend,
    SinActaCause,
    decide,
    decide_sin_acta,
    total_calculado,
)
from prep_core.values import Mark

ILE, SD = Mark.ILEGIBLE, Mark.SIN_DATO


def test_plain_acta_counts_without_legend():
    d = decide([10, 20, 3], limit=100)
    assert (d.contabilizada, d.legends, d.observaciones) == (CONTABILIZADA, (), "")
    assert not d.inconsistent


def test_ilegible_and_sin_dato_count_as_zero_and_still_count():
    votes = [10, ILE, 5, SD]
    assert total_calculado(votes) == 15
    d = decide(votes, limit=100)
    assert d.contabilizada == CONTABILIZADA
    assert d.observaciones == "['Ilegible', 'Sin dato']"
    assert d.inconsistent


def test_mix_of_ilegible_and_sin_dato_across_all_fields_counts_with_zero_votes():
    votes = [ILE, SD, ILE, SD, SD]
    d = decide(votes, limit=100)
    assert d.contabilizada == CONTABILIZADA
    assert d.legends == (Legend.ILEGIBLE, Legend.SIN_DATO)
    assert total_calculado(votes) == 0


def test_all_fields_ilegible_is_one_legend_and_not_counted():
    d = decide([ILE, ILE, ILE], limit=100)
    assert d.contabilizada == NO_CONTABILIZADA
    assert d.observaciones == "['Todos los campos ilegibles']"


def test_all_fields_sin_dato_is_one_legend_and_not_counted():
    d = decide([SD, SD], limit=100)
    assert d.contabilizada == NO_CONTABILIZADA
    assert d.observaciones == "['Todos los campos vacíos']"


@pytest.mark.parametrize(("total", "counted"), [(110, True), (111, False)])
def test_excede_uses_lista_nominal_plus_representantes(total, counted):
    # LN 100 + 10 representantes: 110 may vote
    d = decide([total, 0], limit=100 + 10)
    assert d.counted is counted
    assert (Legend.EXCEDE in d.legends) is (not counted)


def test_excede_legends_come_in_rule_order():
    d = decide([200, SD, ILE], limit=50)
    assert d.contabilizada == NO_CONTABILIZADA
    assert d.observaciones == "['Excede Lista Nominal', 'Ilegible', 'Sin dato']"


def test_especial_limit_is_approved_ballots_plus_representantes():
    from prep_core.catalog import Casilla
    from prep_core.identity import CasillaKey

    c = Casilla(CasillaKey(3, 10, "S", 1, 0), 1, 3, 1, 0, 12, boletas_especial=750)
    assert c.limit() == 762
    assert decide([762], c.limit()).counted
    assert not decide([763], c.limit()).counted
    unknown = Casilla(CasillaKey(3, 10, "S", 1, 0), 1, 3, 1, 0, 12)
    d = decide([5000], unknown.limit())
    assert d.counted and d.limit_unknown


@pytest.mark.parametrize("cause", list(SinActaCause))
def test_each_sin_acta_cause(cause):
    d = decide_sin_acta(cause)
    assert d.contabilizada == NO_CONTABILIZADA
    assert d.observaciones == f"Sin acta({int(cause)})"
    assert not d.inconsistent
    assert parse_observaciones(d.observaciones) == ((), cause)


def test_fuera_de_catalogo_is_registered_never_counted():
    d = decide([1, 2], limit=None, fuera_de_catalogo=True)
    assert d.contabilizada == FUERA_DE_CATALOGO
    assert not d.counted and not d.inconsistent


def parse_observaciones(text):
    """OBSERVACIONES read in INE's vocabulary: (legends, Sin acta cause)."""
    from prep_core.layout import INE_FEDERAL

    return INE_FEDERAL.vocabulary.parse(text)[:2]


def test_parse_observaciones_reads_every_legend():
    assert parse_observaciones("['Excede Lista Nominal', 'Sin dato']") == (
        (Legend.EXCEDE, Legend.SIN_DATO),
        None,
    )
    assert parse_observaciones("-") == ((), None)
    with pytest.raises(ValueError):
        parse_observaciones("['Nada']")
