"""The server's order of events: every accepted event gets the next ingest number,
given inside the serialized write transaction (a thread lock and, on PostgreSQL,
an advisory lock), so several server processes over one database agree on it.
"The latest" event of an acta is the latest in this order, never by a station's
clock (docs/EVENTS.md)."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from sync_server.db.tables import events


def next_ingest_seq(conn: Connection) -> int:
    """The number the next accepted event gets (call inside the write transaction)."""
    return int(conn.scalar(select(func.coalesce(func.max(events.c.ingest_seq), 0))) or 0) + 1
