"""The outbox: the station's chain of signed events, appended inside the caller's
transaction so that each event is stored with the state it creates."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Mapping
from typing import Any

from prep_core.events import GENESIS, EventLog, Kind, SignedEvent, event_from_body
from prep_core.signing import KeyPair, b64, unb64


def now_ms() -> int:
    return int(time.time() * 1000)


class Outbox:
    def __init__(self, station: str, key: KeyPair, catalog: str,
                 clock: Callable[[], int] = now_ms) -> None:
        self.station, self.key, self.catalog, self.clock = station, key, catalog, clock

    def append(self, conn: sqlite3.Connection, kind: Kind, clave_acta: str, operator: str,
               payload: Mapping[str, Any] | None = None) -> SignedEvent:
        """Sign and insert the next event; call inside ``Store.tx()``."""
        row = conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        seq, last = (row[0], row[1]) if row else (0, GENESIS)
        log = EventLog(self.station, self.key, self.catalog, seq, last)
        se = log.append(kind, clave_acta, self.clock(), operator, payload)
        ev = se.event
        conn.execute(
            "INSERT INTO events (seq, hash, kind, clave_acta, at, operator, body, sig)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (ev.seq, se.hash, ev.kind.value, ev.clave_acta, ev.at, ev.operator,
             ev.encode().decode(), b64(se.signature)),
        )
        return se


def row_to_signed(row: sqlite3.Row) -> SignedEvent:
    return SignedEvent(event_from_body(json.loads(row["body"])), unb64(row["sig"], "sig"))


def load_events(conn: sqlite3.Connection, *, clave_acta: str | None = None,
                after_seq: int = 0, limit: int | None = None) -> list[SignedEvent]:
    sql = "SELECT body, sig FROM events WHERE seq > ?"
    args: list[Any] = [after_seq]
    if clave_acta is not None:
        sql += " AND clave_acta = ?"
        args.append(clave_acta)
    sql += " ORDER BY seq"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    conn.row_factory = sqlite3.Row
    return [row_to_signed(r) for r in conn.execute(sql, args)]
