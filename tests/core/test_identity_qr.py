"""CLAVE_CASILLA, CLAVE_ACTA and QR payloads (DOMAIN.md §3)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prep_core.errors import QrError
from prep_core.identity import CasillaKey, clave_acta, parse_clave_casilla, split_clave_acta
from prep_core.qr import INE_LAYOUT, QrIdentity, QrLayout, format_qr, parse_qr
from prep_demo.demo import demo_catalog


def test_clave_casilla_layout():
    k = CasillaKey(18, 1, "B", 1, 0)
    assert k.clave == "180001B0100"
    assert clave_acta(k.clave, "2") == "180001B01002"
    assert parse_clave_casilla("'180001B0100'") == k
    assert split_clave_acta("180001B01002E") == (k, "2E")


@pytest.mark.parametrize("bad", ["18001B0100", "180001X0100", "", "abcdefghijk"])
def test_bad_clave_casilla(bad):
    with pytest.raises(ValueError):
        parse_clave_casilla(bad)


def test_ine_qr_example():
    ident = parse_qr("1|1|2|338|1|B|0|1")
    assert ident.clave_casilla == "010338B0100"
    assert ident.clave_acta == "010338B01002"
    assert ident.id_distrito == 1 and ident.id_tipo_candidatura == 1


keys = st.builds(
    CasillaKey,
    st.integers(1, 32),
    st.integers(0, 9999),
    st.sampled_from("BCESM"),
    st.integers(0, 99),
    st.integers(0, 99),
)


@given(keys, st.integers(0, 300), st.sampled_from(["2", "6", "7E"]), st.integers(1, 9))
def test_qr_round_trip(key, distrito, tipo_acta, cand):
    ident = QrIdentity(key, distrito, tipo_acta, cand)
    assert parse_qr(format_qr(ident)) == ident


@pytest.mark.parametrize(
    "payload",
    [
        "1|1|2|338|1|B|0",
        "1|1|2|x|1|B|0|1",
        "1|1|2|338|1|Z|0|1",
        "",
        "1|1|2-|338|1|B|0|1",
        "9" * 600,
    ],
)
def test_bad_qr_payloads_raise_a_clear_error(payload):
    with pytest.raises(QrError) as e:
        parse_qr(payload)
    assert "/" in str(e.value)  # Spanish / English


def test_configurable_layout():
    layout = QrLayout.parse(
        "ID_TIPO_CANDIDATURA;ID_ESTADO;SECCION;TIPO_CASILLA;ID_CASILLA;EXT_CONTIGUA;TIPO_ACTA"
    )
    assert layout.separator == ";"
    ident = parse_qr("5;3;12;C;2;0;6", layout)
    assert ident.clave_acta == "030012C02006" and ident.id_distrito == 0
    assert parse_qr(format_qr(ident, layout), layout) == ident
    with pytest.raises(QrError, match="desconocido"):
        QrLayout.parse("ID_ESTADO|COLOR|SECCION")
    assert INE_LAYOUT.spec.startswith("ID_ESTADO|ID_DISTRITO")


def test_matching_against_the_catalog():
    cat = demo_catalog()
    acta = cat.expected_actas("DIP_LOC")[10]
    c = acta.casilla
    ident = QrIdentity(c.key, acta.id_demarcacion, acta.tipo_acta, 5)
    assert cat.match_qr(ident) == acta
    # fuera de catálogo is a result, not an error
    other = QrIdentity(CasillaKey(3, 9999, "B", 1, 0), 1, "6", 5)
    assert cat.match_qr(other) is None
    wrong_district = QrIdentity(c.key, acta.id_demarcacion + 1, acta.tipo_acta, 5)
    assert cat.match_qr(wrong_district) is None
    wrong_election = QrIdentity(c.key, acta.id_demarcacion, acta.tipo_acta, 6)
    assert cat.match_qr(wrong_election) is None
