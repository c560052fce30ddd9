"""Work for CCV stations over signed requests, against a live server (SQLite and
PostgreSQL): blind items, never twice for the same station, a cotejo sending an
acta back reopens it, images by hash, and every bad request refused."""

from __future__ import annotations

import hashlib
import json

from prep_core.events import EventLog, Kind
from prep_core.signing import KeyPair
from prep_core.station_auth import signed_headers
from sync_server.services import stations
from tests.server.helpers import acta_png, batch, enrollment

T0 = 1_717_380_000_000


class Night:
    """A CATD that scans and reads (OCR) a few actas; CCVs that capture them."""

    def __init__(self, live, catalog, n: int = 3) -> None:  # type: ignore[no-untyped-def]
        self.live, self.catalog = live, catalog
        self.keys = {s: KeyPair.generate() for s in ("CATD01", "CCV01", "CCV02", "CAS01")}
        self.logs = {s: EventLog(s, k, catalog.fingerprint) for s, k in self.keys.items()}
        self.actas = [a.clave_acta for a in catalog.expected_actas("DIP_LOC")[:n]]
        self.images: dict[str, bytes] = {}
        self.image_of: dict[str, str] = {}
        for s, k in self.keys.items():
            role = "CASILLA" if s.startswith("CAS") else s[:-2]
            stations.request_enrollment(live.ctx, enrollment(s, k, role))
            stations.decide(live.ctx, s, True, "tests")
        evs = []
        for i, clave in enumerate(self.actas):
            data = acta_png(clave)
            sha = hashlib.sha256(data).hexdigest()
            self.images[sha], self.image_of[clave] = data, sha
            t = T0 + i * 100
            log = self.logs["CATD01"]
            evs.append(log.append(Kind.ACOPIO, clave, t, "acopio", {}))
            evs.append(log.append(Kind.DIGITALIZACION, clave, t + 1, "dig", {
                "image": sha, "qr": None, "origen": "CATD", "digitalizacion": "ESCANER",
                "tipo_documento": "Acta PREP"}))
            evs.append(log.append(Kind.CAPTURA, clave, t + 2, "ocr", {
                "source": "ocr:m1", "image": sha, "values": self.truth(clave)}))
        self.send("CATD01", evs, self.images)

    def truth(self, clave: str) -> dict[str, int]:
        from prep_core.acta import acta_fields

        e = self.catalog.acta(clave).election
        return {f: 7 + i for i, f in enumerate(acta_fields(e.vote_fields))}

    def send(self, station: str, evs, images=None) -> None:  # type: ignore[no-untyped-def]
        with self.live.client() as c:
            r = c.post("/api/v1/batches", json=batch(station, evs, images))
        assert r.status_code == 200, r.text

    def capture(self, station: str, clave: str, at: int, values: dict, kind=Kind.CAPTURA):  # type: ignore[no-untyped-def]
        ev = self.logs[station].append(kind, clave, at, "op", {
            "source": f"operator:{station}:op", "image": self.image_of[clave], "values": values})
        self.send(station, [ev])

    def get(self, station: str, target: str, *, key: KeyPair | None = None,
            at: int | None = None, sign_target: str | None = None, headers=None):  # type: ignore[no-untyped-def]
        at = self.live.ctx.now() if at is None else at
        h = signed_headers(key or self.keys.get(station) or KeyPair.generate(), station, at,
                           "GET", sign_target or target)
        h.update(headers or {})
        with self.live.client() as c:
            return c.get(target, headers=h)

    def work(self, station: str) -> list[dict]:
        r = self.get(station, "/api/v1/work?limit=50")
        assert r.status_code == 200, r.text
        return r.json()["items"]


def test_blind_work_list_never_twice_and_reopened_by_cotejo(live, catalog) -> None:
    n = Night(live, catalog)
    a0, a1, a2 = n.actas
    items = n.work("CCV01")
    assert [i["clave_acta"] for i in items] == n.actas  # oldest image first
    e = catalog.acta(a0).election
    for i in items:
        assert set(i) == {"clave_acta", "election", "mode", "fields", "image", "since", "ticket"}
        assert i["mode"] == "captura" and i["election"] == e.id and i["since"] == -1
        assert i["image"] == n.image_of[i["clave_acta"]]
        assert i["fields"] == list(n.truth(i["clave_acta"]))
    # blind: the OCR reading appears nowhere in the answer
    raw = n.get("CCV01", "/api/v1/work?limit=50").text
    assert "values" not in raw and "ocr" not in raw and "reading" not in raw

    # CCV01 agrees with the OCR on a0 (verified) and disagrees on a1 (discrepancia)
    n.capture("CCV01", a0, T0 + 1000, n.truth(a0))
    n.capture("CCV01", a1, T0 + 1001, {**n.truth(a1), e.vote_fields[0]: 99})
    assert [i["clave_acta"] for i in n.work("CCV01")] == [a2]  # never twice by one station
    ccv2 = {i["clave_acta"]: i for i in n.work("CCV02")}
    assert set(ccv2) == {a1, a2}  # a0 is verified: nobody's work
    assert ccv2[a1]["mode"] == "verificacion" and ccv2[a1]["fields"] == [e.vote_fields[0]]

    # a verifier settles a1; a cotejo sends a0 back for recapture: CCV01 gets it again
    n.capture("CCV02", a1, T0 + 1002, {e.vote_fields[0]: n.truth(a1)[e.vote_fields[0]]},
              Kind.VERIFICACION)
    cot = n.logs["CATD01"].append(Kind.COTEJO, a0, T0 + 2000, "sup", {"result": "recapture"})
    n.send("CATD01", [cot])
    again = {i["clave_acta"]: i for i in n.work("CCV01")}
    assert set(again) == {a0, a2}
    assert again[a0]["mode"] == "captura" and again[a0]["since"] == T0 + 2000
    assert again[a0]["ticket"] != {i["clave_acta"]: i for i in items}[a0]["ticket"]
    n.capture("CCV01", a0, T0 + 2001, n.truth(a0))
    assert a0 not in {i["clave_acta"] for i in n.work("CCV01")}

    # the image, exactly as stored
    r = n.get("CCV02", f"/api/v1/work/images/{n.image_of[a2]}")
    assert r.status_code == 200 and r.content == n.images[n.image_of[a2]]
    assert hashlib.sha256(r.content).hexdigest() == n.image_of[a2]
    r = n.get("CCV02", "/api/v1/work/images/" + "0" * 64)
    assert r.status_code == 404 and r.json()["error"] == "unknown_image"


def test_bad_signed_requests_are_refused(live, catalog) -> None:
    n = Night(live, catalog, n=1)
    path = "/api/v1/work?limit=5"
    assert n.get("CCV01", path).status_code == 200

    def err(r, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
        assert r.status_code == status, r.text
        doc = r.json()
        assert doc["error"] == code and doc["message_es"] and doc["message_en"], doc

    with live.client() as c:
        err(c.get(path), 401, "unsigned_request")
    # tampered: another key, a flipped signature byte, another target, another method
    err(n.get("CCV01", path, key=KeyPair.generate()), 401, "bad_signature")
    h = signed_headers(n.keys["CCV01"], "CCV01", live.ctx.now(), "GET", path)
    sig = bytearray(h["X-Prep-Signature"].encode())
    sig[5] = ord("A") if sig[5] != ord("A") else ord("B")
    err(n.get("CCV01", path, headers={"X-Prep-Signature": sig.decode()}), 401, "bad_signature")
    err(n.get("CCV01", "/api/v1/work?limit=50", sign_target=path), 401, "bad_signature")
    err(n.get("CCV01", path, headers={"X-Prep-Signature": "no es base64!"}), 401, "bad_signature")
    # the signature of another station's request does not open this one
    err(n.get("CCV01", path, key=n.keys["CCV02"]), 401, "bad_signature")
    # stale or future time
    err(n.get("CCV01", path, at=live.ctx.now() - 10 * 60_000), 401, "stale_request")
    err(n.get("CCV01", path, at=live.ctx.now() + 10 * 60_000), 401, "stale_request")
    err(n.get("CCV01", path, headers={"X-Prep-At": "ayer"}), 401, "bad_request_time")
    # unknown, pending, revoked stations; a role that does not capture
    err(n.get("CCV99", path), 403, "unknown_station")
    k = KeyPair.generate()
    stations.request_enrollment(live.ctx, enrollment("CCV05", k, "CCV"))
    err(n.get("CCV05", path, key=k), 403, "not_approved")
    stations.decide(live.ctx, "CCV02", False, "tests")
    err(n.get("CCV02", path), 403, "revoked")
    err(n.get("CAS01", path), 403, "role_not_allowed")
    err(n.get("CCV02", f"/api/v1/work/images/{n.image_of[n.actas[0]]}"), 403, "revoked")
    with live.client() as c:
        r = c.get(f"/api/v1/work/images/{n.image_of[n.actas[0]]}")
    err(r, 401, "unsigned_request")
    # nothing of this changed the central state
    with live.client() as c:
        assert c.get("/api/v1/stations/CCV01").json()["head"]["seq"] == 0
    assert json.loads(n.get("CCV01", path).text)["items"][0]["clave_acta"] == n.actas[0]


def test_catalog_files_served(live, catalog) -> None:
    from prep_core.catalog_format import parse_catalog

    with live.client() as c:
        r = c.get("/api/v1/catalog")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    doc = r.json()
    assert doc["format"] == "prep-catalog-files/1" and doc["fingerprint"] == catalog.fingerprint
    assert set(doc["files"]) == {"catalog.json", "casillas.csv"}
    again = parse_catalog(doc["files"]["catalog.json"], doc["files"]["casillas.csv"])
    assert again.fingerprint == catalog.fingerprint and again.name == doc["name"]
