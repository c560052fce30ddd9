"""The server's signed decisions (a coordinator's resolutions: choose a reading,
recapture, rescan) reach the station, online (``GET /api/v1/decisions``, a signed
request) or on USB (the console's receipts file, ``decisions``).

Each one is checked before anything is kept: its wire form, the server's station
id (the chain it belongs to), its kind (a decision), the station's catalog (its
fingerprint and the acta), and the signature with the pinned server key (meta
``server_public_key``, pinned by the first sync or the imported approval). One bad
item refuses the whole answer and nothing of it is stored. They are kept in the
table ``server_events``, apart from the station's own chain: never re-sent, never
part of the outbox. :mod:`capture_station.actas` derives the station's actas with
them, so a rescan ordered on the console reaches the CATD holding the paper.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from capture_station.station import Station
from capture_station.storage.db import Store
from capture_station.storage.outbox import now_ms
from capture_station.sync.approval import SERVER_KEY, SERVER_STATION, approval
from capture_station.sync.client import SyncClient, SyncError, SyncReport, import_receipts
from capture_station.sync.signed import SignedClient
from prep_core.errors import PrepError
from prep_core.events import Kind, SignedEvent, signed_from_wire
from prep_core.signing import b64, unb64, verify

DECISIONS_PATH = "/api/v1/decisions"
CURSOR = "decisions_after"  # meta: the last server seq the server has shown this station
DECISION_KINDS = frozenset({Kind.RESOLUCION, Kind.CORRECCION, Kind.COTEJO})
PAGE = 200
MAX_PAGES = 25  # per round; the rest comes next round


def _refused(es: str, en: str, code: str = "bad_decision") -> SyncError:
    return SyncError(f"decisiones del servidor rechazadas: {es}; no se guardó ninguna",
                     f"server decisions refused: {en}; none was kept", code=code)


def server_identity(store: Store) -> tuple[bytes, str]:
    """The pinned server key and the id of the server's chain."""
    key = store.get_meta(SERVER_KEY)
    sid = store.get_meta(SERVER_STATION)
    if not sid:
        ap = approval(store)
        sid = ap["server"].get("station") if ap is not None else None
    if key is None or not sid:
        raise SyncError("importe primero la aprobación de la consola (o sincronice una vez en "
                        "línea): sin la llave del servidor no se pueden comprobar sus decisiones",
                        "import the console's approval first (or sync once online): the "
                        "server's decisions cannot be checked without its key",
                        code="no_server_key")
    return unb64(key, SERVER_KEY), sid


def check_decisions(station: Station, store: Store, items: Any) -> list[SignedEvent]:
    """Every item checked (see the module docstring); SyncError on the first bad one."""
    if not isinstance(items, list):
        raise _refused("se esperaba una lista de eventos", "expected a list of events")
    key, sid = server_identity(store)
    out = []
    for i, wire in enumerate(items, 1):
        try:
            se = signed_from_wire(wire, f"decisión {i}")
        except PrepError as exc:
            raise _refused(f"decisión {i} mal formada: {exc.message_es}",
                           f"decision {i} malformed: {exc.message_en}") from None
        ev = se.event
        what_es, what_en = f"decisión {i} ({ev.station}#{ev.seq})", f"decision {i}"
        if ev.station != sid:
            raise _refused(f"{what_es} no es del servidor ({sid}) sino de otra estación",
                           f"{what_en} is not the server's ({sid}) but another station's")
        if ev.kind not in DECISION_KINDS:
            raise _refused(f"{what_es} es de tipo {ev.kind.value}, no una decisión",
                           f"{what_en} is of kind {ev.kind.value}, not a decision")
        if ev.catalog != station.catalog.fingerprint:
            raise _refused(f"{what_es} es de otro catálogo", f"{what_en} is of another catalog",
                           "catalog_mismatch")
        if station.catalog.acta(ev.clave_acta) is None:
            raise _refused(f"{what_es}: el acta {ev.clave_acta} no está en el catálogo",
                           f"{what_en}: acta {ev.clave_acta} is not in the catalog")
        if not verify(key, se.signature, ev.encode()):
            raise _refused(f"{what_es} no tiene una firma válida del servidor",
                           f"{what_en} has no valid server signature", "bad_signature")
        out.append(se)
    return out


def keep(conn: sqlite3.Connection, events: Iterable[SignedEvent], via: str) -> int:
    """Store checked decisions (inside ``Store.tx()``); returns how many are new. The
    same decision again changes nothing; another one under a known number is refused."""
    new = 0
    for se in events:
        ev = se.event
        row = conn.execute("SELECT hash FROM server_events WHERE seq = ?", (ev.seq,)).fetchone()
        if row is not None:
            if row[0] != se.hash:
                raise _refused(f"el servidor envió otra decisión con el número {ev.seq}",
                               f"the server sent another decision numbered {ev.seq}",
                               "decision_fork")
            continue
        conn.execute(
            "INSERT INTO server_events (seq, hash, kind, clave_acta, at, body, sig, received_at,"
            " via) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ev.seq, se.hash, ev.kind.value, ev.clave_acta, ev.at, ev.encode().decode(),
             b64(se.signature), now_ms(), via))
        new += 1
    return new


@dataclass
class FetchReport:
    new: int  # decisions not known before
    cursor: int  # the last server seq seen


class DecisionClient(SignedClient):
    def _page(self, after: int) -> tuple[list[SignedEvent], int, bool]:
        resp = self._get(f"{DECISIONS_PATH}?after={after}&limit={PAGE}")
        if resp.status_code != 200:
            raise SyncClient._fail(resp)
        try:
            doc: Any = resp.json()
        except ValueError:
            doc = None
        if (not isinstance(doc, dict) or not isinstance(doc.get("items"), list)
                or type(doc.get("next")) is not int or type(doc.get("more")) is not bool):
            raise _refused("respuesta ilegible", "unreadable answer")
        if doc.get("catalog") != self.station.catalog.fingerprint:
            raise _refused("el servidor usa otro catálogo", "the server uses another catalog",
                           "catalog_mismatch")
        events = check_decisions(self.station, self.store, doc["items"])
        seqs = [se.event.seq for se in events]
        if seqs != sorted(set(seqs)) or any(not after < s <= doc["next"] for s in seqs):
            raise _refused("números fuera del intervalo pedido", "numbers outside the asked range")
        if doc["next"] < after:
            raise _refused("el cursor retrocedió", "the cursor went back")
        return events, doc["next"], doc["more"]

    def fetch(self) -> FetchReport:
        """Every decision past the cursor, page by page, each page in one transaction."""
        after = int(self.store.get_meta(CURSOR) or 0)
        new = 0
        for _ in range(MAX_PAGES):
            events, nxt, more = self._page(after)
            with self.store.tx() as c:
                new += keep(c, events, "http")
                c.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                          (CURSOR, str(nxt)))
            moved, after = nxt > after, nxt
            if not more or not moved:
                break
        return FetchReport(new, after)


def _join(a: str, b: str) -> str:
    return f"{a}; {b}" if a else b


def fetch_after_sync(station: Station, store: Store, url: str, report: SyncReport) -> SyncReport:
    """After a successful sync round: fetch the server's decisions and say so in the
    round's report (a refusal is reported; nothing of it is kept)."""
    try:
        r = DecisionClient(station, store, url).fetch()
    except SyncError as exc:
        return replace(report, message_es=_join(report.message_es, exc.message_es),
                       message_en=_join(report.message_en, exc.message_en))
    if not r.new:
        return report
    return replace(report, decisions=r.new,
                   message_es=_join(report.message_es, f"decisiones del servidor: {r.new}"),
                   message_en=_join(report.message_en, f"decisions from the server: {r.new}"))


def import_receipts_file(station: Station, store: Store, doc: Any) -> tuple[int, int]:
    """The console's receipts file (``prep-receipts/1``): its receipts, and the
    server's decisions it carries (``decisions``, optional). The decisions are all
    checked first, so a bad one refuses the file before anything is kept.
    Returns (receipts, new decisions)."""
    items = doc.get("decisions") if isinstance(doc, dict) else None
    checked = check_decisions(station, store, items) if items is not None else []
    n = import_receipts(store, doc)
    with store.tx() as c:
        new = keep(c, checked, "usb")
    return n, new
