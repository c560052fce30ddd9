"""A whole election night through the real processes (sync server and stations as
OS processes, HTTP, printed and scanned actas, OCR, simulated people), with every
fault on, checked against the truth by a path apart from the server's code; and a
published database replayed until its own header comes back."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from prep_core.published import read_results_csv
from prep_io.files import load_catalog
from prep_sim.checks import Published
from prep_sim.expected import expected_cut
from prep_sim.faults import ALL
from prep_sim.truth import Truth

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "core" / "data" / "golden-DIP_LOC.csv"


def simulacro(out: Path, *args: str, timeout: float = 400) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "prep_cli.main", "simulacro", "--out", str(out),
                           *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)


def last_cut(out: Path, election: str) -> bytes:
    return sorted((out / "cortes").glob(f"*-{election}.csv"))[-1].read_bytes()


@pytest.mark.timeout(480)
def test_night_with_every_fault_equals_the_truth(tmp_path: Path) -> None:
    out = tmp_path / "noche"
    r = simulacro(out, "--casillas", "16", "--catd", "3", "--ccv", "1", "--faults", "all",
                  "--cut-every", "6", "--timeout", "300")
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    rep = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert rep["ok"] and rep["errors_reached_publication"] == 0
    assert {f["name"] for f in rep["faults"]} == set(ALL)
    assert all(f["ok"] for f in rep["faults"]), rep["faults"]
    tamper = next(f for f in rep["faults"] if f["name"] == "tamper")
    assert 400 <= tamper["cost"]["status"] < 500 and tamper["cost"]["rows_changed"] == 0
    dup = next(f for f in rep["faults"] if f["name"] == "duplicate")
    assert dup["cost"]["same_receipt"] and dup["cost"]["rows_unchanged"]
    assert all(not c["crosscheck_problems"] for c in rep["cuts"])
    assert (out / "report.html").read_text(encoding="utf-8").count("<svg") == 2
    assert rep["prep_casilla"]["photos_sent"] > 0
    assert rep["sizes"]["sheets"]["300dpi"] and rep["sizes"]["sheets"]["dark_backing"]
    # every acta with a wrong label stopped before capture, resolved at the station by a
    # signed decision, published once under its own key and never under the wrong one
    labels = rep["checks"]["labels"]["mistakes"]
    assert {x["kind"] for x in labels} == {"swap", "slip"}, labels
    for x in labels:
        assert x["ok"] and x["stopped_before_capture"] and not x["stored_under"], x
        assert x["published_once_with_its_figures"] and not x["figures_under_wrong_key"], x
        decisions = {d["decision"] for d in x["identidad_events"]}
        assert decisions & {"relabel", "typed"}, x
        if x["kind"] == "swap":  # held when scanned, relabelled by the supervisor
            assert x["scanned"] >= 1 and x["held"] >= 1, x
            relabel = next(d for d in x["identidad_events"] if d["decision"] == "relabel")
            assert relabel["operator"] == "supervisor" and relabel["from"] == x["wrong_key"]

    # every CATD, the clock fault's replacement too, was allowed to verify alone: an acta
    # sent back at cotejo and captured again only there would otherwise never verify
    with sqlite3.connect(out / "server" / "server.db") as db:
        catd = dict(db.execute("SELECT id, self_verify FROM stations WHERE role = 'CATD'").fetchall())
    assert len(catd) == 4 and all(catd.values()), catd

    # the independent path, again here: truth values + counting rules → the final header
    catalog = load_catalog(out / "catalog")
    truth = Truth.load(out / "truth.jsonl")
    for e in catalog.elections:
        csv = last_cut(out, e.id)
        pub = Published.read(csv)
        exp = expected_cut(catalog, truth, e.id, final=True)
        assert read_results_csv(csv).header == exp.header
        for a in truth.actas:
            if a.election == e.id and not a.fuera:
                assert len(pub.rows.get(a.clave_acta, [])) == 1, f"{a.clave_acta} lost or doubled"
        fuera = sum(1 for a in truth.actas if a.election == e.id and a.fuera)
        assert exp.header["ACTAS_FUERA_CATALOGO"] == str(fuera) != "0"
        kinds = {a.kind for a in truth.actas if a.election == e.id}
        assert {"excede", "ilegible", "sin_dato", "sin_acta", "fuera"} <= kinds


@pytest.mark.timeout(300)
def test_a_published_database_replayed_gives_its_header_back(tmp_path: Path) -> None:
    out = tmp_path / "replay"
    r = simulacro(out, "--from-database", str(GOLDEN), "--catd", "1", "--ccv", "1",
                  "--faults", "none", "--cut-every", "5", "--timeout", "200")
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    want = read_results_csv(GOLDEN.read_bytes()).header
    got = read_results_csv(last_cut(out, "DIP_LOC")).header
    assert got == want
    rep = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert rep["replay"]["differences"] == {}
    assert rep["replay"]["unprintable"]  # the golden file's 5000 votes do not fit three cells


def _night(out: Path, **kw: object) -> dict:
    """A small night in this process (the server and stations still their own processes),
    for options the command line does not offer."""
    from prep_demo.demo import demo_catalog
    from prep_sim.run import Night, Options
    from prep_sim.truth import make_truth

    catalog = demo_catalog(12)
    night = Night(Options(out=out, casillas=12, catd=1, ccv=1, quiet=True, cut_every_s=5,
                          **kw), catalog, make_truth(catalog, seed=1), log=lambda _: None)
    try:
        return night.run()
    finally:
        night.stop_stations()
        if night.server is not None:
            night.server.stop()


@pytest.mark.timeout(300)
def test_a_wrong_label_let_through_fails_the_drill(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stations read no section 1 (a test hook): the swapped actas go through under
    the label's key or are lost, and the drill must say so."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the stations' processes
    rep = _night(tmp_path / "noche", faults={"label_swap"}, label_swaps=4, timeout_s=30,
                 identity_check=False)
    assert not rep["ok"]
    fault = next(f for f in rep["faults"] if f["name"] == "label_swap")
    assert not fault["ok"]
    labels = rep["checks"]["labels"]["mistakes"]
    # an acta whose label (or repeated slip) names another goes through under that key
    # when it reaches the station first (stored, captured and published there), or is
    # refused as a repeat and lost when the other acta came first: never right
    wrong = [x for x in labels if x["kind"] == "swap" or x["confirm"] == "same"]
    assert len(wrong) == 3, labels
    # with section 1 read, a swapped sheet is held whatever came first: here none was
    for x in wrong:
        if x["kind"] == "swap":
            assert x["scanned"] >= 1 and x["held"] == 0, x
    for x in wrong:
        assert not x["ok"] and not x["published_once_with_its_figures"], x
        through = x["stored_under"] == [x["wrong_key"]]
        assert through != x["stopped_before_capture"], x


SAMPLE = ROOT / "tests" / "core" / "data" / "MEX_DIP_LOC_2024_sample.csv"


def ople_file(out: Path, expected: int) -> Path:
    """The IEEM 2024 sample's 12 rows, unchanged, under the header they imply with
    ``expected`` actas esperadas: a whole file in IEEM's layout, its header its own."""
    from prep_core.crosscheck import second_count
    from prep_core.database import Database, read_database
    from prep_io.layouts import shipped_layouts

    db = read_database(SAMPLE.read_bytes(), layouts=shipped_layouts())
    pf = replace(db.file, header={**db.file.header, "ACTAS_ESPERADAS": str(expected)})
    pf = replace(pf, header=second_count(pf).header)
    path = out / "MEX_DIP_LOC_2024_few.csv"
    path.write_bytes(Database(pf, db.rows, db.catalog).write())
    return path


@pytest.mark.timeout(400)
def test_an_ople_database_replayed_gives_its_header_back(tmp_path: Path) -> None:
    """IEEM's layout: figures over 999 (the abroad acta's 14,192 votes) on a form with
    cells enough, figures that do not apply to abroad, early-vote and especial actas
    published N/A, CODIGO_INTEGRIDAD in SHA-512 checked against each image."""
    source = ople_file(tmp_path, expected=14)  # two casillas that never arrive
    out = tmp_path / "replay"
    r = simulacro(out, "--from-database", str(source), "--catd", "1", "--ccv", "1",
                  "--faults", "none", "--cut-every", "5", "--timeout", "250")
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    from prep_io.layouts import shipped_layouts

    want = read_results_csv(source.read_bytes(), layouts=shipped_layouts())
    got = last_cut(out, "PREP")
    assert read_results_csv(got, layouts=shipped_layouts()).header == want.header
    rep = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert rep["replay"]["differences"] == {} and rep["replay"]["unprintable"] == []
    assert all(not c["crosscheck_problems"] for c in rep["cuts"])  # SHA-512 codes verified
    form = json.loads(next((out / "formas").glob("*.json")).read_text(encoding="utf-8"))
    assert {len(f["cells"]) for f in form["fields"]} == {5}
    pub = Published.read(got)
    src = Published.read(source.read_bytes())
    figures = slice(pub.pf.index("TOTAL_BOLETAS_SOBRANTES"), pub.pf.index("TOTAL_VOTOS_SACADOS") + 1)
    for clave in ("150000M00002", "150000A00001", "151025S01002 EMR", "151025S01002 ERP"):
        assert pub.rows[clave][0][figures] == src.rows[clave][0][figures]
    code = pub.pf.index("CODIGO_INTEGRIDAD")
    assert {len(rows[0][code]) for rows in pub.rows.values()} <= {128, len("N/A")}
