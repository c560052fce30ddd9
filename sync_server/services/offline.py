"""Files a coordinator carries back on USB to a station with no network: its
approval (offline enrollment, format in :mod:`prep_core.approval`) and the
signed receipts of its batches (so it knows what the server holds)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from prep_core.approval import sign_approval
from prep_core.signing import b64
from sync_server.db.tables import batches, stations
from sync_server.services import audit, decisions
from sync_server.services.context import Context
from sync_server.services.errors import conflict, not_found


def _station(conn: Any, sid: str) -> Any:
    row = conn.execute(select(stations).where(stations.c.id == sid)).first()
    if row is None or row.role == "SERVER":
        raise not_found("unknown_station", "estación desconocida", "unknown station")
    return row


def approval_file(ctx: Context, sid: str, user: str) -> dict[str, Any]:
    """The signed approval of an approved station; the export is audited."""
    now = ctx.now()
    with ctx.store.write() as conn:
        row = _station(conn, sid)
        if row.status != "approved":
            raise conflict(
                "not_approved",
                "sólo se exporta la aprobación de una estación aprobada",
                "only an approved station's approval can be exported",
            )
        body = {
            "station": row.id,
            "role": row.role,
            "name": row.name,
            "public_key": row.public_key,
            "fingerprint": row.fingerprint,
            "catalog": ctx.fingerprint,
            "server": {
                "station": ctx.settings.server_station,
                "public_key": b64(ctx.key.public_bytes),
            },
            "decided_at": row.decided_at,
            "decided_by": row.decided_by,
            "issued_at": now,
        }
        audit.append(
            conn,
            now,
            f"user:{user}",
            "approval_exported",
            {"station": sid, "fingerprint": row.fingerprint},
        )
    return sign_approval(ctx.key, body)


RECEIPTS_FILE = "prep-receipts/1"


def receipts_file(ctx: Context, sid: str) -> dict[str, Any]:
    """Every signed receipt the server gave the station, oldest first (the
    station's import of receipts reads this file), and the server's signed
    decisions (``decisions``: the whole server chain on catalog actas, as
    ``GET /api/v1/decisions`` gives it) so that an offline station learns them."""
    with ctx.store.read() as conn:
        _station(conn, sid)
        orders, _ = decisions.server_events(ctx, conn, 0, None)
        rows = conn.execute(select(batches.c.receipt).where(batches.c.station == sid)).all()
    receipts = sorted(
        (json.loads(r.receipt) for r in rows), key=lambda w: w["receipt"]["head"]["seq"]
    )
    return {
        "format": RECEIPTS_FILE,
        "station": sid,
        "issued_at": ctx.now(),
        "receipts": receipts,
        "decisions": orders,
    }
