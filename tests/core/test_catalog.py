"""Catalog files, row-level errors, fingerprint, demo and generator."""

from __future__ import annotations

from pathlib import Path

import pytest

from prep_core.catalog_format import parse_catalog
from prep_core.errors import CatalogError
from prep_demo.demo import demo_catalog
from prep_demo.generator import MAX_CASILLAS
from prep_io.files import load_catalog, save_catalog

DEMO = Path(__file__).resolve().parents[2] / "resources" / "catalogs" / "bcs-2024"


def test_shipped_demo_catalog_is_the_generated_one():
    shipped = load_catalog(DEMO)
    assert shipped.fingerprint == demo_catalog().fingerprint
    assert shipped.synthetic
    assert len(shipped.casillas) == 1114
    ln = sum(c.lista_nominal for c in shipped.casillas)
    assert 550_000 < ln < 650_000
    assert {e.id for e in shipped.elections} == {"DIP_LOC", "AYUN"}
    assert len(shipped.expected_actas()) == 2 * 1114
    parties = shipped.election("DIP_LOC").vote_fields
    for p in (
        "PAN",
        "PRI",
        "PRD",
        "PT",
        "PVEM",
        "MC",
        "MORENA",
        "PRS",
        "PH_BCS",
        "NA_BCS",
        "PES_BCS",
        "FXM_BCS",
        "PML_BCS",
        "PAN-PRI-PRD",
        "NO_REGISTRADAS",
        "NULOS",
    ):
        assert p in parties


def test_fingerprint_is_stable_across_file_layout(tmp_path):
    cat = demo_catalog(200, seed=7)
    save_catalog(cat, tmp_path)
    csv_text = (tmp_path / "casillas.csv").read_text()
    lines = csv_text.splitlines()
    shuffled = "\r\n".join([lines[0], *reversed(lines[1:])]) + "\r\n"
    (tmp_path / "casillas.csv").write_text("\ufeff" + shuffled)
    assert load_catalog(tmp_path).fingerprint == cat.fingerprint
    assert demo_catalog(200, seed=8).fingerprint != cat.fingerprint


def test_generator_reaches_ine_size():
    cat = demo_catalog(MAX_CASILLAS)
    assert len(cat.casillas) == MAX_CASILLAS
    assert len({c.key for c in cat.casillas}) == MAX_CASILLAS
    with pytest.raises(ValueError):
        demo_catalog(MAX_CASILLAS + 1)


def _files(tmp_path):
    save_catalog(demo_catalog(50, seed=3), tmp_path)
    return (tmp_path / "catalog.json").read_text(), (tmp_path / "casillas.csv").read_text()


def test_bad_rows_are_rejected_with_row_numbers(tmp_path):
    doc, csv_text = _files(tmp_path)
    lines = csv_text.splitlines()
    lines[3] = lines[3].replace(",B,", ",Q,", 1).replace(",C,", ",Q,", 1)
    parts = lines[5].split(",")
    parts[8] = "muchos"
    lines[5] = ",".join(parts)
    lines.append(lines[2])  # duplicate casilla
    with pytest.raises(CatalogError) as e:
        parse_catalog(doc, "\n".join(lines), source="cat")
    msg = str(e.value)
    assert "fila 4" in msg and "TIPO_CASILLA" in msg
    assert "fila 6" in msg and "LISTA_NOMINAL" in msg
    assert f"fila {len(lines)}" in msg and "repetida" in msg
    assert "cat/casillas.csv" in msg


@pytest.mark.parametrize(
    ("edit", "expect"),
    [
        (lambda d: d.replace('"prep-catalog/1"', '"otro"'), "prep-catalog/1"),
        (lambda d: d[:-20], "JSON inválido"),
        (lambda d: d.replace('"DISTRITO"', '"ESTADO"', 1), "ambito"),
        (lambda d: d.replace('"NULOS"', '"NULO"'), "NO_REGISTRADAS, NULOS"),
        (lambda d: d.replace('"7E"', '"6E"'), "TIPO_ACTA"),
    ],
)
def test_bad_catalog_documents(tmp_path, edit, expect):
    doc, csv_text = _files(tmp_path)
    with pytest.raises(CatalogError, match=expect):
        parse_catalog(edit(doc), csv_text)


def test_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(CatalogError, match="no existe"):
        load_catalog(tmp_path / "nada")
    save_catalog(demo_catalog(5), tmp_path)
    (tmp_path / "casillas.csv").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(CatalogError, match="UTF-8"):
        load_catalog(tmp_path)
