"""Bad input: each a clear 4xx with its reason, and nothing stored partially."""

from __future__ import annotations

import base64
import copy
import hashlib
from typing import Any

import pytest
from sqlalchemy import func, select

from prep_core.events import EventLog, Kind
from prep_core.signing import KeyPair
from sync_server.db.tables import actas, batches, events, images
from sync_server.db.tables import stations as stations_t
from sync_server.services import stations
from tests.server.helpers import (
    batch,
    digitalizacion_of,
    enroll_all,
    images_for,
    live_server,
    upload,
)


def counts(live) -> dict[str, int]:
    with live.store.read() as conn:
        return {
            t.name: conn.scalar(select(func.count()).select_from(t))
            for t in (events, images, actas, batches)
        }


def refused(r, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    doc = r.json()
    assert doc["error"] == code, doc
    assert doc["detail"]
    return doc


@pytest.fixture
def ready(live, night):  # type: ignore[no-untyped-def]
    enroll_all(live.ctx, night.keys)
    evs = night.events["CATD01"][:8]
    return live, evs, images_for(evs, night.images)


def test_tampered_signature_rejects_whole_batch(ready) -> None:
    live, evs, imgs = ready
    doc = batch("CATD01", evs, imgs)
    sig = bytearray(base64.b64decode(doc["events"][5]["sig"]))
    sig[0] ^= 1
    doc["events"][5]["sig"] = base64.b64encode(bytes(sig)).decode()
    before = counts(live)
    d = refused(live.client().post("/api/v1/batches", json=doc), 422, "bad_signature")
    assert d["index"] == 5
    assert counts(live) == before


def test_tampered_body_rejects(ready) -> None:
    live, evs, imgs = ready
    doc = batch("CATD01", evs, imgs)
    doc["events"][3]["event"]["at"] += 1
    before = counts(live)
    d = refused(live.client().post("/api/v1/batches", json=doc), 422, "bad_signature")
    assert d["index"] == 3
    assert counts(live) == before


def test_unknown_station(live, night) -> None:
    evs = night.events["CATD01"][:3]
    r = live.client().post(
        "/api/v1/batches", json=batch("CATD01", evs, images_for(evs, night.images))
    )
    refused(r, 403, "unknown_station")
    assert counts(live)["events"] == 0


def test_revoked_station(ready) -> None:
    live, evs, imgs = ready
    stations.decide(live.ctx, "CATD01", False, "tests")
    refused(
        live.client().post("/api/v1/batches", json=batch("CATD01", evs, imgs)),
        403,
        "station_revoked",
    )
    assert counts(live)["events"] == 0


def test_fork_of_accepted_number(ready, night) -> None:
    live, evs, imgs = ready
    c = live.client()
    assert c.post("/api/v1/batches", json=batch("CATD01", evs[:4], imgs)).status_code == 200
    log = EventLog("CATD01", night.keys["CATD01"], evs[0].event.catalog)
    log.seq, log.last_hash = 1, evs[0].hash
    forged = log.append(Kind.ACOPIO, evs[1].event.clave_acta, 5, "otro", {})
    before = counts(live)
    d = refused(c.post("/api/v1/batches", json=batch("CATD01", [forged])), 409, "chain_fork")
    assert d["index"] == 0
    assert counts(live) == before


def test_chain_gap(ready) -> None:
    live, evs, imgs = ready
    c = live.client()
    assert c.post("/api/v1/batches", json=batch("CATD01", evs[:2], imgs)).status_code == 200
    before = counts(live)
    d = refused(c.post("/api/v1/batches", json=batch("CATD01", evs[4:], imgs)), 409, "chain_gap")
    assert d["index"] == 0 and d["missing"] == [3, 4]
    assert counts(live) == before
    with live.store.read() as conn:
        row = conn.execute(select(stations_t).where(stations_t.c.id == "CATD01")).one()
    assert (row.last_seq, row.gap_first, row.gap_last, row.gap_events) == (2, 3, 4, 4)


def test_broken_link(ready, night) -> None:
    live, evs, _imgs = ready
    log = EventLog("CATD01", night.keys["CATD01"], evs[0].event.catalog)
    log.seq, log.last_hash = 1, "f" * 64  # seq 2 that does not link to seq 1
    bad = log.append(Kind.ACOPIO, evs[1].event.clave_acta, evs[1].event.at, "otro", {})
    before = counts(live)
    d = refused(
        live.client().post("/api/v1/batches", json=batch("CATD01", [evs[0], bad])),
        422,
        "chain_broken",
    )
    assert d["index"] == 1
    assert counts(live) == before


def test_other_catalog(ready, night) -> None:
    live, evs, _ = ready
    log = EventLog("CATD01", night.keys["CATD01"], "a" * 64)
    se = log.append(Kind.ACOPIO, evs[0].event.clave_acta, 5, "op", {})
    d = refused(
        live.client().post("/api/v1/batches", json=batch("CATD01", [se])), 409, "catalog_mismatch"
    )
    assert d["index"] == 0
    assert counts(live)["events"] == 0


def test_image_not_matching_hash(ready, night) -> None:
    live, evs, imgs = ready
    wrong = {sha: data + b"x" for sha, data in imgs.items()}
    before = counts(live)
    refused(
        live.client().post("/api/v1/batches", json=batch("CATD01", evs, wrong)),
        422,
        "image_hash_mismatch",
    )
    sha = next(iter(imgs))
    key, dig = night.keys["CATD01"], digitalizacion_of(evs, sha)
    refused(upload(live, "CATD01", key, sha, b"other bytes", dig), 422, "image_hash_mismatch")
    assert counts(live) == before


def test_image_missing(ready) -> None:
    live, evs, _ = ready
    d = refused(
        live.client().post("/api/v1/batches", json=batch("CATD01", evs)), 422, "image_missing"
    )
    assert evs[d["index"]].event.kind is Kind.DIGITALIZACION
    assert counts(live)["events"] == 0


def test_malformed_json(live) -> None:
    r = live.client().post(
        "/api/v1/batches",
        content=b'{"station": "X", "events": [',
        headers={"Content-Type": "application/json"},
    )
    refused(r, 400, "malformed_json")
    refused(
        live.client().post("/api/v1/stations/enroll", content=b"\xff\xfe"), 400, "malformed_json"
    )


@pytest.mark.parametrize(
    "mutate, code",
    [
        (lambda d: d.update(station=7), "bad_station"),
        (lambda d: d.update(events="nope"), "bad_events"),
        (lambda d: d.update(events=[]), "bad_events"),
        (lambda d: d["events"][0]["event"].update(seq="1"), "invalid_event"),
        (lambda d: d["events"][0]["event"].update(kind="voto"), "invalid_event"),
        (lambda d: d["events"][0].update(sig=12), "invalid_event"),
        (lambda d: d["events"][0]["event"]["payload"].update(x=1.5), "invalid_event"),
        (lambda d: d.update(extra=True), "bad_fields"),
        (lambda d: d.update(images=[1]), "bad_images"),
        (lambda d: d["events"][1]["event"].update(station="CATD02"), "wrong_station"),
        (lambda d: d["events"][2]["event"].update(seq=2**64), "invalid_event"),
        (lambda d: d["events"][2]["event"].update(at=2**70), "invalid_event"),
    ],
)
def test_wrong_types(ready, mutate, code) -> None:
    live, evs, imgs = ready
    doc = copy.deepcopy(batch("CATD01", evs, imgs))
    mutate(doc)
    before = counts(live)
    refused(live.client().post("/api/v1/batches", json=doc), 422, code)
    assert counts(live) == before


def test_resolution_only_from_server(ready, night) -> None:
    live, evs, _ = ready
    log = EventLog("CATD01", night.keys["CATD01"], evs[0].event.catalog)
    se = log.append(
        Kind.RESOLUCION, evs[0].event.clave_acta, 5, "op", {"action": "recapture", "reason": "x"}
    )
    refused(
        live.client().post("/api/v1/batches", json=batch("CATD01", [se])),
        403,
        "resolution_from_station",
    )


def test_enrollment_with_wrong_key_proof(live) -> None:
    from tests.server.helpers import enrollment, issue_code

    code = issue_code(live.ctx)
    doc = enrollment("CATD09", KeyPair.generate(), code=code)
    doc["public_key"] = base64.b64encode(KeyPair.generate().public_bytes).decode()
    refused(live.client().post("/api/v1/stations/enroll", json=doc), 422, "bad_signature")
    bad = {"station": 1, "code": code}
    refused(live.client().post("/api/v1/stations/enroll", json=bad), 422, "bad_fields")
    # without a code, the shape is not even looked at
    refused(live.client().post("/api/v1/stations/enroll", json={"station": 1}), 403,
            "bad_enrollment_code")


def test_huge_body(catalog, tmp_path, night) -> None:
    with live_server(
        f"sqlite:///{tmp_path / 'h.db'}", catalog, tmp_path, max_body_bytes=50_000
    ) as live:
        c = live.client()
        big = b'{"station":"CATD01","events":[' + b" " * 60_000 + b"]}"
        refused(
            c.post("/api/v1/batches", content=big, headers={"Content-Type": "application/json"}),
            413,
            "body_too_large",
        )

        def chunks():  # no Content-Length: the limit applies while reading
            for _ in range(20):
                yield b" " * 5_000

        refused(
            c.post(
                "/api/v1/batches", content=chunks(), headers={"Content-Type": "application/json"}
            ),
            413,
            "body_too_large",
        )
        sha = hashlib.sha256(b"x" * 60_000).hexdigest()
        refused(c.put(f"/api/v1/images/{sha}", content=b"x" * 60_000), 413, "body_too_large")
        assert counts(live)["images"] == 0


def test_large_batch_verified_in_parallel(live, catalog) -> None:
    """Batches over PARALLEL_FROM events are verified in worker processes."""
    from sync_server.services.chain import PARALLEL_FROM
    from tests.server.helpers import enrollment

    key = KeyPair.generate()
    stations.request_enrollment(live.ctx, enrollment("CATD50", key))
    stations.decide(live.ctx, "CATD50", True, "tests")
    log = EventLog("CATD50", key, catalog.fingerprint)
    claves = [a.clave_acta for a in catalog.expected_actas()]
    evs = [
        log.append(Kind.ACOPIO, claves[i % len(claves)], 1_717_380_000_000 + i, "op", {})
        for i in range(PARALLEL_FROM + 100)
    ]
    doc = batch("CATD50", evs)
    good_sig = doc["events"][300]["sig"]
    doc["events"][300]["sig"] = doc["events"][299]["sig"]
    before = counts(live)
    d = refused(live.client().post("/api/v1/batches", json=doc), 422, "bad_signature")
    assert d["index"] == 300
    assert counts(live) == before
    doc["events"][300]["sig"] = good_sig
    r = live.client().post("/api/v1/batches", json=doc)
    assert r.status_code == 200, r.text
    assert r.json()["receipt"]["new"] == len(evs)
