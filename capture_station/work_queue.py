"""Actas pulled from the server for capture (a CCV station), kept in the station's
database so that the queue survives restarts and a night offline.

An item is open until this station has captured the acta in the item's round
(a capture event of the acta at or after the item's ``since``): the station's
own chain is the record, so a capture and the closing of its item are one
transaction and nothing is captured twice. Items for actas the station digitized
itself are left to the local queue. Blind: an item carries no reading.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from capture_station import actas
from capture_station.errors import StationError
from capture_station.storage.db import Store
from prep_core.acta import acta_fields
from prep_core.catalog import Catalog
from prep_core.events import CAPTURE_KINDS, Kind

MODES = ("captura", "verificacion")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
ITEM_KEYS = {"clave_acta", "election", "mode", "fields", "image", "since", "ticket"}


@dataclass(frozen=True)
class WorkItem:
    ticket: str
    clave_acta: str
    mode: str
    fields: tuple[str, ...]
    image: str
    election: str
    since: int


def _bad(what: str, es: str, en: str) -> StationError:
    return StationError(f"el servidor envió un acta por capturar inválida ({what}): {es}",
                        f"the server sent an invalid work item ({what}): {en}", where=what)


def parse_item(catalog: Catalog, doc: Any) -> WorkItem:
    """Check one item from the server against this station's catalog."""
    if not isinstance(doc, dict) or set(doc) != ITEM_KEYS:
        raise _bad("item", f"se esperan los campos {sorted(ITEM_KEYS)}",
                   f"expected fields {sorted(ITEM_KEYS)}")
    clave = doc["clave_acta"]
    exp = catalog.acta(clave) if isinstance(clave, str) else None
    if exp is None:
        raise _bad(str(clave), "el acta no está en el catálogo de la estación",
                   "the acta is not in the station's catalog")
    if doc["election"] != exp.election.id:
        raise _bad(clave, "la elección no corresponde al acta", "election does not match the acta")
    if doc["mode"] not in MODES:
        raise _bad(clave, "modo desconocido", "unknown mode")
    fields = doc["fields"]
    allowed = acta_fields(exp.election.vote_fields)
    if (not isinstance(fields, list) or not fields or len(set(fields)) != len(fields)
            or any(f not in allowed for f in fields)
            or (doc["mode"] == "captura" and tuple(fields) != allowed)):
        raise _bad(clave, "campos que no son los del acta", "fields are not the acta's")
    for key in ("image", "ticket"):
        if not isinstance(doc[key], str) or not _HEX64.match(doc[key]):
            raise _bad(clave, f"{key} no es un SHA-256", f"{key} is not a SHA-256")
    since = doc["since"]
    if not isinstance(since, int) or isinstance(since, bool) or since < -1:
        raise _bad(clave, "since no es un entero", "since is not an integer")
    return WorkItem(doc["ticket"], clave, doc["mode"], tuple(fields), doc["image"],
                    doc["election"], since)


def replace_open(conn: sqlite3.Connection, items: Iterable[WorkItem], pulled_at: int) -> int:
    """The server's current list replaces the stored one (call inside ``Store.tx()``);
    returns how many items are new."""
    items = list(items)
    new = 0
    for it in items:
        cur = conn.execute(
            "INSERT OR IGNORE INTO work (ticket, clave_acta, mode, fields, image, election, since,"
            " pulled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (it.ticket, it.clave_acta, it.mode, json.dumps(list(it.fields)), it.image,
             it.election, it.since, pulled_at))
        new += cur.rowcount
    keep = [it.ticket for it in items]
    conn.execute(f"DELETE FROM work WHERE ticket NOT IN ({','.join('?' * len(keep))})", keep)
    return new


def _row_item(row: sqlite3.Row) -> WorkItem:
    return WorkItem(row["ticket"], row["clave_acta"], row["mode"],
                    tuple(json.loads(row["fields"])), row["image"], row["election"], row["since"])


def is_open(store: Store, item: WorkItem) -> bool:
    evs = actas.events_of(store, item.clave_acta)
    if any(e.kind is Kind.DIGITALIZACION for e in evs):
        return False  # digitized here: the local queue has it
    return not any(e.kind in CAPTURE_KINDS and e.at >= item.since for e in evs)


def open_items(store: Store) -> list[WorkItem]:
    """Pulled items not captured by this station yet, in the order they arrived."""
    rows = store.q("SELECT * FROM work ORDER BY pulled_at, rowid")
    return [it for it in map(_row_item, rows) if is_open(store, it)]


def item(store: Store, ticket: str) -> WorkItem | None:
    row = store.one("SELECT * FROM work WHERE ticket = ?", ticket)
    return _row_item(row) if row is not None else None
