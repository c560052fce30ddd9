"""Work for capture stations: the actas awaiting capture or verification, and the
images to capture from, for an enrolled station that signs its requests.

Blind, as on the station: an item names the acta, its election, the image and
the fields to type (every field for a capture, only the disputed ones for a
verification), never a reading. Derived from the existing tables on every
request (``actas`` picks the candidates, their events decide), so nothing is
stored and a station's list changes as soon as its captures are merged.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import and_, exists, not_, or_, select

from prep_core.acta import acta_fields
from prep_core.derive import Policy, Status, current_captures, open_since
from prep_core.events import CAPTURE_KINDS, canonical
from sync_server.db.tables import actas, events
from sync_server.services import images, signed_requests, tally
from sync_server.services.context import Context
from sync_server.services.errors import forbidden

ROLES = ("CCV", "CATD")
OPEN = (Status.DIGITALIZADA.value, Status.CAPTURADA.value, Status.DISCREPANCIA.value)
CAPTURE, VERIFY = "captura", "verificacion"
MAX_ITEMS = 200
CHUNK = 100
_CAPTURE_KINDS = tuple(k.value for k in CAPTURE_KINDS)
_DECISION_KINDS = ("cotejo", "resolucion", "correccion")


def authenticate(
    ctx: Context,
    station: str | None,
    at: str | None,
    sig: str | None,
    method: str,
    target: str,
) -> str:
    """The id of the approved CCV or CATD station that signed this request."""
    sid, role = signed_requests.authenticate(ctx, station, at, sig, method, target)
    if role not in ROLES:
        raise forbidden(
            "role_not_allowed",
            "sólo una estación CCV o CATD recibe actas para capturar",
            "only a CCV or CATD station receives actas to capture",
        )
    return sid


def item_for(
    ctx: Context, station: str, clave: str, loaded: tally.Loaded, policy: Policy
) -> dict[str, Any] | None:
    """The work item of one acta for ``station``, or None when it has none."""
    evs = loaded.by_acta.get(clave, [])
    since = open_since(evs, loaded.order)
    if any(e.station == station for e in current_captures(evs, loaded.order)):
        return None  # this station already captured it in this round: never twice
    expected = ctx.acta(clave)
    state = loaded.derive(clave, policy)
    if expected is None or not state.images:
        return None
    if state.status in (Status.DIGITALIZADA, Status.CAPTURADA):
        mode, fields = CAPTURE, acta_fields(expected.election.vote_fields)
    elif state.status is Status.DISCREPANCIA and state.disputed:
        mode, fields = VERIFY, state.disputed
    else:
        return None
    doc: dict[str, Any] = {
        "clave_acta": clave,
        "election": expected.election.id,
        "mode": mode,
        "fields": list(fields),
        "image": state.images[-1].sha256,
        "since": since,
    }
    doc["ticket"] = hashlib.sha256(canonical(doc)).hexdigest()
    return doc


def work_items(ctx: Context, station: str, limit: int) -> dict[str, Any]:
    """Up to ``limit`` items, oldest image first."""
    limit = max(1, min(limit, MAX_ITEMS))
    mine = exists().where(
        and_(
            events.c.clave_acta == actas.c.clave_acta,
            events.c.station == station,
            events.c.kind.in_(_CAPTURE_KINDS),
        )
    )
    reopened = exists().where(
        and_(events.c.clave_acta == actas.c.clave_acta, events.c.kind.in_(_DECISION_KINDS))
    )
    base = (
        select(actas.c.clave_acta)
        .where(
            actas.c.status.in_(OPEN),
            actas.c.election_id.is_not(None),
            or_(not_(mine), reopened),  # the exact rule is item_for's
        )
        .order_by(actas.c.fecha_digitalizacion, actas.c.clave_acta)
    )
    items: list[dict[str, Any]] = []
    offset = 0
    with ctx.store.read() as conn:
        while len(items) < limit:
            claves = list(conn.scalars(base.offset(offset).limit(CHUNK)))
            if not claves:
                break
            offset += len(claves)
            loaded = tally.load_events(conn, claves, ctx.event_cache)
            policy = tally.policy_of(conn)
            for clave in claves:
                item = item_for(ctx, station, clave, loaded, policy)
                if item is not None:
                    items.append(item)
                    if len(items) == limit:
                        break
    return {"station": station, "catalog": ctx.fingerprint, "at": ctx.now(), "items": items}


def work_image(ctx: Context, sha: str) -> tuple[bytes, str]:
    return images.get_image(ctx, sha)
