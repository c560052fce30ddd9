"""Section 1 of the acta (the identification the officials wrote) against its label."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from capture_station.recognition.digits import load_model
from capture_station.recognition.reader import read_acta
from prep_core.identity import split_clave_acta
from prep_core.labels import (
    expected_written,
    identity_of,
    neighbour_label,
    neighbours,
    swapped_label,
    typo_key,
)
from prep_core.qr import parse_qr
from prep_demo.demo import demo_catalog
from prep_tools.decks.deck import DeckOptions, make_acta

LOCAL = ("bcs2024-diploc", "bcs2024-ayun")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalog():
    return demo_catalog()


def _jpeg(img: np.ndarray) -> bytes:
    bgr = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    return buf.tobytes()


def test_neighbour_label_is_another_casilla_of_the_same_election(catalog):
    a = catalog.expected_actas("DIP_LOC")[40]
    own = identity_of(a)
    for pick in range(6):
        other = neighbour_label(catalog, own, pick)
        assert other.clave_acta != own.clave_acta
        assert catalog.acta(other.clave_acta).election.id == "DIP_LOC"
        assert abs(other.casilla.seccion - own.casilla.seccion) <= 2
    assert neighbour_label(catalog, own, 3) == neighbour_label(catalog, own, 3)
    near = neighbours(catalog, own)
    gaps = [abs(a.casilla.key.seccion - own.casilla.seccion) for a in near]
    assert gaps == sorted(gaps)


def test_swapped_label_is_a_neighbours_payload(catalog):
    a = catalog.expected_actas("AYUN")[7]
    payload = swapped_label(catalog, a.clave_acta, 2)
    other = parse_qr(payload)
    assert other.clave_acta != a.clave_acta and catalog.match_qr(other) is not None
    assert other == neighbour_label(catalog, identity_of(a), 2)
    with pytest.raises(ValueError):
        swapped_label(catalog, "039999B01006")


def test_typo_key_is_never_the_key():
    for pick in range(200):
        k = typo_key("030138C02006", pick)
        assert k != "030138C02006"
        key, tipo_acta = split_clave_acta(k)
        assert tipo_acta == "6" and key.tipo == "C" and key.id_entidad == 3


@pytest.mark.usefixtures("catalog")
def test_good_acta_agrees_and_a_neighbours_label_does_not(catalog):
    assert load_model() is not None
    good = DeckOptions(templates=LOCAL, dpis=(150,), split="val")
    swapped = DeckOptions(templates=LOCAL, dpis=(150,), split="val", p_swap=1.0)
    img, rec = make_acta(2, 17, good)
    r = read_acta(_jpeg(img), catalog=catalog)
    assert r.ok and r.identity["agrees"] is True, r.identity
    assert r.identity["label"] == rec["qr"]
    assert r.identity["written"]["seccion"] == rec["written"]["seccion"]
    img, rec = make_acta(2, 17, swapped)
    assert rec["swap"] and rec["qr"] == rec["swap"]
    r = read_acta(_jpeg(img), catalog=catalog)
    assert r.ok and r.identity["agrees"] is False, r.identity
    assert r.identity["label"] == rec["swap"]
    # the key typed by hand for the same acta: the right one agrees, a slip does not
    truth = expected_written(parse_qr(rec["swap"]))
    assert truth.seccion is not None
    right = identity_of(catalog.acta(rec["clave_acta"]))
    assert read_acta(_jpeg(img), catalog=catalog, label=right).identity["agrees"] is True


def test_typed_key_deck_has_no_label_and_a_slip(catalog):
    img, rec = make_acta(4, 17, DeckOptions(templates=LOCAL, dpis=(100,), p_typed=1.0))
    assert rec["qr"] is None and rec["typed"] != rec["clave_acta"]
    r = read_acta(_jpeg(img), catalog=catalog)
    assert r.qr is None and r.identity["agrees"] is None


def test_prep_read_json_reports_identity(tmp_path, catalog):
    img, rec = make_acta(5, 17, DeckOptions(templates=LOCAL, dpis=(150,), split="val"))
    p = tmp_path / "a.jpg"
    p.write_bytes(_jpeg(img))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "prep_cli.main", "read", str(p), "--catalog",
                          "demo", "--json"], capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=120)
    doc = json.loads(out.stdout)
    assert doc["identity"]["label"] == rec["qr"]
    assert doc["identity"]["agrees"] is True
    assert set(doc["identity"]["written"]) == {"demarcacion", "seccion", "tipo", "numero"}


def test_bench_counts_swaps_caught_and_false_alarms():
    from prep_tools.bench.identity import summarise

    rows = ([{"kind": "swap", "status": "ok", "qr_ok": True, "agrees": False, "ms": 1.0,
              "by": "writing"}] * 3
            + [{"kind": "swap", "status": "ok", "qr_ok": True, "agrees": None, "ms": 1.0,
                "by": "writing"}]
            + [{"kind": "good", "status": "ok", "qr_ok": True, "agrees": True, "ms": 1.0,
                "by": "writing"}] * 9
            + [{"kind": "good", "status": "ok", "qr_ok": True, "agrees": False, "ms": 1.0,
                "by": "writing"}]
            + [{"kind": "typed", "status": "ok", "agrees": False, "by": "catalog", "ms": 0.0}])
    s = summarise(rows)
    assert (s["swaps_caught"]["k"], s["swaps_caught"]["n"]) == (3, 4)
    assert (s["false_alarms"]["k"], s["false_alarms"]["n"]) == (1, 10)
    assert s["typed_by_catalog"]["k"] == 1 and s["swaps_unread"]["k"] == 1
