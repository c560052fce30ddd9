"""HTTP sync client: enroll, push signed batches and their images, keep receipts.

Enrollment online needs the one-time code a coordinator issued in the console
(kept in the station's meta until the server accepts it; a refused code is set
aside and not sent again). Each image upload is a signed request carrying the
signed digitalización event that names the image.

Resumable by construction: each round asks the server for this station's chain
head and sends only what comes after it, so a batch interrupted at any point is
sent again and the server's de-duplication keeps it exactly once. A batch the
server refuses for a chain gap (its head went back, e.g. a restored backup)
is sent again from the head the server gives, a bounded number of times.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

import requests

from capture_station.station import Station
from capture_station.storage.db import Store
from capture_station.storage.outbox import load_events, now_ms
from prep_core.events import GENESIS, Kind, canonical
from prep_core.signing import b64, unb64, verify
from prep_core.station_auth import signed_headers

ENROLL_FORMAT = "prep-enrollment/1"
TIMEOUT = (3.05, 30)
GAP_RETRIES = 2  # a 409 chain_gap: read the server's head again and resend, this many times


class SyncError(Exception):
    def __init__(self, es: str, en: str, *, offline: bool = False, code: str = "") -> None:
        super().__init__(f"{es} / {en}")
        self.message_es, self.message_en, self.offline, self.code = es, en, offline, code


@dataclass
class SyncReport:
    state: str  # online, offline, pending (enrollment), error
    sent: int = 0
    pending: int = 0
    head: int = 0
    last_receipt: dict[str, Any] | None = None
    message_es: str = ""
    message_en: str = ""
    at: int = field(default_factory=now_ms)
    decisions: int = 0  # server decisions received in this round


def enrollment_request(station: Station) -> dict[str, Any]:
    doc = {"station": station.id, "public_key": b64(station.key.public_bytes),
           "role": station.config.role, "name": station.config.name, "at": now_ms()}
    sig = station.key.sign(canonical({"format": ENROLL_FORMAT, **doc}))
    return {"format": ENROLL_FORMAT, **doc, "sig": b64(sig)}


ENROLL_CODE = "enrollment_code"  # meta: the code to enroll with, until the server takes it
REFUSED_CODE = "enrollment_code_refused"  # meta: a code the server refused


def set_enrollment_code(store: Store, code: str) -> None:
    """The one-time code from the console, for the next enrollment request."""
    store.set_meta(ENROLL_CODE, code.strip())
    store.set_meta(REFUSED_CODE, "")


def refused_code(store: Store) -> str:
    return store.get_meta(REFUSED_CODE) or ""


def pending_count(store: Store) -> int:
    return int(store.one("SELECT COUNT(*) FROM events WHERE acked = 0")[0])


def mark_acked(store: Store, head_seq: int, head_hash: str) -> None:
    """Record that the server holds everything up to ``head_seq``; refuse a fork."""
    if head_seq <= 0:
        return
    row = store.one("SELECT hash FROM events WHERE seq = ?", head_seq)
    if row is None or row[0] != head_hash:
        raise SyncError("el servidor tiene una cadena distinta de la de esta estación",
                        "the server holds a chain different from this station's", code="fork")
    with store.tx() as c:
        c.execute("UPDATE events SET acked = 1 WHERE seq <= ? AND acked = 0", (head_seq,))


def keep_receipt(store: Store, wire: dict[str, Any], via: str) -> None:
    body = wire["receipt"]
    with store.tx() as c:
        c.execute("INSERT OR IGNORE INTO receipts (batch, head_seq, body, received_at, via) "
                  "VALUES (?, ?, ?, ?, ?)",
                  (body["batch"], int(body["head"]["seq"]), json.dumps(wire, sort_keys=True),
                   now_ms(), via))


def last_receipt(store: Store) -> dict[str, Any] | None:
    row = store.one("SELECT body FROM receipts ORDER BY head_seq DESC, received_at DESC LIMIT 1")
    return json.loads(row[0])["receipt"] if row else None


class SyncClient:
    def __init__(self, station: Station, store: Store, base_url: str, *,
                 batch_size: int = 200, session: requests.Session | None = None) -> None:
        self.station, self.store = station, store
        self.base = base_url.rstrip("/")
        self.batch_size = batch_size
        self.http = session or requests.Session()
        self.http.trust_env = False  # loopback/LAN only: never through a proxy

    # ---------------------------------------------------------------- HTTP helpers
    def _call(self, method: str, path: str, **kw: Any) -> requests.Response:
        try:
            return self.http.request(method, self.base + path, timeout=TIMEOUT, **kw)
        except requests.RequestException as exc:
            raise SyncError("sin conexión con el servidor", f"server unreachable: {exc.__class__.__name__}",
                            offline=True) from None

    @staticmethod
    def _code(resp: requests.Response) -> str:
        try:
            doc = resp.json()
        except ValueError:
            return ""
        return str(doc.get("error", "")) if isinstance(doc, dict) else ""

    @staticmethod
    def _fail(resp: requests.Response) -> SyncError:
        try:
            doc = resp.json()
        except ValueError:
            doc = {}
        if resp.status_code >= 500:
            return SyncError(f"el servidor falló ({resp.status_code}); se reintentará",
                             f"server error {resp.status_code}; will retry", offline=True)
        return SyncError(doc.get("message_es") or f"el servidor rechazó la solicitud ({resp.status_code})",
                         doc.get("message_en") or f"rejected ({resp.status_code})",
                         code=str(doc.get("error", resp.status_code)))

    # ---------------------------------------------------------------- steps
    def server_info(self) -> dict[str, Any]:
        resp = self._call("GET", "/api/v1/server")
        if resp.status_code != 200:
            raise self._fail(resp)
        info = resp.json()
        if info.get("catalog") != self.station.catalog.fingerprint:
            raise SyncError("el servidor usa otro catálogo (huella distinta); no se envía nada",
                            "the server uses another catalog (different fingerprint)",
                            code="catalog_mismatch")
        known = self.store.get_meta("server_public_key")
        if known is not None and known != info.get("public_key"):
            raise SyncError("el servidor no tiene la llave que aprobó esta estación; no se envía nada",
                            "the server does not hold the key that approved this station",
                            code="server_key_mismatch")
        self.store.set_meta("server_public_key", info["public_key"])
        if isinstance(info.get("station"), str):  # the id of its chain (decisions)
            self.store.set_meta("server_station", info["station"])
        return info

    def status(self) -> dict[str, Any]:
        resp = self._call("GET", f"/api/v1/stations/{self.station.id}")
        if resp.status_code == 404:
            return self.enroll()
        if resp.status_code != 200:
            raise self._fail(resp)
        return resp.json()

    def enroll(self) -> dict[str, Any]:
        """The enrollment request with the console's one-time code; without a
        code (or with one refused) nothing is sent."""
        code = self.store.get_meta(ENROLL_CODE) or ""
        if not code:
            if refused_code(self.store):
                raise SyncError("el servidor rechazó el código de inscripción (inválido, vencido o "
                                "ya usado): escriba uno nuevo de la coordinación en Estado",
                                "the server refused the enrollment code (invalid, expired or "
                                "already used): type a new one from the coordinators in Status",
                                code="bad_enrollment_code")
            raise SyncError("la estación no está inscrita en el servidor: escriba el código de "
                            "inscripción que da la coordinación (Estado), o use el alta por USB",
                            "the station is not enrolled with the server: type the enrollment "
                            "code the coordinators give (Status), or enroll by USB",
                            code="enrollment_code_needed")
        doc = {k: v for k, v in enrollment_request(self.station).items() if k != "format"}
        resp = self._call("POST", "/api/v1/stations/enroll", json={**doc, "code": code})
        if resp.status_code in (403, 422) and self._code(resp) in ("bad_enrollment_code",
                                                                   "role_mismatch"):
            self.store.set_meta(REFUSED_CODE, code)  # not sent again
            self.store.set_meta(ENROLL_CODE, "")
            raise self._fail(resp)
        if resp.status_code not in (200, 202):
            raise self._fail(resp)
        self.store.set_meta(ENROLL_CODE, "")
        return resp.json()

    def _upload_images(self, events: list) -> None:  # type: ignore[type-arg]
        """Each image not yet uploaded, signed, with the event that names it."""
        named = {se.event.payload["image"]: se for se in events
                 if se.event.kind is Kind.DIGITALIZACION}
        for sha, se in named.items():
            row = self.store.one("SELECT uploaded FROM images WHERE sha256 = ?", sha)
            if row is not None and row[0]:
                continue
            data = self.station.images.get(sha)
            target = f"/api/v1/images/{sha}"
            headers = signed_headers(self.station.key, self.station.id, now_ms(), "PUT", target)
            headers["Content-Type"] = "application/octet-stream"
            headers["X-PREP-Event"] = base64.b64encode(
                json.dumps(se.to_wire(), separators=(",", ":")).encode()).decode()
            resp = self._call("PUT", target, data=data, headers=headers)
            if resp.status_code not in (200, 201):
                raise self._fail(resp)
            with self.store.tx() as c:
                c.execute("UPDATE images SET uploaded = 1 WHERE sha256 = ?", (sha,))

    def _verify_receipt(self, wire: dict[str, Any]) -> None:
        key = self.store.get_meta("server_public_key")
        if key is None or not verify(unb64(key, "key"), unb64(wire["sig"], "sig"),
                                     canonical(wire["receipt"])):
            raise SyncError("el recibo del servidor no tiene una firma válida",
                            "the server's receipt has no valid signature", code="bad_receipt")

    def sync_once(self) -> SyncReport:
        """One full round; raises SyncError (offline=True when the server is unreachable)."""
        self.server_info()
        st = self.status()
        if st["status"] == "pending":
            return SyncReport("pending", pending=pending_count(self.store),
                              message_es="estación en espera de aprobación en la consola",
                              message_en="station awaiting approval in the console")
        if st["status"] != "approved":
            raise SyncError("la estación fue revocada en el servidor", "station revoked",
                            code="revoked")
        head_seq, head_hash = int(st["head"]["seq"]), st["head"]["hash"]
        mark_acked(self.store, head_seq, head_hash if head_seq else GENESIS)
        sent = 0
        receipt = None
        gaps = 0
        while True:
            batch = load_events(self.store.conn, after_seq=head_seq, limit=self.batch_size)
            if not batch:
                break
            self._upload_images(batch)
            resp = self._call("POST", "/api/v1/batches", json={
                "station": self.station.id, "events": [se.to_wire() for se in batch]})
            if resp.status_code == 409 and self._code(resp) == "chain_gap" and gaps < GAP_RETRIES:
                # the server is behind the head it gave (e.g. restored from a backup):
                # ask it again and send from there
                gaps += 1
                head = self.status()["head"]
                head_seq = int(head["seq"])
                mark_acked(self.store, head_seq, head["hash"])  # still our chain?
                continue
            if resp.status_code != 200:
                raise self._fail(resp)
            wire = resp.json()
            self._verify_receipt(wire)
            keep_receipt(self.store, wire, "http")
            receipt = wire["receipt"]
            new_seq = int(receipt["head"]["seq"])
            if new_seq <= head_seq:
                raise SyncError("el servidor no avanzó la cadena",
                                "the server did not advance the chain", code="no_progress")
            mark_acked(self.store, new_seq, receipt["head"]["hash"])
            sent += new_seq - head_seq
            head_seq = new_seq
        return SyncReport("online", sent=sent, pending=pending_count(self.store), head=head_seq,
                          last_receipt=receipt or last_receipt(self.store))


# ---------------------------------------------------------------------- USB
BATCH_FILE = "prep-batch-file/1"


def export_pending(station: Station, store: Store, batch_size: int = 500) -> dict[str, Any]:
    """Every event the server has not acknowledged, with its images, for the console."""
    events = [se for se in load_events(store.conn)
              if store.one("SELECT acked FROM events WHERE seq = ?", se.event.seq)[0] == 0]
    batches = []
    for i in range(0, len(events), batch_size):
        chunk = events[i:i + batch_size]
        imgs = {}
        for se in chunk:
            if se.event.kind is Kind.DIGITALIZACION:
                sha = se.event.payload["image"]
                imgs[sha] = base64.b64encode(station.images.get(sha)).decode()
        batches.append({"station": station.id, "events": [se.to_wire() for se in chunk],
                        "images": imgs})
    return {"format": BATCH_FILE, "station": station.id, "created_at": now_ms(),
            "batches": batches}


def import_receipts(store: Store, doc: Any) -> int:
    """Receipts brought back from the console (one, a list, or console import results)."""
    items: list[Any]
    if isinstance(doc, dict) and "receipt" in doc and "sig" in doc:
        items = [doc]
    elif isinstance(doc, dict) and isinstance(doc.get("receipts"), list):
        items = doc["receipts"]
    elif isinstance(doc, list):
        items = [d.get("receipt") if isinstance(d, dict) and "kind" in d else d for d in doc]
    else:
        raise SyncError("archivo de recibos de formato desconocido", "unknown receipts file")
    key = store.get_meta("server_public_key")
    if key is None:
        raise SyncError("importe primero la aprobación de la consola (o sincronice una vez en línea): "
                        "sin ella no se pueden comprobar los recibos",
                        "import the console's approval first (or sync once online): "
                        "receipts cannot be checked without it")
    n = 0
    for wire in items:
        if not isinstance(wire, dict) or not isinstance(wire.get("receipt"), dict):
            continue
        if not isinstance(wire.get("sig"), str):
            raise SyncError("un recibo no trae firma", "a receipt has no signature")
        if not verify(unb64(key, "key"), unb64(wire["sig"], "sig"),
                                          canonical(wire["receipt"])):
            raise SyncError("un recibo no tiene una firma válida del servidor",
                            "a receipt has no valid server signature")
        head = wire["receipt"]["head"]
        mark_acked(store, int(head["seq"]), head["hash"])
        keep_receipt(store, wire, "usb")
        n += 1
    return n
