"""The published database: writer's exact bytes, reader quirks, round trips,
and ``prep figures`` reproducing the header."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prep_cli.main import main as prep
from prep_core.errors import PublishedFileError
from prep_core.published import read_results_csv
from prep_core.recount import recount

from . import published_fixture as fixture

GOLDEN = Path(__file__).parent / "data" / "golden-DIP_LOC.csv"


def test_writer_produces_the_golden_bytes():
    data = fixture.cut().csv_bytes
    assert data == GOLDEN.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    assert b"\r\n" in data


def test_recount_of_the_golden_file_reproduces_its_header():
    cut = fixture.cut()
    pf = read_results_csv(GOLDEN.read_bytes())
    rc = recount(pf, especial_ballots=1000)
    assert rc.figures.as_header() == pf.header == cut.figures.as_header()
    assert rc.votes == dict(cut.votes)
    assert rc.disagreements == []


def quirky(data: bytes) -> bytes:
    """INE quirks: no BOM, CR-only line ends, municipio columns, N/A cells,
    double-quoted cells."""
    text = data.decode("utf-8-sig")
    text = text.replace("ID_DISTRITO_LOCAL,DISTRITO_LOCAL", "ID_MUNICIPIO,MUNICIPIO")
    text = text.replace(",Sin acta(2),0,,-,", ',"Sin acta(2)",0,N/A,-,')
    text = text.replace("'030001B0100'", "\"'030001B0100'\"")
    return text.replace("\r\n", "\r").encode("utf-8")


def test_reader_accepts_every_quirk(tmp_path):
    pf = read_results_csv(quirky(GOLDEN.read_bytes()))
    assert pf.ambito_column == "MUNICIPIO"
    assert pf.election_name.startswith("Diputaciones Locales")
    assert pf.cut_label == "02/06/2024 22:30 (UTC-6)"
    assert pf.vote_fields[0] == "PAN" and pf.vote_fields[-1] == "NULOS"
    assert pf.rows[0][0] == "030001B0100"
    rc = recount(pf, especial_ballots=1000)
    assert rc.figures.as_header() == pf.header
    # also with CRLF + BOM, and with LF only
    lf = GOLDEN.read_bytes().replace(b"\r\n", b"\n")
    assert read_results_csv(lf).rows == read_results_csv(GOLDEN.read_bytes()).rows


def test_prep_figures_command(tmp_path, capsys):
    path = tmp_path / "db.csv"
    path.write_bytes(GOLDEN.read_bytes())
    assert prep(["figures", str(path), "--json", "--especial-ballots", "1000"]) == 0
    out = json.loads(capsys.readouterr().out)
    header = read_results_csv(GOLDEN.read_bytes()).header
    for k, v in header.items():
        assert str(out[k]) == v
    assert out["votes"]["PAN"] == 180 + 50
    assert out["disagreements"] == []


def test_prep_figures_reports_disagreements(tmp_path, capsys):
    text = GOLDEN.read_bytes().replace(b"['Excede Lista Nominal'],0,", b"-,1,")
    path = tmp_path / "db.csv"
    path.write_bytes(text)
    assert prep(["figures", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["disagreements"] == [
        {
            "row": 3,
            "CLAVE_ACTA": "030002B01006",
            "file": {"CONTABILIZADA": "1", "OBSERVACIONES": "-"},
            "computed": {"CONTABILIZADA": 0, "OBSERVACIONES": "['Excede Lista Nominal']"},
        }
    ]


def test_without_especial_ballots_the_output_says_so(tmp_path, capsys):
    from prep_cli.bench_figures import build_database

    path = build_database(300, tmp_path)
    assert prep(["figures", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["especiales_unchecked"] >= 1
    assert any("--especial-ballots" in n for n in out["notes"])
    assert prep(["figures", str(path), "--json", "--especial-ballots", "1000"]) == 0
    out2 = json.loads(capsys.readouterr().out)
    assert out2["especiales_unchecked"] == 0
    assert (
        out2["PORCENTAJE_ACTAS_CONTABILIZADAS"]
        == read_results_csv(path.read_bytes()).header["PORCENTAJE_ACTAS_CONTABILIZADAS"]
    )


@pytest.mark.parametrize(
    ("data", "expect"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binario"),
        (b"hola,mundo\n1,2\n", "ACTAS_ESPERADAS"),
        (b"\xef\xbb\xbfE\r\nT\r\n\r\nACTAS_ESPERADAS\r\n1\r\n\r\nCLAVE_CASILLA,X\r\n", "columnas"),
    ],
)
def test_unreadable_files_give_clear_errors(data, expect):
    with pytest.raises(PublishedFileError, match=expect):
        read_results_csv(data)


def test_cli_errors_name_the_place_without_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    good = GOLDEN.read_bytes().decode("utf-8-sig").splitlines()
    good[7] = good[7].replace(",180,", ",ciento,")
    bad.write_text("\n".join(good))
    assert prep(["figures", str(bad), "--json"]) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err and "fila de datos 1" in err and "'ciento'" in err
    assert "Traceback" not in err
    assert prep(["figures", str(tmp_path / "missing.csv")]) == 2
    assert "no se puede leer" in capsys.readouterr().err


marks = st.sampled_from(["Ilegible", "Sin dato"])
cells = st.one_of(st.integers(0, 900), marks)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cells, min_size=23, max_size=23), min_size=1, max_size=8), st.booleans())
def test_writer_reader_round_trip(readings, final):
    from datetime import UTC, datetime

    from prep_core.derive import Status
    from prep_core.publication import build_cut
    from prep_core.values import check_value

    cat = fixture.catalog()
    e = cat.election("DIP_LOC")
    actas = cat.expected_actas("DIP_LOC")
    states = []
    for acta, vals in zip(actas, readings, strict=False):
        reading = {f: check_value(v) for f, v in zip(e.vote_fields, vals, strict=True)}
        states.append(fixture._state(acta.clave_acta, Status.VERIFICADA, reading))
    cut = build_cut(cat, "DIP_LOC", states, datetime(2024, 6, 3, 6, tzinfo=UTC), final=final)
    pf = read_results_csv(cut.csv_bytes)
    assert pf.header == cut.figures.as_header()
    assert len(pf.rows) == len(states)
    rc = recount(pf, final=final, especial_ballots=1000)
    assert rc.figures == cut.figures
    assert rc.votes == dict(cut.votes)
    assert rc.disagreements == []


def test_the_published_zip_is_reproducible_and_complete():
    import hashlib
    import io
    import zipfile

    from prep_core.package import package_zip

    cut = fixture.cut()
    a, b = package_zip(cut), package_zip(fixture.cut())
    assert hashlib.sha256(a).digest() == hashlib.sha256(b).digest()
    z = zipfile.ZipFile(io.BytesIO(a))
    names = z.namelist()
    assert names == [
        "DIP_LOC_20240602_2230/DIP_LOC.csv",
        "DIP_LOC_20240602_2230/DIP_LOC_candidaturas.csv",
        "DIP_LOC_20240602_2230/LEEME.txt",
    ]
    assert z.read(names[0]) == GOLDEN.read_bytes()
    leeme = z.read(names[2]).decode()
    for col in read_results_csv(GOLDEN.read_bytes()).columns:
        assert f"  {col}: " in leeme
        assert not leeme.split(f"  {col}: ")[1].startswith("\r")  # every column described
    cands = z.read(names[1]).decode("utf-8-sig").splitlines()
    assert cands[0] == (
        "ID_ESTADO,ID_DISTRITO_LOCAL,PARTIDO_CI,CANDIDATURA_PROPIETARIA,CANDIDATURA_SUPLENTE"
    )
    assert len(cands) > 1
