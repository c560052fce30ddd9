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
