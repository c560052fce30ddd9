"""The console over HTTP: login, CSRF, JSON views, approvals, conflict resolution,
USB import, audit verification."""

from __future__ import annotations

import json
import re
import time

import httpx
import pytest
from sqlalchemy import select

from prep_core.events import Kind, signed_from_wire
from prep_core.signing import unb64
from sync_server.db.tables import actas, conflicts
from sync_server.services import audit, ingest, stations
from tests.server.helpers import ADMIN, PASSWORD, batch, conflict_night, enroll_all, enrollment


def login(c: httpx.Client, password: str = PASSWORD) -> str:
    page = c.get("/console/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = c.post("/console/login", data={"username": ADMIN, "password": password, "csrf": token})
    assert r.status_code == 303
    if r.headers["location"] != "/console/":
        return ""
    dash = c.get("/console/")
    return re.search(r'name="csrf-token" content="([^"]+)"', dash.text).group(1)


def test_login_required_and_wrong_password(live) -> None:
    c = live.client()
    r = c.get("/console/")
    assert r.status_code == 303 and r.headers["location"] == "/console/login"
    assert c.get("/console/api/summary").status_code == 401
    assert login(c, "mala-contraseña") == ""
    r = c.post("/console/login", data={"username": ADMIN, "password": PASSWORD, "csrf": "x"})
    assert r.status_code == 403
    with live.store.read() as conn:
        actions = [e["action"] for e in audit.recent(conn)]
    assert "login_failed" in actions


def test_login_throttled_after_repeated_failures(live) -> None:
    c = live.client()
    for _ in range(3):
        assert login(c, "mala-contraseña") == ""
    page = c.get("/console/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = c.post("/console/login", data={"username": ADMIN, "password": PASSWORD, "csrf": token})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert "demasiados intentos" in r.text
    assert c.get("/console/api/summary").status_code == 401
    with live.store.read() as conn:
        actions = [e["action"] for e in audit.recent(conn)]
    assert actions.count("login_failed") == 3 and "login_throttled" in actions


def test_dashboard_and_approval_with_csrf(live, night) -> None:
    c = live.client()
    csrf = login(c)
    assert csrf
    # a request brought on USB stays pending until a coordinator approves it
    stations.request_enrollment(live.ctx, enrollment("CATD01", night.keys["CATD01"]))
    r = c.post("/console/api/stations/CATD01/approve")
    assert r.status_code == 403 and r.json()["error"] == "csrf"
    r = c.post("/console/api/stations/CATD01/approve", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    evs = night.events["CATD01"]
    from tests.server.helpers import images_for

    assert (
        c.post(
            "/api/v1/batches", json=batch("CATD01", evs, images_for(evs, night.images))
        ).status_code
        == 200
    )
    s = c.get("/console/api/summary").json()
    dip = next(e for e in s["elections"] if e["id"] == "DIP_LOC")
    assert dip["totals"]["acopiadas"] > 0 and dip["totals"]["esperadas"] == 24
    assert sum(d["esperadas"] for d in dip["demarcaciones"]) == 24
    p = c.get("/console/api/progress").json()
    assert p["series"]["acopiadas"][-1] == dip["totals"]["acopiadas"]
    st = {x["station"]: x for x in c.get("/console/api/stations").json()}
    assert st["CATD01"]["head"]["seq"] == len(evs) and st["CATD01"]["last_contact"]
    a = c.get("/console/api/audit").json()
    assert a["ok"] and any(e["action"] == "station_approved" for e in a["recent"])
    for page in ("/console/stations", "/console/conflicts", "/console/audit", "/console/import"):
        assert c.get(page).status_code == 200
    assert "Tablero" in c.get("/console/").text
    c.get("/console/lang?to=en&next=/console/")
    assert "Dashboard" in c.get("/console/").text


@pytest.mark.parametrize("is_conflict", [True, False])
def test_resolve_queue_entry(live, catalog, is_conflict) -> None:
    n = conflict_night(catalog, conflict=is_conflict)
    enroll_all(live.ctx, n.keys)
    for name, evs in n.events.items():
        ingest.ingest(live.ctx, batch(name, evs, n.images))
    c = live.client()
    csrf = login(c)
    queue = c.get("/console/api/conflicts").json()
    assert len(queue) == 1
    q = queue[0]
    assert q["kind"] == ("conflicto" if is_conflict else "discrepancia")
    assert len(q["readings"]) == 2 and q["disputed"]
    h = {"X-CSRF-Token": csrf}
    bad = c.post(
        f"/console/api/conflicts/{q['id']}/resolve",
        json={"action": "choose", "reason": ""},
        headers=h,
    )
    assert bad.status_code == 422
    body = (
        {"action": "choose", "reading": 1, "reason": "cotejo con la imagen"}
        if is_conflict
        else {"action": "recapture", "reason": "capturas distintas"}
    )
    r = c.post(f"/console/api/conflicts/{q['id']}/resolve", json=body, headers=h)
    assert r.status_code == 200, r.text
    se = signed_from_wire(r.json()["event"])
    assert se.event.kind is Kind.RESOLUCION and se.event.operator == ADMIN
    se.verify(unb64(c.get("/api/v1/server").json()["public_key"], "k"))
    assert c.get("/console/api/conflicts").json() == []
    again = c.post(f"/console/api/conflicts/{q['id']}/resolve", json=body, headers=h)
    assert again.status_code == 409
    with live.store.read() as conn:
        row = conn.execute(select(actas).where(actas.c.clave_acta == q["clave_acta"])).one()
        closed = conn.execute(select(conflicts).where(conflicts.c.id == q["id"])).one()
    assert closed.resolution == se.hash and closed.resolved_by == ADMIN
    if is_conflict:
        assert row.status == "verificada"
        assert json.loads(row.state)["reading"] == q["readings"][1]
    else:
        assert row.status == "digitalizada"
    page = c.get(f"/console/actas/{q['clave_acta']}").text
    assert "resolucion" in page and page.count('class="k-captura"') >= 2  # history kept
    img = c.get(f"/console/images/{next(iter(n.images))}")
    assert img.status_code == 200 and img.content == next(iter(n.images.values()))


def test_usb_import(live, night) -> None:
    from tests.server.helpers import images_for

    c = live.client()
    csrf = login(c)
    enroll = {"format": "prep-enrollment/1", **enrollment("CATD01", night.keys["CATD01"])}
    r = c.post(
        "/console/import",
        data={"csrf": csrf},
        files={"file": ("alta.json", json.dumps(enroll).encode(), "application/json")},
    )
    assert r.status_code == 200 and 'class="ok"' in r.text
    c.post("/console/api/stations/CATD01/approve", headers={"X-CSRF-Token": csrf})
    evs = night.events["CATD01"]
    good = batch("CATD01", evs[:5], images_for(evs[:5], night.images))
    bad = batch("CATD01", evs[5:8])
    bad["events"][0]["sig"] = good["events"][0]["sig"]
    f = {"format": "prep-batch-file/1", "batches": [good, bad]}
    r = c.post(
        "/console/import",
        data={"csrf": csrf},
        files={"file": ("lote.json", json.dumps(f).encode(), "application/json")},
    )
    assert r.status_code == 200
    assert r.text.count('class="ok"') == 1 and r.text.count('class="bad"') == 1
    r = c.post(
        "/console/import",
        data={"csrf": "wrong"},
        files={"file": ("lote.json", b"{}", "application/json")},
    )
    assert r.status_code == 403
    assert c.get("/api/v1/stations/CATD01").json()["head"]["seq"] == 5


def test_audit_chain_detects_tampering(live, night) -> None:
    enroll_all(live.ctx, night.keys)
    with live.store.read() as conn:
        check = audit.verify_audit(conn)
    assert check.ok and check.entries >= 9
    from sync_server.db.tables import audit_log

    with live.store.write() as conn:
        conn.execute(audit_log.update().where(audit_log.c.seq == 3).values(actor="intruso"))
    with live.store.read() as conn:
        check = audit.verify_audit(conn)
    assert not check.ok and "seq 3" in check.errors[0]


def test_cut_builds_csv_and_audits(live, night) -> None:
    from tests.server.helpers import images_for

    enroll_all(live.ctx, night.keys)
    for name, evs in night.events.items():
        ingest.ingest(live.ctx, batch(name, evs, images_for(evs, night.images)))
    c = live.client()
    csrf = login(c)
    assert c.post("/console/api/cuts").status_code == 403
    made = c.post("/console/api/cuts", headers={"X-CSRF-Token": csrf}).json()
    dip = next(m for m in made if m["election_id"] == "DIP_LOC")
    with live.store.read() as conn:
        counted = conn.scalar(select(actas.c.clave_acta).where(actas.c.contabilizada == 1).limit(1))
        n_counted = len(
            conn.execute(
                select(actas.c.clave_acta).where(
                    actas.c.contabilizada == 1, actas.c.election_id == "DIP_LOC"
                )
            ).all()
        )
    assert counted and int(dip["figures"]["ACTAS_CONTABILIZADAS"]) == n_counted
    listed = c.get("/console/api/cuts").json()
    assert {x["id"] for x in listed} >= {m["id"] for m in made}
    csv = c.get(f"/console/cuts/{dip['id']}.csv")
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    import hashlib

    assert hashlib.sha256(csv.content).hexdigest() == dip["sha256"]
    assert c.get("/console/cuts/999.csv").status_code == 404
    a = c.get("/console/api/audit").json()
    assert a["ok"] and any(e["action"] == "cut" for e in a["recent"])
    _check_publication(live.ctx.settings.publish_path, csv.content, n_counted)


def _check_publication(root, csv_bytes: bytes, n_counted: int) -> None:
    """The published folder: zips listed in SHA256SUMS, the cut's CSV inside the
    zip, and every image named by the SHA-256 of its bytes."""
    import hashlib
    import io
    import zipfile

    latest = json.loads((root / "ultimo.json").read_text(encoding="utf-8"))
    folder = root / "cortes" / latest["corte"]
    sums = dict(
        reversed(line.split("  ")) for line in (folder / "SHA256SUMS").read_text().splitlines()
    )
    # two zips, their two CSVs and the signed audit head
    assert len(sums) == 5 and "auditoria.json" in sums and "DIP_LOC.csv" in sums
    assert set(latest["archivos"]) == {
        f"cortes/{latest['corte']}/{n}" for n in sums
    }
    for name, digest in sums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    dip_zip = next(n for n in sums if n.startswith("DIP_LOC") and n.endswith(".zip"))
    with zipfile.ZipFile(io.BytesIO((folder / dip_zip).read_bytes())) as z:
        member = next(m for m in z.namelist() if m.endswith("/DIP_LOC.csv"))
        assert z.read(member) == csv_bytes
    imgs = list((root / "imagenes").glob("*/*"))
    assert len(imgs) == latest["imagenes"] >= n_counted > 0
    for p in imgs:
        assert hashlib.sha256(p.read_bytes()).hexdigest() == p.stem


def test_scheduled_cuts_are_taken_and_published(live, night) -> None:
    from sync_server.services.scheduler import CutScheduler
    from tests.server.helpers import images_for

    enroll_all(live.ctx, night.keys)
    for name, evs in night.events.items():
        ingest.ingest(live.ctx, batch(name, evs, images_for(evs, night.images)))
    sched = CutScheduler(live.ctx, every_ms=150)
    sched.start()
    try:
        deadline = time.monotonic() + 60
        while sched.taken < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        sched.stop()
    assert sched.taken >= 2 and not sched.is_alive()
    root = live.ctx.settings.publish_path
    assert len([p for p in (root / "cortes").iterdir() if p.name != "actual"]) == sched.taken
    with live.store.read() as conn:
        actors = [e["actor"] for e in audit.recent(conn) if e["action"] == "cut"]
    assert actors and all(a == "user:programado" for a in actors)


def test_certificates_in_the_console(live, night) -> None:
    """A coordinator certifies the puesta en ceros from the console, sees it (signature
    checked, code hash, stations), cannot issue it twice, downloads it as published;
    the closing certificate of a final cut shows beside it; a changed file shows as
    not valid."""
    enroll_all(live.ctx, {"CATD01": night.keys["CATD01"]})
    c = live.client()
    csrf = login(c)
    dash = c.get("/console/").text
    assert 'id="issue-zero"' in dash and 'id="no-certificates"' in dash
    h = {"X-CSRF-Token": csrf}
    r = c.post("/console/api/certificates/puesta-en-ceros", headers=h)
    assert r.status_code == 200, r.text
    issued = r.json()
    assert issued["archivo"] == "certificados/puesta-en-ceros.json"
    assert [s["id"] for s in issued["estaciones"]] == ["CATD01"]
    published = live.ctx.settings.publish_path / issued["archivo"]
    assert c.get("/console/certificados/puesta-en-ceros.json").content == published.read_bytes()
    dash = c.get("/console/").text
    assert 'id="issue-zero"' not in dash  # issued: no button any more
    row = re.search(r'<tr data-certificate="puesta_en_ceros">(.*?)</tr>', dash, re.S).group(1)
    assert "válida (llave del servidor)" in row and "estaciones aprobadas: 1" in row
    assert issued["codigo"][:16] in row and issued["sha256"][:16] in row
    again = c.post("/console/api/certificates/puesta-en-ceros", headers=h)
    assert again.status_code == 409 and again.json()["error"] == "zero_issued"
    assert published.read_bytes() == c.get("/console/certificados/puesta-en-ceros.json").content
    # a final cut brings the closing certificate, shown with the cut it closes
    made = c.post("/console/api/cuts?final=true", headers=h).json()
    closing = made[0]["cierre"]
    dash = c.get("/console/").text
    row = re.search(r'<tr data-certificate="cierre">(.*?)</tr>', dash, re.S).group(1)
    assert f"corte final: {made[0]['published']}" in row and "válida" in row
    assert closing["sha256"][:16] in row
    # only the published names are served
    assert c.get("/console/certificados/llave-publica.json").status_code == 404
    assert c.get("/console/certificados/..%2Fultimo.json").status_code == 404
    # a certificate changed on disk is shown as not valid
    doc = json.loads(published.read_text(encoding="utf-8"))
    doc["certificado"]["estaciones"] = []
    published.write_text(json.dumps(doc), encoding="utf-8")
    row = re.search(
        r'<tr data-certificate="puesta_en_ceros">(.*?)</tr>', c.get("/console/").text, re.S
    ).group(1)
    assert "NO válida" in row
