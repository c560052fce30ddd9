"""One-time enrollment codes (docs/SERVER.md, *Enrollment*).

A coordinator issues a code for a station role, a label and optionally a scope;
the code is shown once (four groups of four characters from an alphabet with no
look-alikes, 78 bits) and only its SHA-256 is stored. The station sends it with
its signed enrollment request: a valid, unused, unexpired code for the same role
enrolls the station approved at once (the coordinator approved it by issuing
the code), with the code's scope, and uses the code up. Without one the request
is refused 403 ``bad_enrollment_code`` before any write, counted and summarized
(services/refusals.py). A code never lets anyone take an existing station's id.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from typing import Any

from sqlalchemy import select

from prep_core.signing import fingerprint
from sync_server.db.tables import enrollment_codes, stations
from sync_server.services import audit, refusals
from sync_server.services.context import Context
from sync_server.services.errors import ServiceError, conflict, forbidden, unprocessable
from sync_server.services.scope import parse_scope
from sync_server.services.stations import ROLES, check_request, insert_station, station_info

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U
GROUPS, GROUP = 4, 4
_SEPARATORS = re.compile(r"[\s\-_.]")


def new_code() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP))
    return "-".join(chars[i : i + GROUP] for i in range(0, len(chars), GROUP))


def bad_code() -> ServiceError:
    return forbidden(
        "bad_enrollment_code",
        "código de inscripción inválido, vencido o ya usado: pida uno nuevo a la coordinación",
        "invalid, expired or already used enrollment code: ask the coordinators for a new one",
    )


def code_hash(code: Any) -> str:
    """SHA-256 of the code as typed, once spaces and dashes are removed and
    letters uppercased; 403 ``bad_enrollment_code`` when it cannot be a code."""
    if not isinstance(code, str) or len(code) > 64:
        raise bad_code()
    norm = _SEPARATORS.sub("", code).upper()
    if len(norm) != GROUPS * GROUP or any(c not in ALPHABET for c in norm):
        raise bad_code()
    return hashlib.sha256(norm.encode()).hexdigest()


def issue(ctx: Context, role: Any, label: Any, scope_doc: Any, user: str) -> dict[str, Any]:
    """A new code for a station of ``role``; the code itself is returned only here."""
    if role not in ROLES:
        raise unprocessable(
            "bad_role", "rol debe ser CATD, CCV o CASILLA", "role must be CATD, CCV or CASILLA"
        )
    if not isinstance(label, str) or not 0 < len(label.strip()) <= 200:
        raise unprocessable(
            "bad_label",
            "la etiqueta es un texto de 1 a 200 caracteres",
            "the label is a text of 1 to 200 characters",
        )
    scope = parse_scope(scope_doc)
    code = new_code()
    h = code_hash(code)
    now = ctx.now()
    expires = now + ctx.settings.enrollment_code_hours * 3_600_000
    with ctx.store.write() as conn:
        conn.execute(
            enrollment_codes.insert().values(
                code_hash=h,
                role=role,
                scope=scope.to_json() if scope else None,
                label=label.strip(),
                created_by=user,
                created_at=now,
                expires_at=expires,
            )
        )
        audit.append(
            conn,
            now,
            f"user:{user}",
            "enrollment_code_issued",
            {
                "code": h[:12],
                "role": role,
                "label": label.strip(),
                "scope": json.loads(scope.to_json()) if scope else None,
                "expires_at": expires,
            },
        )
    return {"code": code, "expires_at": expires, "role": role, "label": label.strip()}


def list_codes(ctx: Context, limit: int = 500) -> list[dict[str, Any]]:
    with ctx.store.read() as conn:
        rows = conn.execute(
            select(enrollment_codes).order_by(enrollment_codes.c.created_at.desc()).limit(limit)
        ).all()
    return [
        {
            "id": r.code_hash[:12],
            "label": r.label,
            "role": r.role,
            "scope": json.loads(r.scope) if r.scope else None,
            "created_by": r.created_by,
            "created_at": r.created_at,
            "expires_at": r.expires_at,
            "used_at": r.used_at,
            "used_by": r.used_by,
        }
        for r in rows
    ]


def _usable(row: Any, sid: str, now: int) -> bool:
    """Unused and unexpired, or used by this very station (a retried request)."""
    if row is None:
        return False
    if row.used_at is not None:
        return bool(row.used_by == sid)
    return bool(row.expires_at > now)


def _checked(ctx: Context, doc: Any) -> tuple[str, bytes, str, Any]:
    """Everything that needs no write: the request, its signature, its code."""
    code = doc.get("code") if isinstance(doc, dict) else None
    h = code_hash(code)
    sid, key = check_request(doc)
    with ctx.store.read() as conn:
        row = conn.execute(select(enrollment_codes).where(enrollment_codes.c.code_hash == h)).first()
    if not _usable(row, sid, ctx.now()):
        raise bad_code()
    return sid, key, h, row


def enroll(ctx: Context, doc: Any) -> dict[str, Any]:
    """An online enrollment request carrying a code (``POST /api/v1/stations/enroll``)."""
    try:
        sid, key, h, code = _checked(ctx, doc)
    except ServiceError as err:
        refusals.refused(ctx, "enrollment", err.code)
        raise
    if sid == ctx.settings.server_station:
        raise conflict("reserved_id", "identificador reservado", "reserved station id")
    if doc["role"] != code.role:
        raise unprocessable(
            "role_mismatch",
            f"el código es para una estación {code.role}, no {doc['role']}",
            f"the code is for a {code.role} station, not {doc['role']}",
        )
    now = ctx.now()
    with ctx.store.write() as conn:
        code = conn.execute(
            select(enrollment_codes).where(enrollment_codes.c.code_hash == h)
        ).one()
        if not _usable(code, sid, now):  # used meanwhile
            raise bad_code()
        row = conn.execute(select(stations).where(stations.c.id == sid)).first()
        if row is not None and row.fingerprint != fingerprint(key):
            raise conflict(
                "station_exists",
                "ya existe una estación con ese identificador y otra llave",
                "a station with this id and another key exists",
            )
        if row is not None and (code.used_at is not None or row.status != "pending"):
            return station_info(row)  # a retry, or a station enrolled before
        approved = {
            "status": "approved",
            "decided_at": now,
            "decided_by": code.created_by,
            "scope": code.scope,
            "role": code.role,
        }
        if row is None:
            insert_station(conn, doc, key, now, **approved)
        else:  # its request came on USB first: the code approves it
            conn.execute(stations.update().where(stations.c.id == sid).values(**approved))
        conn.execute(
            enrollment_codes.update()
            .where(enrollment_codes.c.code_hash == h)
            .values(used_at=now, used_by=sid)
        )
        audit.append(
            conn,
            now,
            f"station:{sid}",
            "station_enrolled",
            {
                "station": sid,
                "role": code.role,
                "fingerprint": fingerprint(key),
                "code": h[:12],
                "label": code.label,
                "issued_by": code.created_by,
                "scope": json.loads(code.scope) if code.scope else None,
            },
        )
        return station_info(conn.execute(select(stations).where(stations.c.id == sid)).one())
