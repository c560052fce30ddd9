"""The station API end to end on a live uvicorn (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from prep_core.derive import derive_actas
from prep_core.signing import unb64
from sync_server.db.tables import actas, events, held_events
from sync_server.services.receipts import verify_receipt
from tests.server.helpers import batch, enroll_all, enrollment, images_for


def test_enroll_approve_ingest_and_derive(live, night) -> None:
    c = live.client()
    for name, key in night.keys.items():
        r = c.post("/api/v1/stations/enroll", json=enrollment(name, key))
        assert r.status_code == 202, r.text
        assert r.json()["status"] == "pending"
    r = c.post("/api/v1/batches", json=batch("CATD01", night.events["CATD01"][:3]))
    assert r.status_code == 403 and r.json()["error"] == "station_not_approved"
    from sync_server.services import stations

    for name in night.keys:
        stations.decide(live.ctx, name, True, "tests")
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
            assert rec["receipt"]["held"] == []
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


def test_gap_is_held_then_accepted_when_filled(live, night) -> None:
    enroll_all(live.ctx, night.keys)
    c = live.client()
    evs = night.events["CATD01"][:12]
    imgs = images_for(evs, night.images)
    r = c.post("/api/v1/batches", json=batch("CATD01", evs[:4], imgs))
    assert r.status_code == 200
    r = c.post("/api/v1/batches", json=batch("CATD01", evs[7:], imgs))
    assert r.status_code == 202, r.text
    rec = r.json()["receipt"]
    assert rec["held"] == [e.event.seq for e in evs[7:]]
    assert rec["missing"] == [5, 7]
    assert rec["head"]["seq"] == 4
    st = c.get("/api/v1/stations/CATD01").json()
    assert st["held"] == len(evs[7:])
    r = c.post("/api/v1/batches", json=batch("CATD01", evs[4:7], imgs))
    assert r.status_code == 200, r.text
    assert r.json()["receipt"]["head"]["seq"] == 12
    with live.store.read() as conn:
        assert conn.scalar(select(func.count()).select_from(held_events)) == 0
        assert conn.scalar(select(func.count()).select_from(events)) == 12


def test_image_upload_by_hash(live, night) -> None:
    enroll_all(live.ctx, night.keys)
    c = live.client()
    evs = night.events["CATD01"][:6]
    for sha, data in images_for(evs, night.images).items():
        r = c.put(f"/api/v1/images/{sha}", content=data)
        assert r.status_code == 201, r.text
        assert c.put(f"/api/v1/images/{sha}", content=data).status_code == 200
    r = c.post("/api/v1/batches", json=batch("CATD01", evs))
    assert r.status_code == 200, r.text
    assert json.loads(r.text)["receipt"]["new"] == 6
