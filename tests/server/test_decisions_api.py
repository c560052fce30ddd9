"""The server's signed decisions for the stations, over signed requests, against a
live server (SQLite and PostgreSQL): every resolution, in order, page by page
from a cursor, exactly as signed; decisions on actas outside the catalog are
skipped; the USB receipts file carries them too; every bad request refused."""

from __future__ import annotations

from prep_core.events import EventLog, Kind, signed_from_wire
from prep_core.signing import KeyPair
from prep_core.station_auth import signed_headers
from sync_server.db.tables import conflicts
from sync_server.services import ingest, offline, resolutions, stations
from tests.server.helpers import batch, conflict_night, enroll_all, enrollment, readings_for

OUTSIDE = "999999Z99996"  # a clave that is in no catalog


def _get(live, station: str, key: KeyPair, target: str, **headers):  # type: ignore[no-untyped-def]
    h = signed_headers(key, station, live.ctx.now(), "GET", target)
    h.update(headers)
    with live.client() as c:
        return c.get(target, headers=h)


def _outside_conflict(live, catalog, t: int) -> None:  # type: ignore[no-untyped-def]
    """Two stations disagree on an acta outside the catalog (the server keeps it
    apart, never counted, but it can reach the queue)."""
    some = catalog.expected_actas("DIP_LOC")[0].clave_acta
    for sid, base in (("CCV71", 10), ("CCV72", 20)):
        key = KeyPair.generate()
        stations.request_enrollment(live.ctx, enrollment(sid, key, "CCV"))
        stations.decide(live.ctx, sid, True, "tests")
        log = EventLog(sid, key, catalog.fingerprint)
        ev = log.append(Kind.CAPTURA, OUTSIDE, t, "op", {
            "source": f"operator:{sid}:op", "values": readings_for(catalog, some, base)})
        ingest.ingest(live.ctx, batch(sid, [ev]))


def test_decisions_page_by_page_and_in_the_usb_file(live, catalog) -> None:
    n = conflict_night(catalog, n=3)
    enroll_all(live.ctx, n.keys)
    for name, evs in n.events.items():
        ingest.ingest(live.ctx, batch(name, evs, n.images))
    _outside_conflict(live, catalog, 1_717_390_000_000)
    with live.store.read() as conn:
        queue = {r.clave_acta: r.id
                 for r in conn.execute(conflicts.select().where(conflicts.c.closed_at.is_(None)))}
    assert OUTSIDE in queue and len(queue) == 4
    inside = sorted(c for c in queue if c != OUTSIDE)
    plan = [(inside[0], "rescan", None), (OUTSIDE, "recapture", None),
            (inside[1], "recapture", None), (inside[2], "choose", 0)]
    made = []
    for clave, action, reading in plan:
        made.append(resolutions.resolve(live.ctx, queue[clave], action, reading, "cotejo", "coord"))
    wanted = [m["event"] for m, (clave, _, _) in zip(made, plan, strict=True) if clave != OUTSIDE]

    server_key = live.ctx.key.public_bytes
    catd = n.keys["CATD01"]
    got, after, pages = [], 0, 0
    while True:
        r = _get(live, "CATD01", catd, f"/api/v1/decisions?after={after}&limit=2")
        assert r.status_code == 200, r.text
        doc = r.json()
        assert doc["server"] == "SERVIDOR" and doc["catalog"] == catalog.fingerprint
        assert doc["head"] == 4 and doc["after"] == after
        got += doc["items"]
        after, pages = doc["next"], pages + 1
        if not doc["more"]:
            break
    assert pages == 2 and after == 4
    assert got == wanted  # oldest first, the outside acta skipped, exactly as signed
    for wire in got:
        se = signed_from_wire(wire)
        se.verify(server_key)
        assert se.event.station == "SERVIDOR" and se.event.kind is Kind.RESOLUCION
    assert [signed_from_wire(w).event.payload["action"] for w in got] == [
        "rescan", "recapture", "choose"]
    # caught up: nothing more; another station (a CCV) reads the same chain
    r = _get(live, "CATD01", catd, "/api/v1/decisions?after=4")
    assert r.status_code == 200 and r.json()["items"] == [] and not r.json()["more"]
    r = _get(live, "CCV01", n.keys["CCV01"], "/api/v1/decisions")
    assert r.status_code == 200 and r.json()["items"] == wanted and r.json()["next"] == 4

    # the USB receipts file carries the same decisions
    doc = offline.receipts_file(live.ctx, "CATD01")
    assert doc["format"] == "prep-receipts/1" and doc["decisions"] == wanted
    assert doc["receipts"]


def test_bad_decision_requests_are_refused(live, catalog) -> None:
    keys = {s: KeyPair.generate() for s in ("CATD01", "CAS01", "CCV05")}
    for s, role in (("CATD01", "CATD"), ("CAS01", "CASILLA"), ("CCV05", "CCV")):
        stations.request_enrollment(live.ctx, enrollment(s, keys[s], role))
    for s in ("CATD01", "CAS01"):
        stations.decide(live.ctx, s, True, "tests")
    path = "/api/v1/decisions?after=0&limit=10"
    assert _get(live, "CATD01", keys["CATD01"], path).status_code == 200
    assert _get(live, "CAS01", keys["CAS01"], path).status_code == 200  # every role

    def err(r, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
        assert r.status_code == status, r.text
        doc = r.json()
        assert doc["error"] == code and doc["message_es"] and doc["message_en"], doc

    with live.client() as c:
        err(c.get(path), 401, "unsigned_request")
    err(_get(live, "CATD01", KeyPair.generate(), path), 401, "bad_signature")
    h = signed_headers(keys["CATD01"], "CATD01", live.ctx.now(), "GET", path)
    with live.client() as c:  # signed for another cursor
        err(c.get("/api/v1/decisions?after=3&limit=10", headers=h), 401, "bad_signature")
    err(_get(live, "CATD01", keys["CATD01"], path, **{"X-Prep-At": "1"}), 401, "stale_request")
    err(_get(live, "CATD99", KeyPair.generate(), path), 403, "unknown_station")
    err(_get(live, "SERVIDOR", live.ctx.key, path), 403, "unknown_station")
    err(_get(live, "CCV05", keys["CCV05"], path), 403, "not_approved")
    stations.decide(live.ctx, "CAS01", False, "tests")
    err(_get(live, "CAS01", keys["CAS01"], path), 403, "revoked")
    for bad in ("after=-1", "limit=0", "limit=501", "after=x", "after=99999999999999999999"):
        r = _get(live, "CATD01", keys["CATD01"], f"/api/v1/decisions?{bad}")
        assert r.status_code == 422, (bad, r.text)
