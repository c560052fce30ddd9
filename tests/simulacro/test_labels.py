"""The label_swap fault's plan: neighbours' labels and keys typed with a slip, each
naming another acta of the same election, chosen the same way for the same seed."""

from __future__ import annotations

from prep_core.qr import parse_qr
from prep_demo.demo import demo_catalog
from prep_sim import labels as L
from prep_sim.truth import make_truth


def test_plan_makes_swaps_and_slips_that_name_another_acta() -> None:
    catalog = demo_catalog(30)
    truth = make_truth(catalog, seed=3)
    plan = L.plan(catalog, truth, 8, seed=3)
    assert plan == L.plan(catalog, truth, 8, seed=3)
    assert len(plan) == 8 and L.default_count(truth) >= L.MIN
    kinds = [m.kind for m in plan.values()]
    assert kinds.count(L.SWAP) == 4 and kinds.count(L.SLIP) == 4
    assert {m.confirm for m in plan.values() if m.kind == L.SLIP} == {L.RIGHT, L.SAME}
    by = truth.by_clave()
    for m in plan.values():
        own, other = catalog.acta(m.clave), catalog.acta(m.wrong)
        assert own is not None and other is not None and m.wrong != m.clave
        assert other.election.id == own.election.id
        assert by[m.clave].kind == "normal" and not by[m.clave].photo  # ordinary ones first
        if m.kind == L.SWAP:
            assert parse_qr(m.label, own.election.qr_layout).clave_acta == m.wrong
        else:
            assert m.label is None
        # section 1 says the acta's own casilla, whatever the label says
        w = L.written_of(by[m.clave], catalog)
        assert w["seccion"] == own.casilla.key.seccion


def test_plan_round_trips_through_its_file(tmp_path) -> None:
    catalog = demo_catalog(12)
    truth = make_truth(catalog, seed=1)
    plan = L.plan(catalog, truth, 4, seed=1)
    L.save(plan, tmp_path / "etiquetas.jsonl")
    assert L.load(tmp_path / "etiquetas.jsonl") == plan
    assert L.load("") == {} and L.load(tmp_path / "none.jsonl") == {}


def test_label_swaps_below_one_is_refused(tmp_path) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    r = subprocess.run([sys.executable, "-m", "prep_cli.main", "simulacro", "--out",
                        str(tmp_path / "x"), "--label-swaps", "0"], cwd=root,
                       env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2 and "--label-swaps" in r.stderr and "must be 1" in r.stderr


def test_a_held_sheet_a_crash_left_unstored_is_fed_again(tmp_path) -> None:
    """The station dies between marking a held page «identificada» and storing it (the
    mark is set here by hand, where the kill lands): after the restart the drill's
    digitalizador feeds the sheet again, and the supervisor relabels it to its acta."""
    import hashlib
    import json

    from capture_station import actas
    from capture_station.sources.base import Page
    from prep_core.events import Kind
    from prep_io.files import save_catalog
    from prep_sim.paper import print_acta, template_for
    from prep_sim.worker import Config, Worker

    catalog = demo_catalog(16)
    truth = make_truth(catalog, seed=1)
    plan = L.plan(catalog, truth, 1, seed=1)
    (m,) = plan.values()
    assert m.kind == L.SWAP
    save_catalog(catalog, tmp_path / "catalog")
    truth.save(tmp_path / "truth.jsonl")
    L.save(plan, tmp_path / "etiquetas.jsonl")
    acta = truth.by_clave()[m.clave]
    t = template_for(next(e for e in catalog.elections if e.id == acta.election))
    data, _ = print_acta(acta, t, 1, label=m.label, written=L.written_of(acta, catalog),
                         p_dark=0.0)
    (tmp_path / "imagenes.jsonl").write_text(json.dumps(
        {"sha256": hashlib.sha256(data).hexdigest(), "clave": m.clave}) + "\n")
    cfg = Config(id="CATD01", role="CATD", folder=str(tmp_path / "st"),
                 server="http://127.0.0.1:9", catalog=str(tmp_path / "catalog"),
                 truth=str(tmp_path / "truth.jsonl"), code="x",
                 labels=str(tmp_path / "etiquetas.jsonl"), images=str(tmp_path / "imagenes.jsonl"))
    w = Worker(cfg)
    held = w.pipe.process(Page(data, m.sheet, "file", "", ""), "digitaliza")
    assert held.status == "identidad_en_duda" and held.clave_acta == m.wrong, held.text()
    with w.st.store.tx() as c:  # the supervisor's decision began; the station died here
        c.execute("UPDATE pages SET status = 'identificada' WHERE id = ?", (held.page_id,))
    w.st.close()

    w = Worker(cfg)  # the restart
    assert w.lost_identities() == 1 and w.lost_identities() == 0
    again = list(w.inbox.glob("again-*.jpg"))
    assert [p.read_bytes() for p in again] == [data]
    w.folder = type(w.folder)(w.inbox, settle_s=0.0)
    assert w.scan() == 1 and w.identities() == 1
    evs = actas.events_of(w.st.store, m.clave)
    assert [e.kind for e in evs][:3] == [Kind.ACOPIO, Kind.IDENTIDAD, Kind.DIGITALIZACION]
    assert evs[1].payload["decision"] == "relabel" and evs[1].payload["from"] == m.wrong
    assert actas.events_of(w.st.store, m.wrong) == []
    w.st.close()
