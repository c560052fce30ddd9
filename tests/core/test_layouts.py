"""Layout profiles: every institute's database read, counted and written in its own
layout (the IEEM 2024 sample unchanged, INE's golden files exactly as before)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prep_cli.main import main as prep
from prep_core.acta import FIGURE_FIELDS
from prep_core.catalog_format import catalog_files, parse_catalog
from prep_core.counting import Legend, decide
from prep_core.crosscheck import second_count
from prep_core.database import read_database
from prep_core.derive import Status
from prep_core.errors import CatalogError, PublishedFileError
from prep_core.layout import INE_FEDERAL, Layout, LayoutError, parse_layout
from prep_core.publication import build_cut
from prep_core.published import read_results_csv
from prep_core.recount import recount
from prep_core.values import Mark, check_value
from prep_io.files import load_catalog, save_catalog
from prep_io.layouts import LAYOUTS_DIR, find_layout, load_layout, shipped_layouts

from . import published_fixture as fixture

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "MEX_DIP_LOC_2024_sample.csv"
GOLDEN_INE = DATA / "golden-DIP_LOC.csv"
GOLDEN_IEEM = DATA / "golden-DIP_LOC-ieem-2024.csv"
LAYOUTS = shipped_layouts()
IEEM = find_layout("ieem-2024")


def sample_db():
    return read_database(SAMPLE.read_bytes(), layouts=LAYOUTS)


def test_the_sample_is_the_institutes_file_unchanged():
    readme = (DATA / "README.md").read_text()
    assert hashlib.sha256(SAMPLE.read_bytes()).hexdigest() in readme


def test_prep_figures_reads_the_sample_and_agrees_with_the_institute_on_every_row(capsys):
    assert prep(["figures", str(SAMPLE), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["layout"] == "ieem-2024"
    assert out["ACTAS_REGISTRADAS"] == 12
    assert out["disagreements"] == []
    contabilizadas = [r[-9] for r in read_results_csv(SAMPLE.read_bytes(), layouts=LAYOUTS).rows]
    assert out["ACTAS_CONTABILIZADAS"] == contabilizadas.count("1") == 9
    assert not any("difiere" in n for n in out["notes"])


def test_the_computed_observaciones_are_the_institutes_phrases():
    """Every row's OBSERVACIONES, as this project decides them, in IEEM's words."""
    db = sample_db()
    pf = db.file
    words = pf.layout.vocabulary
    i_obs = pf.columns.index("OBSERVACIONES")
    for row, published in zip(pf.rows, db.rows, strict=True):
        if published.decision.no_acta:
            continue
        limit = None if published.key.tipo in ("M", "A", "S") else (
            (published.lista_nominal or 0) + (published.representantes or 0)
        )
        assert words.format(decide(list(published.votes), limit)) == row[i_obs]


def test_the_second_count_agrees_on_the_sample():
    pf = read_results_csv(SAMPLE.read_bytes(), layouts=LAYOUTS)
    assert second_count(pf).header == recount(pf).figures.as_header()


@pytest.mark.parametrize(
    ("golden", "layout_id"), [(GOLDEN_INE, "ine-federal"), (SAMPLE, "ieem-2024")]
)
def test_a_database_read_and_written_again_gives_its_bytes(golden, layout_id):
    """The institute's own file is the IEEM profile's golden: reading it into rows and
    writing them in the profile it was recognised as gives it back byte for byte."""
    db = read_database(golden.read_bytes(), layouts=LAYOUTS)
    assert db.layout.id == layout_id
    assert db.write() == golden.read_bytes()


def test_the_writer_produces_each_profiles_golden_bytes():
    cut = fixture.cut()
    assert cut.csv_bytes == GOLDEN_INE.read_bytes()
    assert dataclasses.replace(cut, layout=IEEM).csv_bytes == GOLDEN_IEEM.read_bytes()
    pf = read_results_csv(GOLDEN_IEEM.read_bytes(), layouts=LAYOUTS)
    assert pf.layout.id == "ieem-2024" and pf.fit.exact
    assert recount(pf, especial_ballots=1000).figures == cut.figures


def test_the_ieem_zip_describes_its_own_columns():
    import io
    import zipfile

    from prep_core.package import package_zip

    cut = dataclasses.replace(fixture.cut(), layout=IEEM)
    z = zipfile.ZipFile(io.BytesIO(package_zip(cut)))
    leeme = z.read(z.namelist()[2]).decode()
    assert "TOTAL_REP_PARTIDOS_CI_VOTARON: " in leeme
    assert "ACTAS_FUERA_DE_CATALOGO: " in leeme
    assert "SHA-512" in leeme and "TODOS ILEGIBLES O SIN DATO" in leeme


# ---------------------------------------------------------------- the rules


def test_no_aplica_is_neither_ilegible_nor_sin_dato():
    na, il, sd = Mark.NO_APLICA, Mark.ILEGIBLE, Mark.SIN_DATO
    assert decide([il, na, il, na], None).legends == (Legend.TODOS_ILEGIBLES,)
    assert decide([sd, na, sd], None).legends == (Legend.TODOS_VACIOS,)
    d = decide([5, na, 3], 10)
    assert d.counted and d.legends == ()
    assert decide([na, na], 10).counted  # nothing on the acta: no legend either


def test_casillas_without_lista_nominal_are_never_excede():
    db = sample_db()
    cat = db.catalog
    abroad = next(a for a in cat.expected_actas() if a.casilla.key.tipo == "M")
    assert abroad.casilla.limit(cat.sin_lista_nominal) is None
    assert abroad.casilla.limit() == 0  # a catalog that lists no such type: LN + reps
    assert decide([14_000, 192], None).counted


def test_no_aplica_is_not_a_capture():
    with pytest.raises(ValueError):
        check_value("N/A")
    with pytest.raises(ValueError):
        check_value(Mark.NO_APLICA)


# ---------------------------------------------------------------- the catalog


def test_the_catalog_of_the_sample_explains_every_blank_cell():
    db = sample_db()
    files = catalog_files(db.catalog)
    cat = parse_catalog(files["catalog.json"], files["casillas.csv"])
    assert cat.fingerprint == db.catalog.fingerprint
    e = cat.elections[0]
    assert e.acta_codes_for("S") == ("2 EMR", "2 ERP")
    assert e.acta_code("A") == "1" and e.acta_code("B") == "2"
    assert "C_PAN_PRI" not in e.acta_fields["2 ERP"]
    assert len(cat.expected_actas()) == len(db.rows) == 12
    for r in db.rows:
        acta = cat.acta(r.key.clave_acta(r.tipo_acta))
        assert acta is not None
        for f, v in zip(e.vote_fields, r.votes, strict=True):
            assert e.applies(f, acta.tipo_acta, acta.id_demarcacion) == (v is not Mark.NO_APLICA)


def test_existing_catalogs_keep_their_fingerprint():
    from prep_demo.demo import demo_catalog

    doc = demo_catalog().to_canonical()
    assert "sin_lista_nominal" not in doc
    assert all("acta_fields" not in e and "field_demarcaciones" not in e for e in doc["elections"])


@pytest.mark.parametrize(
    ("change", "expect"),
    [
        ({"tipo_acta": {"*": "2", "S": ["2 EMR", "2 EMR"]}}, "tipo_acta"),
        ({"tipo_acta": {"*": "2", "S": ["2  EMR"]}}, "tipo_acta"),
        ({"acta_fields": {"9": ["PAN"]}}, "acta_fields"),
        ({"field_demarcaciones": {"NOPE": [1]}}, "field_demarcaciones"),
    ],
)
def test_bad_catalog_scopes_are_refused(change, expect):
    files = catalog_files(sample_db().catalog)
    doc = json.loads(files["catalog.json"])
    doc["elections"][0].update(change)
    with pytest.raises(CatalogError, match=expect):
        parse_catalog(json.dumps(doc), files["casillas.csv"])


# ---------------------------------------------------------------- the profiles


def test_the_ine_profile_file_is_the_default_layout():
    assert load_layout(LAYOUTS_DIR / "ine-federal.json") == INE_FEDERAL == Layout()
    assert [lay.id for lay in LAYOUTS] == ["ine-federal", "ieem-2024"]


@pytest.mark.parametrize(
    ("change", "expect"),
    [
        ({"format": "x"}, "prep-layout/1"),
        ({"colums": []}, "claves desconocidas"),
        ({"integrity": "md5"}, "integrity"),
        ({"columns": ["CLAVE_CASILLA"]}, "columns"),
        ({"column_names": {"NOPE": "X"}}, "column_names"),
        ({"observaciones": {"legends": {"NOPE": "x"}}}, "observaciones.legends"),
        ({"cells": {"unknown": "a,b"}}, "cells"),
    ],
)
def test_bad_profiles_name_the_key(change, expect):
    doc = json.loads((LAYOUTS_DIR / "ieem-2024.json").read_text())
    doc.update(change)
    with pytest.raises(LayoutError, match=expect):
        parse_layout(doc, where="p.json")


def test_an_unknown_layout_names_the_closest_profile_and_what_differs(tmp_path, capsys):
    bad = tmp_path / "otro.csv"
    bad.write_bytes(SAMPLE.read_bytes().replace(b"TOTAL_REP_PARTIDOS_CI_VOTARON", b"TOTAL_REP_VOTARON"))
    assert prep(["figures", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "otro.csv línea 7" in err and "faltan columnas" in err
    assert "'ieem-2024'" in err and "TOTAL_REP_VOTARON" in err and "Traceback" not in err


def test_a_near_layout_is_read_and_the_difference_noted(tmp_path, capsys):
    near = tmp_path / "near.csv"
    near.write_bytes(SAMPLE.read_bytes().replace(b",TIPO_DOCUMENTO\n", b",TIPO_DOC\n"))
    assert prep(["figures", str(near), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["layout"] == "ieem-2024" and out["disagreements"] == []
    assert any("TIPO_DOC" in n for n in out["notes"])


def test_an_imposed_profile_that_does_not_fit(tmp_path, capsys):
    assert prep(["figures", str(SAMPLE), "--layout", "ine-federal"]) == 2
    err = capsys.readouterr().err
    assert "TOTAL_REP_PARTIDO_CI_VOTARON" in err and "'ine-federal'" in err
    assert prep(["figures", str(SAMPLE), "--layout", "nope"]) == 2
    assert "ieem-2024" in capsys.readouterr().err


def test_a_bad_cell_names_the_line_and_the_column():
    text = SAMPLE.read_bytes().replace(b",4883,", b",cuatro,")
    with pytest.raises(PublishedFileError, match="fila de datos 1") as exc:
        recount(read_results_csv(text, layouts=LAYOUTS), where="x.csv")
    assert "'cuatro'" in str(exc.value) and "columna MORENA" in str(exc.value)
    text = SAMPLE.read_bytes().replace(b"'150937B01002',", b"'150937B01002',X,")
    with pytest.raises(PublishedFileError, match="línea 10") as exc:
        read_results_csv(text, layouts=LAYOUTS)
    assert "58 columnas, se esperan 57" in str(exc.value)
    text = SAMPLE.read_bytes().replace(
        b"'0937','04',C,'00',1,2,374,354,8,", b"'0937','04',C,'00',1,2,374,354,ocho,"
    )
    with pytest.raises(PublishedFileError, match="fila de datos 4") as exc:
        read_database(text, layouts=LAYOUTS)
    assert "columna TOTAL_REP_PARTIDOS_CI_VOTARON" in str(exc.value)


# ---------------------------------------------------------------- writer → reader


vote = st.one_of(st.integers(0, 400), st.sampled_from([Mark.ILEGIBLE, Mark.SIN_DATO]))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(LAYOUTS),
    st.lists(st.one_of(st.none(), st.lists(vote, min_size=27, max_size=27)), min_size=12, max_size=12),
    st.booleans(),
    st.booleans(),
)
def test_writer_reader_round_trip_in_each_profile(layout, readings, final, fuera):
    """The sample's catalog (abroad, early vote, an especial's two actas, combinations
    absent from some actas), random readings (None: Sin acta), written in a profile and
    read back: the same profile, rows, figures, votes and decisions."""
    cat = sample_db().catalog
    e = cat.elections[0]
    states = []
    for acta, vals in zip(cat.expected_actas(), readings, strict=True):
        if vals is None:
            states.append(fixture._state(acta.clave_acta, Status.SIN_ACTA))
            continue
        reading = dict(zip(e.vote_fields, vals, strict=True))
        reading["TOTAL_VOTOS_ASENTADO"] = sum(v for v in vals if isinstance(v, int))
        states.append(fixture._state(acta.clave_acta, Status.VERIFICADA, reading))
    if fuera:  # an acta that matches no approved casilla
        states.append(fixture._state("159999B01002", Status.VERIFICADA, {"PAN": 3}))
    cut = build_cut(cat, e.id, states, datetime(2024, 6, 3, 2, tzinfo=UTC), final=final, layout=layout)
    db = read_database(cut.csv_bytes, layouts=LAYOUTS)
    assert db.layout == layout and db.file.fit.exact
    assert db.file.header == cut.figures.as_header()
    rc = recount(db.file, final=final)
    assert rc.figures == cut.figures
    assert rc.votes == dict(cut.votes)
    assert rc.disagreements == []
    assert second_count(db.file, final=final).header == cut.figures.as_header()
    written = sorted(cut.rows, key=lambda r: r.sort_key())
    for got, want in zip(db.rows, written, strict=True):
        assert got.votes == [None if want.decision.no_acta and v is not Mark.NO_APLICA else v
                             for v in want.votes]
        assert got.decision.contabilizada == want.decision.contabilizada
        assert layout.vocabulary.format(got.decision) == layout.vocabulary.format(want.decision)
    assert db.write() == cut.csv_bytes


def test_the_ieem_vocabulary_reads_and_writes_its_phrases():
    from prep_core.counting import SinActaCause, decide_sin_acta

    words = IEEM.vocabulary
    assert words.parse("SIN ACTA POR PAQUETE ENTREGADO SIN BOLSA") == ((), SinActaCause(3), True)
    assert words.format(decide_sin_acta(SinActaCause(3))) == "SIN ACTA POR PAQUETE ENTREGADO SIN BOLSA"
    legends, _, _ = words.parse("EXCEDE LISTA NOMINAL, ALGÚN CAMPO ILEGIBLE O SIN DATO")
    assert Legend.EXCEDE in legends and Legend.SIN_DATO in legends
    d = decide([900, Mark.SIN_DATO, Mark.ILEGIBLE], 10)
    assert words.format(d) == "EXCEDE LISTA NOMINAL, ALGÚN CAMPO ILEGIBLE O SIN DATO"
    assert INE_FEDERAL.vocabulary.format(d) == d.observaciones
    assert words.format(decide([1], 10)) == "" and INE_FEDERAL.vocabulary.format(decide([1], 10)) == "-"
    with pytest.raises(ValueError):
        words.parse("ALGO RARO")


def test_prep_catalog_from_database(tmp_path, capsys):
    from prep_io.files import load_catalog

    out = tmp_path / "cat"
    assert prep(["catalog", "from-database", str(SAMPLE), str(out), "--election", "DIP_LOC"]) == 0
    assert "ieem-2024" in capsys.readouterr().out
    cat = load_catalog(out)
    assert cat.fingerprint == read_database(
        SAMPLE.read_bytes(), layouts=LAYOUTS, election_id="DIP_LOC"
    ).catalog.fingerprint
    assert {a.tipo_acta for a in cat.expected_actas("DIP_LOC")} == {"1", "2", "2 EMR", "2 ERP"}


def test_figures_not_on_a_casilla_types_acta_are_no_aplica(tmp_path):
    """IEEM 2024 writes N/A for the figures the abroad (all four), early-vote (boletas
    sobrantes, representantes) and especial (representantes) actas do not carry: the
    catalog read from the file says so, keeps it through its files, and a cut publishes
    them N/A whatever was captured, with no legend."""
    cat = sample_db().catalog
    e = cat.elections[0]
    assert e.tipo_figures == {
        "M": (),
        "A": ("TOTAL_PERSONAS_VOTARON", "TOTAL_VOTOS_SACADOS"),
        "S": ("TOTAL_BOLETAS_SOBRANTES", "TOTAL_PERSONAS_VOTARON", "TOTAL_VOTOS_SACADOS"),
    }
    cat = dataclasses.replace(cat, unlisted_actas={e.id: 21_079})
    save_catalog(cat, tmp_path / "cat")
    again = load_catalog(tmp_path / "cat")
    assert again.elections[0].tipo_figures == e.tipo_figures
    assert again.fingerprint == cat.fingerprint and again.expected_count() == 21_091
    states = []
    for a in cat.expected_actas():
        reading = dict.fromkeys((*FIGURE_FIELDS, *e.vote_fields), Mark.SIN_DATO)
        reading.update(PAN=5, TOTAL_VOTOS_SACADOS=5, TOTAL_VOTOS_ASENTADO=5)
        states.append(fixture._state(a.clave_acta, Status.VERIFICADA, reading))
    cut = build_cut(cat, e.id, states, datetime(2024, 6, 3, 2, tzinfo=UTC), layout=IEEM)
    assert cut.figures.actas_esperadas == 21_091
    rows = {r.key.clave_acta(r.tipo_acta): r for r in cut.rows if r.key}
    assert rows["150000M00002"].figures == [Mark.NO_APLICA] * 4
    assert rows["150000A00001"].figures == [Mark.NO_APLICA, Mark.SIN_DATO, Mark.NO_APLICA, 5]
    assert rows["151025S01002 ERP"].figures[2] is Mark.NO_APLICA
    assert rows["150937B01002"].figures == [Mark.SIN_DATO, Mark.SIN_DATO, Mark.SIN_DATO, 5]
    text = cut.csv_bytes.decode()
    assert "'150000M00002',15,ESTADO DE MEXICO,'N/A',N/A,'N/A','N/A',M,'00',1,2,N/A,N/A,N/A,N/A," in text
