"""The station API end to end on a live uvicorn (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from prep_core.derive import derive_actas
from prep_core.signing import unb64
from sync_server.db.tables import actas, audit_log, batches, events, images
from sync_server.services.receipts import verify_receipt
from tests.server.helpers import (
    batch,
    digitalizacion_of,
    enroll_all,
    enrollment,
    images_for,
    issue_code,
    role_of,
    upload,
)


def test_enroll_approve_ingest_and_derive(live, night) -> None:
    c = live.client()
    r = c.post("/api/v1/batches", json=batch("CATD01", night.events["CATD01"][:3]))
    assert r.status_code == 403 and r.json()["error"] == "unknown_station"
    for name, key in night.keys.items():
        role = role_of(name)
        r = c.post("/api/v1/stations/enroll", json=enrollment(name, key, role))
        assert r.status_code == 403 and r.json()["error"] == "bad_enrollment_code", r.text
        code = issue_code(live.ctx, role)
        r = c.post("/api/v1/stations/enroll", json=enrollment(name, key, role, code=code))
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "approved"
    server_key = unb64(c.get("/api/v1/server").json()["public_key"], "k")
    for name, evs in night.events.items():
        for i in range(0, len(evs), 25):
            part = evs[i : i + 25]
            r = c.post("/api/v1/batches", json=batch(name, part, images_for(part, night.images)))
            assert r.status_code == 200, r.text
            rec = r.json()
            assert verify_receipt(server_key, rec)
            assert rec["receipt"]["accepted"] == {
                "first": part[0].event.seq,
                "last": part[-1].event.seq,
            }
    expected = derive_actas(night.all_events())
    with live.store.read() as conn:
        rows = {r.clave_acta: r for r in conn.execute(select(actas))}
        assert conn.scalar(select(func.count()).select_from(events)) == len(night.all_events())
    assert set(rows) == set(expected)
    for clave, st in expected.items():
        assert rows[clave].status == st.status.value
    info = c.get("/api/v1/stations/CATD01").json()
    assert info["head"]["seq"] == len(night.events["CATD01"])
    assert c.get("/health").json()["status"] == "ok"
    assert "prep_events_stored" in c.get("/metrics").text


def test_replayed_batch_gets_same_receipt_and_changes_nothing(live, night) -> None:
    enroll_all(live.ctx, night.keys)
    c = live.client()
    evs = night.events["CATD01"][:10]
    doc = batch("CATD01", evs, images_for(evs, night.images))
    first = c.post("/api/v1/batches", json=doc)
    assert first.status_code == 200
    with live.store.read() as conn:
        before = conn.scalar(select(func.count()).select_from(events))
    again = c.post("/api/v1/batches", json=doc)
    assert again.status_code == 200 and again.headers.get("X-Prep-Replay") == "1"
    assert again.json() == first.json()
    with live.store.read() as conn:
        assert conn.scalar(select(func.count()).select_from(events)) == before


def test_gap_is_refused_then_accepted_when_resent(live, night) -> None:
    enroll_all(live.ctx, night.keys)
    c = live.client()
    evs = night.events["CATD01"][:12]
    imgs = images_for(evs, night.images)
    r = c.post("/api/v1/batches", json=batch("CATD01", evs[:4], imgs))
    assert r.status_code == 200
    with live.store.read() as conn:
        before = conn.scalar(select(func.count()).select_from(events))
    late = batch("CATD01", evs[7:], imgs)
    r = c.post("/api/v1/batches", json=late)
    assert r.status_code == 409, r.text
    doc = r.json()
    assert doc["error"] == "chain_gap" and doc["index"] == 0
    assert (doc["expected_seq"], doc["got_seq"], doc["missing"]) == (5, 8, [5, 7])
    assert "se esperaba el número 5 y llegó el 8" in doc["message_es"]
    assert "expected seq 5, got 8" in doc["message_en"]
    with live.store.read() as conn:  # nothing of it stored
        assert conn.scalar(select(func.count()).select_from(events)) == before
        assert conn.scalar(select(func.count()).select_from(batches)) == 1
        last = conn.execute(select(audit_log).order_by(audit_log.c.seq.desc())).first()
    assert last.action == "batch_rejected"
    assert json.loads(last.detail)["code"] == "chain_gap"
    assert json.loads(last.detail)["missing"] == [5, 7]
    st = c.get("/api/v1/stations/CATD01").json()
    assert st["head"]["seq"] == 4 and st["gap"] == [5, 7] and st["gap_events"] == len(evs[7:])
    assert "prep_stations_with_gap 1" in c.get("/metrics").text
    r = c.post("/api/v1/batches", json=batch("CATD01", evs[4:6], imgs))  # part of the gap
    assert r.status_code == 200, r.text
    assert c.get("/api/v1/stations/CATD01").json()["gap"] == [7, 7]
    r = c.post("/api/v1/batches", json=batch("CATD01", evs[6:7], imgs))
    assert r.status_code == 200, r.text
    st = c.get("/api/v1/stations/CATD01").json()
    assert st["gap"] is None and st["gap_events"] == 0
    r = c.post("/api/v1/batches", json=late)  # the station sends the refused batch again
    assert r.status_code == 200, r.text
    assert r.json()["receipt"]["head"]["seq"] == 12 and r.json()["receipt"]["new"] == 5
    with live.store.read() as conn:
        assert conn.scalar(select(func.count()).select_from(events)) == 12


def test_gap_inside_a_batch_refuses_all_of_it(live, night) -> None:
    enroll_all(live.ctx, night.keys)
    c = live.client()
    evs = night.events["CATD01"][:8]
    imgs = images_for(evs, night.images)
    r = c.post("/api/v1/batches", json=batch("CATD01", [*evs[:3], *evs[5:]], imgs))
    assert r.status_code == 409 and r.json()["missing"] == [4, 5], r.text
    assert r.json()["index"] == 3
    with live.store.read() as conn:
        assert conn.scalar(select(func.count()).select_from(events)) == 0
        assert conn.scalar(select(func.count()).select_from(images)) == 0
    assert c.get("/api/v1/stations/CATD01").json()["head"]["seq"] == 0


def test_image_upload_by_hash(live, night) -> None:
    enroll_all(live.ctx, night.keys)
    c = live.client()
    evs = night.events["CATD01"][:6]
    key = night.keys["CATD01"]
    for sha, data in images_for(evs, night.images).items():
        dig = digitalizacion_of(evs, sha)
        r = upload(live, "CATD01", key, sha, data, dig)
        assert r.status_code == 201, r.text
        assert upload(live, "CATD01", key, sha, data, dig).status_code == 200
    r = c.post("/api/v1/batches", json=batch("CATD01", evs))
    assert r.status_code == 200, r.text
    assert json.loads(r.text)["receipt"]["new"] == 6


def test_usb_files_out_of_order(live, night) -> None:
    """A batch file imported before the one it follows is refused whole, with the
    numbers missing; importing the earlier file first, then it again, works."""
    from sync_server.services.importer import BATCH_FILE, import_file

    enroll_all(live.ctx, night.keys)
    evs = night.events["CATD01"][:10]
    imgs = images_for(evs, night.images)

    def file_of(*parts: list) -> bytes:  # type: ignore[type-arg]
        docs = [batch("CATD01", p, imgs) for p in parts]
        return json.dumps({"format": BATCH_FILE, "batches": docs}).encode()

    earlier, later = file_of(evs[:3], evs[3:6]), file_of(evs[6:8], evs[8:])
    res = import_file(live.ctx, later, "lote-2.json")
    assert [r["ok"] for r in res] == [False, False]
    assert res[0]["error"] == "chain_gap" and res[0]["missing"] == [1, 6]
    assert "importe antes el archivo anterior" in res[0]["message_es"]
    with live.store.read() as conn:
        assert conn.scalar(select(func.count()).select_from(events)) == 0
    assert all(r["ok"] for r in import_file(live.ctx, earlier, "lote-1.json"))
    assert all(r["ok"] for r in import_file(live.ctx, later, "lote-2.json"))
    st = live.client().get("/api/v1/stations/CATD01").json()
    assert st["head"]["seq"] == 10 and st["gap"] is None
