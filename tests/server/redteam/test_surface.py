"""Red team, the unauthenticated surface (issue 15, item 4), replayed against a
live server on loopback, SQLite and PostgreSQL: blobs through the image upload,
enrollment floods and id theft, junk batches, and JSON nested 10,000 deep."""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from prep_core.events import EventLog, Kind
from prep_core.signing import KeyPair
from prep_core.station_auth import signed_headers
from sync_server.db.tables import audit_log, enrollment_codes, events, images, stations
from sync_server.services import enrollment_codes as codes_service
from sync_server.services import refusals
from tests.server.helpers import (
    ADMIN,
    PASSWORD,
    Live,
    batch,
    digitalizacion_of,
    enroll_all,
    enrollment,
    images_for,
    issue_code,
    live_server,
    upload,
)

BLOB = 4 * 1024 * 1024
DEEP = b"[" * 10_000 + b"]" * 10_000


def count(live: Live, table: Any) -> int:
    with live.store.read() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def audit_actions(live: Live) -> list[str]:
    with live.store.read() as conn:
        return list(conn.scalars(select(audit_log.c.action).order_by(audit_log.c.seq)))


def console(live: Live) -> tuple[httpx.Client, str]:
    c = live.client()
    page = c.get("/console/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = c.post("/console/login", data={"username": ADMIN, "password": PASSWORD, "csrf": token})
    assert r.status_code == 303 and r.headers["location"] == "/console/"
    dash = c.get("/console/")
    return c, re.search(r'name="csrf-token" content="([^"]+)"', dash.text).group(1)  # type: ignore[union-attr]


@contextmanager
def counting_writes(live: Live, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Every write transaction taken while inside (the write lock), counted."""
    taken: list[int] = []
    real = live.ctx.store.write

    @contextmanager
    def write() -> Iterator[Any]:
        taken.append(1)
        with real() as conn:
            yield conn

    monkeypatch.setattr(live.ctx.store, "write", write)
    try:
        yield taken
    finally:
        monkeypatch.setattr(live.ctx.store, "write", real)


def blob(n: int = BLOB) -> tuple[str, bytes]:
    data = os.urandom(n)
    return hashlib.sha256(data).hexdigest(), data


# ------------------------------------------------------------------ images


def test_blob_upload_without_credentials(live: Live) -> None:
    sha, data = blob()
    with live.client() as c:
        r = c.put(f"/api/v1/images/{sha}", content=data)
        assert r.status_code == 401 and r.json()["error"] == "unsigned_request"
        # signed by a key of a station the server does not know
        target = f"/api/v1/images/{sha}"
        h = signed_headers(KeyPair.generate(), "CATD99", live.ctx.now(), "PUT", target)
        r = c.put(target, content=data, headers=h)
        assert r.status_code == 403 and r.json()["error"] == "unknown_station"
    assert count(live, images) == 0
    assert live.ctx.stats["refused_signed_request"] == 2


def test_blob_upload_by_approved_station_without_event(live: Live, night: Any) -> None:
    enroll_all(live.ctx, night.keys)
    key, other = night.keys["CATD01"], night.keys["CATD02"]
    evs = night.events["CATD01"]
    sha, data = blob()
    r = upload(live, "CATD01", key, sha, data)
    assert r.status_code == 403 and r.json()["error"] == "image_not_named", r.text
    # an event of the station that names another image
    dig = next(se for se in evs if se.event.kind is Kind.DIGITALIZACION)
    r = upload(live, "CATD01", key, sha, data, dig)
    assert r.status_code == 403 and r.json()["error"] == "image_not_named"
    # a digitalización naming the blob, but signed with another station's key
    forged = EventLog("CATD01", other, live.ctx.fingerprint)
    fake = forged.append(Kind.DIGITALIZACION, dig.event.clave_acta, dig.event.at, "x",
                         {**dig.event.payload, "image": sha})
    r = upload(live, "CATD01", key, sha, data, fake)
    assert r.status_code == 403 and r.json()["error"] == "image_not_named"
    # another station's genuine event, uploaded by that station: not its own event
    sha2, data2 = next(iter(images_for(evs[:4], night.images).items()))
    r = upload(live, "CATD02", other, sha2, data2, digitalizacion_of(evs, sha2))
    assert r.status_code == 403 and r.json()["error"] == "image_not_named"
    # a non-digitalización event that names the sha elsewhere
    r = upload(live, "CATD01", key, sha, data, evs[0])
    assert r.status_code == 403
    assert count(live, images) == 0
    # the real upload works, and after its batch, without the event too
    r = upload(live, "CATD01", key, sha2, data2, digitalizacion_of(evs, sha2))
    assert r.status_code == 201, r.text
    with live.store.read() as conn:
        assert conn.scalar(select(images.c.station).where(images.c.sha256 == sha2)) == "CATD01"
    part = evs[:4]
    with live.client() as c:
        r = c.post("/api/v1/batches", json=batch("CATD01", part, images_for(part, night.images)))
        assert r.status_code == 200, r.text
    assert upload(live, "CATD01", key, sha2, data2).status_code == 200
    # an already accepted event cannot name a new blob again
    r = upload(live, "CATD01", key, sha, data, digitalizacion_of(evs, sha2))
    assert r.status_code == 403


def test_image_quota_and_size_cap(db_url: str, catalog: Any, tmp_path: Any, night: Any) -> None:
    evs = night.events["CATD01"]
    imgs = images_for(evs, night.images)
    sizes = sorted(len(d) for d in imgs.values())
    quota = sizes[0] + sizes[1]  # room for two images, not three
    with live_server(db_url, catalog, tmp_path, image_quota_bytes=quota,
                     max_image_bytes=64 * 1024) as live:
        enroll_all(live.ctx, night.keys)
        key = night.keys["CATD01"]
        digs = [se for se in evs if se.event.kind is Kind.DIGITALIZACION]
        ordered = sorted(digs, key=lambda se: len(imgs[se.event.payload["image"]]))
        codes = []
        for se in ordered[:3]:
            sha = se.event.payload["image"]
            codes.append(upload(live, "CATD01", key, sha, imgs[sha], se))
        assert [r.status_code for r in codes[:2]] == [201, 201]
        assert codes[2].status_code == 413 and codes[2].json()["error"] == "image_quota"
        assert count(live, images) == 2
        # inline images in a batch count too: the station's batch over quota is refused
        part = evs[: evs.index(ordered[2]) + 1]
        with live.client() as c:
            r = c.post("/api/v1/batches", json=batch("CATD01", part, images_for(part, imgs)))
        assert r.status_code == 413 and r.json()["error"] == "image_quota", r.text
        assert count(live, events) == 0
        # the size cap: over max_image_bytes, refused before it is read whole
        sha, data = blob(65 * 1024 + 4096)
        r = upload(live, "CATD01", key, sha, data, ordered[3])
        assert r.status_code == 413 and r.json()["error"] == "body_too_large"
        sha, data = blob(65 * 1024)
        r = upload(live, "CATD01", key, sha, data, ordered[3])
        assert r.status_code == 413 and r.json()["error"] == "image_too_large"
        assert count(live, images) == 2


# ------------------------------------------------------------------ enrollment


def test_enrollment_flood_without_code(live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    before = audit_actions(live)
    t0 = time.perf_counter()
    with counting_writes(live, monkeypatch) as writes, live.client() as c:
        for i in range(100):
            doc = enrollment(f"FALSA{i:03d}", KeyPair.generate())
            if i % 2:
                doc["code"] = "ABCD-EFGH-JKMN-PQRS"  # a guess
            r = c.post("/api/v1/stations/enroll", json=doc)
            assert r.status_code == 403 and r.json()["error"] == "bad_enrollment_code"
    elapsed = time.perf_counter() - t0
    assert count(live, stations) == 1  # the server's own
    after = audit_actions(live)
    assert after[len(before):] == [refusals.ACTION]  # one summary line, not 100 entries
    c2, _ = console(live)
    listed = [s["station"] for s in c2.get("/console/api/stations").json()]
    assert not [s for s in listed if s.startswith("FALSA")]
    assert len(writes) == 1  # that summary: nothing else took the write lock
    assert live.ctx.stats["refused_enrollment"] == 100
    metrics = live.client().get("/metrics").text
    assert 'prep_refused_total{kind="enrollment"} 100' in metrics
    print(f"100 refused enrollment requests in {elapsed:.2f} s")


def test_code_issued_in_console_used_once(live: Live) -> None:
    c, csrf = console(live)
    r = c.post("/console/api/enrollment-codes",
               json={"role": "CCV", "label": "CCV 01", "scope": {"distritos": [1, 2]}})
    assert r.status_code == 403 and r.json()["error"] == "csrf"
    r = c.post("/console/api/enrollment-codes", headers={"X-CSRF-Token": csrf},
               json={"role": "CCV", "label": "CCV 01", "scope": {"distritos": [1, 2]}})
    assert r.status_code == 200, r.text
    issued = r.json()
    assert set(issued) == {"code", "expires_at", "role", "label"}
    code = issued["code"]
    assert re.fullmatch(r"([2-9A-HJKMNP-TV-Z]{4}-){3}[2-9A-HJKMNP-TV-Z]{4}", code)
    with live.store.read() as conn:  # only its hash is kept
        row = conn.execute(select(enrollment_codes)).one()
    assert row.code_hash == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
    assert code not in str(tuple(row))
    a, b = KeyPair.generate(), KeyPair.generate()
    with live.client() as s:
        r = s.post("/api/v1/stations/enroll", json=enrollment("CCV01", a, "CATD", code=code))
        assert r.status_code == 422 and r.json()["error"] == "role_mismatch"
        typed = code.lower().replace("-", " ")  # as a person may type it
        r = s.post("/api/v1/stations/enroll", json=enrollment("CCV01", a, "CCV", code=typed))
        assert r.status_code == 200, r.text
        info = r.json()
        assert info["status"] == "approved" and info["scope"] == {"distritos": [1, 2]}
        # the response was lost: the same request again answers the same
        again = s.post("/api/v1/stations/enroll", json=enrollment("CCV01", a, "CCV", code=code))
        assert again.status_code == 200 and again.json()["fingerprint"] == info["fingerprint"]
        # used once: another station cannot use it
        r = s.post("/api/v1/stations/enroll", json=enrollment("CCV02", b, "CCV", code=code))
        assert r.status_code == 403 and r.json()["error"] == "bad_enrollment_code"
    listed = c.get("/console/api/enrollment-codes").json()
    assert len(listed) == 1 and listed[0]["used_by"] == "CCV01"
    assert listed[0]["id"] == row.code_hash[:12] and "code" not in listed[0]
    assert count(live, stations) == 2
    assert "station_enrolled" in audit_actions(live)
    # an expired code
    late = issue_code(live.ctx, "CCV")
    live.ctx.clock.t += live.ctx.settings.enrollment_code_hours * 3_600_000 + 1  # type: ignore[attr-defined]
    with live.client() as s:
        r = s.post("/api/v1/stations/enroll", json=enrollment("CCV03", b, "CCV", code=late))
    assert r.status_code == 403 and r.json()["error"] == "bad_enrollment_code"
    assert count(live, stations) == 2


def test_real_station_id_cannot_be_taken(live: Live) -> None:
    real = KeyPair.generate()
    codes_service.enroll(live.ctx, enrollment("CATD01", real, code=issue_code(live.ctx)))
    thief = KeyPair.generate()
    with live.client() as c:
        r = c.post("/api/v1/stations/enroll", json=enrollment("CATD01", thief))
        assert r.status_code == 403
        code = issue_code(live.ctx)  # even with a valid code of its own
        r = c.post("/api/v1/stations/enroll", json=enrollment("CATD01", thief, code=code))
        assert r.status_code == 409 and r.json()["error"] == "station_exists"
        st = c.get("/api/v1/stations/CATD01").json()
    assert st["fingerprint"] == real.fingerprint and st["status"] == "approved"
    # the code was not used up by the refused request
    assert [x["used_by"] for x in codes_service.list_codes(live.ctx)].count(None) == 1


# ------------------------------------------------------------------ junk batches


def test_junk_batches_never_take_the_write_lock(
    live: Live, night: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    enroll_all(live.ctx, {"CATD01": night.keys["CATD01"]})
    enroll_all(live.ctx, {"CATD02": night.keys["CATD02"]}, approve=False)  # pending
    evs = night.events["CATD01"][:3]
    forged = EventLog("CATD01", KeyPair.generate(), live.ctx.fingerprint)
    fake = [forged.append(Kind.ACOPIO, se.event.clave_acta, se.event.at, "x", {}) for se in evs]
    junk = [
        batch("CATD01", fake),  # a real station's id, another key
        batch("CATD02", night.events["CATD02"][:2]),  # a station not approved
        batch("NADIE", fake),  # nobody
        {"station": "CATD01", "events": [{"event": {}, "sig": "x"}]},  # malformed
        {"station": "CATD01", "events": "no"},
    ]
    before = audit_actions(live)
    t0 = time.perf_counter()
    with counting_writes(live, monkeypatch) as writes, live.client() as c:
        for i in range(500):
            r = c.post("/api/v1/batches", json=junk[i % len(junk)])
            assert 400 <= r.status_code < 500, r.text
    elapsed = time.perf_counter() - t0
    assert len(writes) == 1  # one summary; no batch took the write lock
    added = audit_actions(live)[len(before):]
    assert added == [refusals.ACTION]
    assert count(live, events) == 0
    assert live.ctx.stats["refused_batch"] == 500
    # a minute later, the next refusal writes one summary of all the others
    live.ctx.clock.t += refusals.WINDOW_MS  # type: ignore[attr-defined]
    with live.client() as c:
        assert c.post("/api/v1/batches", json=junk[0]).status_code == 422
    with live.store.read() as conn:
        last = conn.execute(select(audit_log).order_by(audit_log.c.seq.desc()).limit(1)).one()
    assert last.action == refusals.ACTION and '"count":500' in last.detail
    # an authenticated station's refused batch keeps its own entry (a chain gap)
    with live.client() as c:
        part = night.events["CATD01"][3:5]
        r = c.post("/api/v1/batches", json=batch("CATD01", part, images_for(part, night.images)))
    assert r.status_code == 409 and r.json()["error"] == "chain_gap", r.text
    assert audit_actions(live)[-1] == "batch_rejected"
    print(f"500 junk batches refused in {elapsed:.2f} s")


# ------------------------------------------------------------------ deep JSON


def json_routes(live: Live) -> list[tuple[str, str]]:
    """(method, path) of every route that takes a body, path parameters filled:
    the API's (its OpenAPI) and the console's pages (not in the OpenAPI)."""
    from sync_server.console import routes as pages

    found = [
        (m.upper(), path)
        for path, ops in live.app.openapi()["paths"].items()
        for m in ops
        if m in ("post", "put", "patch")
    ]
    found += [
        (m, r.path) for r in pages.router.routes for m in getattr(r, "methods", ()) or ()
        if m in ("POST", "PUT", "PATCH")
    ]
    out = []
    for m, path in found:
        path = re.sub(r"\{sha256\}", "0" * 64, path)
        path = re.sub(r"\{[a-z_]*id\}", "1", path)
        out.append((m, re.sub(r"\{[a-z_]+\}", "approve", path)))
    return out


def test_deep_json_on_every_route(live: Live, night: Any) -> None:
    enroll_all(live.ctx, night.keys)
    c, csrf = console(live)
    routes = json_routes(live)
    assert ("POST", "/api/v1/batches") in routes
    assert ("POST", "/api/v1/stations/enroll") in routes
    assert ("POST", "/console/api/enrollment-codes") in routes
    assert ("POST", "/console/import") in routes
    for method, path in routes:
        for ctype in ("application/json", "text/plain", None):
            headers = {"X-CSRF-Token": csrf}
            if ctype:
                headers["Content-Type"] = ctype
            r = c.request(method, path, content=DEEP, headers=headers)
            assert 400 <= r.status_code < 500, (method, path, ctype, r.status_code, r.text)
    for path in ("/api/v1/batches", "/api/v1/stations/enroll", "/console/api/enrollment-codes",
                 "/console/api/conflicts/1/resolve"):
        body = DEEP if "enroll" not in path else b"[" * 3000 + b"]" * 3000  # under 8 KiB
        r = c.post(path, content=body, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 400 and r.json()["error"] == "json_too_deep", path
    # deep inside a valid-looking batch, past the limit but far from 10,000
    deep_batch = b'{"station":"CATD01","events":[' + b"[" * 40 + b"]" * 40 + b"]}"
    r = c.post("/api/v1/batches", content=deep_batch)
    assert r.status_code == 400 and r.json()["error"] == "json_too_deep"
    # brackets inside strings do not count
    r = c.post("/api/v1/batches", json={"station": "[" * 5000, "events": []})
    assert r.status_code == 422
    # the USB import of the console: the file's JSON
    r = c.post("/console/import", data={"csrf": csrf},
               files={"file": ("lote.json", DEEP, "application/json")})
    assert r.status_code == 200 and "anidado a más de" in r.text
    assert count(live, events) == 0


def test_enrollment_body_limit(live: Live) -> None:
    doc = enrollment("CATD01", KeyPair.generate(), code="x")
    doc["name"] = "x" * (live.ctx.settings.enroll_body_bytes + 1)
    with live.client() as c:
        r = c.post("/api/v1/stations/enroll", json=doc)
    assert r.status_code == 413 and r.json()["error"] == "body_too_large"
