"""Stations: enrollment requests, approval and revocation by a coordinator, and
the public status a station polls to resume its sync. Online enrollment needs a
one-time code (services/enrollment_codes.py); a request brought on USB by a
coordinator (console import) stays pending until approved."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import Connection, select

from prep_core.errors import PrepError
from prep_core.events import GENESIS, canonical
from prep_core.signing import fingerprint, unb64, verify
from sync_server.db.tables import events, stations
from sync_server.services import audit, json_limits
from sync_server.services.context import Context
from sync_server.services.errors import conflict, not_found, unprocessable
from sync_server.services.scope import parse_scope
from sync_server.services.tally import rederive

ENROLL_FORMAT = "prep-enrollment/1"
ROLES = ("CATD", "CCV", "CASILLA")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
FIELDS = {"station", "public_key", "role", "name", "at", "sig"}


def enrollment_message(doc: dict[str, Any]) -> bytes:
    """What the station signs to prove it holds the key it enrolls."""
    body = {k: doc[k] for k in ("station", "public_key", "role", "name", "at")}
    return canonical({"format": ENROLL_FORMAT, **body})


def check_request(doc: Any) -> tuple[str, bytes]:
    """The station id and key of a well-formed request signed with that key."""
    if not isinstance(doc, dict):
        raise unprocessable("bad_request", "se espera un objeto JSON", "expected a JSON object")
    doc = {k: v for k, v in doc.items() if k not in ("format", "code")}
    if set(doc) != FIELDS:
        raise unprocessable(
            "bad_fields",
            f"campos esperados: {sorted(FIELDS)}",
            f"expected fields: {sorted(FIELDS)}",
        )
    sid = doc["station"]
    if not isinstance(sid, str) or not _ID.match(sid):
        raise unprocessable(
            "bad_station_id", "identificador de estación inválido", "invalid station id"
        )
    if doc["role"] not in ROLES:
        raise unprocessable(
            "bad_role", "rol debe ser CATD, CCV o CASILLA", "role must be CATD, CCV or CASILLA"
        )
    if not isinstance(doc["name"], str) or not 0 < len(doc["name"]) <= 200:
        raise unprocessable("bad_name", "nombre inválido", "invalid name")
    if not isinstance(doc["at"], int) or isinstance(doc["at"], bool) or doc["at"] < 0:
        raise unprocessable("bad_at", "at debe ser un entero", "at must be an integer")
    try:
        if not isinstance(doc["public_key"], str) or not isinstance(doc["sig"], str):
            raise PrepError("llave o firma no es texto", "key or signature is not text")
        key = unb64(doc["public_key"], "public_key")
        sig = unb64(doc["sig"], "sig")
    except PrepError as exc:
        raise unprocessable("bad_encoding", exc.message_es, exc.message_en) from None
    if len(key) != 32 or not verify(key, sig, enrollment_message(doc)):
        raise unprocessable(
            "bad_signature",
            "la solicitud no está firmada con la llave que presenta",
            "the request is not signed with the key it presents",
        )
    return sid, key


def request_enrollment(ctx: Context, doc: Any, *, source: str = "usb") -> dict[str, Any]:
    """A request a coordinator brought in (console import of a USB file): stored
    pending until approved. Online requests go through ``enrollment_codes.enroll``."""
    sid, key = check_request(doc)
    if sid == ctx.settings.server_station:
        raise conflict("reserved_id", "identificador reservado", "reserved station id")
    now = ctx.now()
    with ctx.store.write() as conn:
        row = conn.execute(select(stations).where(stations.c.id == sid)).first()
        if row is not None:
            if row.fingerprint != fingerprint(key):
                raise conflict(
                    "station_exists",
                    "ya existe una estación con ese identificador y otra llave",
                    "a station with this id and another key exists",
                )
            return station_info(row)
        insert_station(conn, doc, key, now, role=doc["role"], status="pending")
        audit.append(
            conn,
            now,
            f"station:{sid}",
            "enrollment_requested",
            {
                "station": sid,
                "role": doc["role"],
                "fingerprint": fingerprint(key),
                "source": source,
            },
        )
        return station_info(conn.execute(select(stations).where(stations.c.id == sid)).one())


def decide(ctx: Context, sid: str, approve: bool, user: str) -> dict[str, Any]:
    now = ctx.now()
    with ctx.store.write() as conn:
        row = conn.execute(select(stations).where(stations.c.id == sid)).first()
        if row is None or row.role == "SERVER":
            raise not_found("unknown_station", "estación desconocida", "unknown station")
        status = "approved" if approve else "revoked"
        if row.status == "revoked" and approve:
            raise conflict(
                "revoked", "una estación revocada no se reactiva", "a revoked station stays revoked"
            )
        conn.execute(
            stations.update()
            .where(stations.c.id == sid)
            .values(status=status, decided_at=now, decided_by=user)
        )
        audit.append(
            conn,
            now,
            f"user:{user}",
            f"station_{status}",
            {"station": sid, "fingerprint": row.fingerprint},
        )
        return station_info(conn.execute(select(stations).where(stations.c.id == sid)).one())


def insert_station(conn: Connection, doc: dict[str, Any], key: bytes, now: int, **values: Any) -> None:
    """A new station's row from its (checked) enrollment request; ``values`` give its
    role and status (and, enrolled with a code, who approved it and its scope)."""
    conn.execute(
        stations.insert().values(
            id=doc["station"],
            public_key=doc["public_key"],
            fingerprint=fingerprint(key),
            name=doc["name"],
            requested_at=now,
            last_seq=0,
            last_hash=GENESIS,
            **values,
        )
    )


def set_permissions(
    ctx: Context, sid: str, scope_doc: Any, self_verify: bool, user: str
) -> dict[str, Any]:
    """A coordinator sets what a station may send for (its scope) and whether two
    operators of that one station may verify an acta (``self_verify``)."""
    scope = parse_scope(scope_doc)
    if not isinstance(self_verify, bool):
        raise unprocessable("bad_self_verify", "self_verify es sí/no", "self_verify is a boolean")
    now = ctx.now()
    with ctx.store.write() as conn:
        row = conn.execute(select(stations).where(stations.c.id == sid)).first()
        if row is None or row.role == "SERVER":
            raise not_found("unknown_station", "estación desconocida", "unknown station")
        conn.execute(
            stations.update()
            .where(stations.c.id == sid)
            .values(scope=scope.to_json() if scope else None, self_verify=self_verify)
        )
        audit.append(
            conn,
            now,
            f"user:{user}",
            "station_permissions",
            {
                "station": sid,
                "scope": json.loads(scope.to_json()) if scope else None,
                "self_verify": self_verify,
            },
        )
        if bool(row.self_verify) != self_verify:  # its actas may verify (or not) now
            claves = conn.scalars(
                select(events.c.clave_acta).where(events.c.station == sid).distinct()
            )
            rederive(ctx, conn, set(claves))
        return station_info(conn.execute(select(stations).where(stations.c.id == sid)).one())


def station_info(row: Any) -> dict[str, Any]:
    return {
        "station": row.id,
        "role": row.role,
        "name": row.name,
        "status": row.status,
        "fingerprint": row.fingerprint,
        "head": {"seq": row.last_seq, "hash": row.last_hash},
        "last_contact": row.last_contact,
        # the last chain gap its batches ran into, until its chain advances past it
        "gap": [row.gap_first, row.gap_last] if row.gap_last is not None else None,
        "gap_events": row.gap_events or 0,
        "gap_at": row.gap_at,
        "scope": json.loads(row.scope) if row.scope else None,
        "self_verify": bool(row.self_verify),
    }


def get_station(ctx: Context, sid: str) -> dict[str, Any]:
    with ctx.store.read() as conn:
        row = conn.execute(select(stations).where(stations.c.id == sid)).first()
    if row is None:
        raise not_found("unknown_station", "estación desconocida", "unknown station")
    return station_info(row)


def list_stations(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(stations).order_by(stations.c.status, stations.c.id))
    return [station_info(row) for row in rows]


def load_enrollment_file(data: bytes) -> Any:
    return json_limits.loads(data, 8)
