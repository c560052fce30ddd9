"""The conflict and inconsistency queue, and its resolution by a coordinator.

A resolution is a RESOLUCION event signed by the server's own key, on the
server's own chain (station ``SERVIDOR``), stored beside the stations' events:
nothing is overwritten, every earlier reading stays in the history.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from prep_core.events import Event, Kind, sign_event, validate_payload
from prep_core.signing import b64
from sync_server.db.tables import conflicts, events, stations
from sync_server.services import alarms, audit
from sync_server.services.context import Context
from sync_server.services.errors import conflict, not_found, unprocessable
from sync_server.services.ordering import next_ingest_seq
from sync_server.services.tally import rederive

ACTIONS = ("choose", "recapture", "rescan", "dismiss")


def list_queue(
    conn: Connection, *, open_only: bool = True, limit: int = 200
) -> list[dict[str, Any]]:
    """Queue entries, each with the acta's images so a coordinator sees them beside
    the readings."""
    from sync_server.db.tables import actas

    q = select(conflicts).order_by(conflicts.c.id).limit(limit)
    if open_only:
        q = q.where(conflicts.c.closed_at.is_(None))
    out = [_info(r) for r in conn.execute(q)]
    claves = sorted({c["clave_acta"] for c in out})
    states = (
        dict(
            conn.execute(
                select(actas.c.clave_acta, actas.c.state).where(actas.c.clave_acta.in_(claves))
            ).all()
        )
        if claves
        else {}
    )
    others = sorted({c["disputed"][0] for c in out if c["kind"] == alarms.DUPLICATE})
    if others:
        states.update(
            conn.execute(
                select(actas.c.clave_acta, actas.c.state).where(actas.c.clave_acta.in_(others))
            ).all()
        )
    for c in out:
        st = json.loads(states[c["clave_acta"]]) if c["clave_acta"] in states else {}
        c["images"] = _images(st)
        if c["kind"] == "correccion":
            c["reason"] = st.get("proposed_reason")
        elif c["kind"] == alarms.DUPLICATE:  # the other acta, its figures and its images
            other = c["disputed"][0]
            ost = json.loads(states[other]) if other in states else {}
            c["other"] = {"clave_acta": other, "images": _images(ost), "status": ost.get("status")}
        elif c["kind"] == alarms.OUT_OF_RANGE:
            c["reason"] = "; ".join(c["disputed"])
    return out


def _images(st: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"sha256": i["sha256"], "origen": i["origen"]} for i in st.get("images", [])]


def _info(r: Any) -> dict[str, Any]:
    return {
        "id": r.id,
        "clave_acta": r.clave_acta,
        "kind": r.kind,
        "readings": json.loads(r.readings),
        "disputed": json.loads(r.disputed),
        "opened_at": r.opened_at,
        "closed_at": r.closed_at,
        "resolution": r.resolution,
        "resolved_by": r.resolved_by,
    }


def resolve(
    ctx: Context, conflict_id: int, action: str, reading: int | None, reason: str, user: str
) -> dict[str, Any]:
    if action not in ACTIONS:
        raise unprocessable("bad_action", "acción inválida", "invalid action")
    if not reason.strip() or len(reason) > 500:
        raise unprocessable("bad_reason", "escriba el motivo (máx. 500)", "give a reason (max 500)")
    now = ctx.now()
    with ctx.store.write() as conn:
        row = conn.execute(select(conflicts).where(conflicts.c.id == conflict_id)).first()
        if row is None:
            raise not_found("unknown_conflict", "conflicto desconocido", "unknown conflict")
        if row.closed_at is not None:
            raise conflict(
                "already_closed", "el conflicto ya está cerrado", "conflict already closed"
            )
        alarm = row.kind in alarms.KINDS
        if action == "dismiss" or (alarm and action == "choose"):
            if not alarm or action == "choose":
                raise unprocessable(
                    "bad_action",
                    "una alarma se descarta o devuelve el acta; un conflicto se resuelve",
                    "an alarm is dismissed or sends the acta back; a conflict is resolved",
                )
            return _dismiss(conn, row, reason.strip(), user, now)
        payload: dict[str, Any] = {"action": action, "reason": reason.strip()}
        if action == "choose":
            options = json.loads(row.readings)
            if reading is None or not 0 <= reading < len(options):
                raise unprocessable("bad_reading", "elija una lectura", "choose a reading")
            payload["values"] = options[reading]
        validate_payload(Kind.RESOLUCION, payload)
        se = _server_event(ctx, conn, row.clave_acta, user, payload, now)
        rederive(ctx, conn, {row.clave_acta})
        conn.execute(
            conflicts.update()
            .where(conflicts.c.id == conflict_id)
            .values(closed_at=now, resolution=se.hash, resolved_by=user)
        )
        audit.append(
            conn,
            now,
            f"user:{user}",
            "conflict_resolved",
            {
                "conflict": conflict_id,
                "acta": row.clave_acta,
                "action": action,
                "event": se.hash,
                "reading": reading,
            },
        )
        return {"conflict": conflict_id, "event": se.to_wire()}


def _dismiss(conn: Connection, row: Any, reason: str, user: str, now: int) -> dict[str, Any]:
    """An alarm looked at and let stand: closed, with the coordinator's reason in the
    audit log (no event: nothing about the acta changes)."""
    conn.execute(
        conflicts.update()
        .where(conflicts.c.id == row.id)
        .values(closed_at=now, resolution="dismiss", resolved_by=user)
    )
    audit.append(
        conn,
        now,
        f"user:{user}",
        "alarm_dismissed",
        {"conflict": row.id, "acta": row.clave_acta, "kind": row.kind, "reason": reason},
    )
    return {"conflict": row.id, "event": None}


def _server_event(
    ctx: Context, conn: Connection, clave: str, user: str, payload: dict[str, Any], now: int
) -> Any:
    sid = ctx.settings.server_station
    st = conn.execute(select(stations).where(stations.c.id == sid)).one()
    ev = Event(
        sid,
        st.last_seq + 1,
        st.last_hash,
        Kind.RESOLUCION,
        clave,
        now,
        user,
        ctx.fingerprint,
        payload,
    )
    se = sign_event(ev, ctx.key)
    conn.execute(
        events.insert().values(
            hash=se.hash,
            station=sid,
            seq=ev.seq,
            kind=ev.kind.value,
            clave_acta=clave,
            at=ev.at,
            body=ev.encode().decode(),
            sig=b64(se.signature),
            batch="resolution",
            received_at=now,
            ingest_seq=next_ingest_seq(conn),
        )
    )
    conn.execute(
        stations.update()
        .where(stations.c.id == sid)
        .values(last_seq=ev.seq, last_hash=se.hash, last_contact=now)
    )
    return se


def ensure_server_station(ctx: Context) -> None:
    """Register the server's own chain (role SERVER) on first start."""
    from prep_core.events import GENESIS

    sid = ctx.settings.server_station
    with ctx.store.write() as conn:
        row = conn.execute(select(stations).where(stations.c.id == sid)).first()
        if row is not None:
            if row.fingerprint != ctx.key.fingerprint:
                raise SystemExit("the server key does not match the one this database knows")
            return
        now = ctx.now()
        conn.execute(
            stations.insert().values(
                id=sid,
                public_key=b64(ctx.key.public_bytes),
                fingerprint=ctx.key.fingerprint,
                role="SERVER",
                name="Servidor central",
                status="approved",
                requested_at=now,
                decided_at=now,
                decided_by="system",
                last_seq=0,
                last_hash=GENESIS,
            )
        )
        audit.append(
            conn,
            now,
            "system",
            "server_initialized",
            {
                "fingerprint": ctx.key.fingerprint,
                "catalog": ctx.fingerprint,
            },
        )


def acta_history(ctx: Context, clave: str) -> dict[str, Any]:
    """Every event of an acta, oldest first, with the current derived summary."""
    from sync_server.db.tables import actas

    with ctx.store.read() as conn:
        row = conn.execute(select(actas).where(actas.c.clave_acta == clave)).first()
        evs = conn.execute(
            select(events.c.body, events.c.hash, events.c.received_at)
            .where(events.c.clave_acta == clave)
            .order_by(events.c.ingest_seq)
        ).all()
        queue = conn.execute(
            select(conflicts).where(conflicts.c.clave_acta == clave).order_by(conflicts.c.id)
        ).all()
    if row is None and not evs:
        raise not_found("unknown_acta", "acta sin eventos", "acta has no events")
    return {
        "clave_acta": clave,
        "state": json.loads(row.state) if row else None,
        "status": row.status if row else None,
        "contabilizada": row.contabilizada if row else None,
        "events": [{"hash": h, "received_at": r, **json.loads(b)} for b, h, r in evs],
        "conflicts": [_info(c) for c in queue],
    }
