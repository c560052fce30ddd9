"""Images addressed by their SHA-256: upload (bytes must match the hash) and read.

Only an approved station uploads (a signed request, ``prep-request/1``), and only
an image one of its own signed digitalización events names: an event the server
already accepted, or the not-yet-sent event the upload carries (``X-PREP-Event``).
Each station has a quota (``settings.image_quota_bytes``) over the images it
uploaded, inline in batches included. See docs/SERVER.md, *Images*."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json

from sqlalchemy import Connection, select

from prep_core.errors import PrepError
from prep_core.events import Kind, SignedEvent, signed_from_wire
from prep_core.signing import unb64
from sync_server.db.tables import events, images, stations
from sync_server.services import json_limits
from sync_server.services.batch_parse import _HEX64, check_image
from sync_server.services.context import Context
from sync_server.services.errors import ServiceError, forbidden, not_found, unprocessable
from sync_server.services.quota import check_quota

MEDIA = {
    b"\x89PNG": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"II*\x00": "image/tiff",
    b"MM\x00*": "image/tiff",
    b"%PDF": "application/pdf",
}
MAX_EVENT_HEADER = 16_384  # base64 of one signed event's wire JSON


def media_type(data: bytes) -> str:
    for magic, mt in MEDIA.items():
        if data.startswith(magic):
            return mt
    return "application/octet-stream"


def _check_sha(sha: str) -> None:
    if not _HEX64.match(sha):
        raise unprocessable("bad_sha256", "SHA-256 hex en minúsculas", "lowercase SHA-256 hex")


def _not_named(es: str, en: str) -> ServiceError:
    return forbidden(
        "image_not_named",
        f"ningún evento de digitalización de la estación nombra esta imagen: {es}",
        f"no digitalization event of this station names this image: {en}",
    )


def _named_by_accepted(conn: Connection, station: str, sha: str) -> bool:
    rows = conn.execute(
        select(events.c.body).where(
            events.c.station == station,
            events.c.kind == Kind.DIGITALIZACION.value,
            events.c.body.contains(sha),
        )
    )
    return any(json.loads(r.body).get("payload", {}).get("image") == sha for r in rows)


def _carried_event(header: str, limit: int) -> SignedEvent:
    if len(header) > MAX_EVENT_HEADER:
        raise _not_named("X-PREP-Event demasiado grande", "X-PREP-Event too large")
    try:
        raw = base64.b64decode(header, validate=True)
    except (binascii.Error, ValueError):
        raise _not_named("X-PREP-Event no es base64", "X-PREP-Event is not base64") from None
    try:
        return signed_from_wire(json_limits.loads(raw, limit), "X-PREP-Event")
    except (PrepError, ServiceError) as exc:
        es, en = (exc.message_es, exc.message_en)
        raise _not_named(es, en) from None


def _check_named(ctx: Context, station: str, sha: str, header: str | None) -> None:
    """The image is named by an accepted digitalización event of ``station`` or by
    the signed, not yet accepted one in ``header``; else 403 ``image_not_named``."""
    with ctx.store.read() as conn:
        row = conn.execute(select(stations).where(stations.c.id == station)).one()
        if _named_by_accepted(conn, station, sha):
            return
    if not header:
        raise _not_named("envíe el evento en X-PREP-Event", "send the event in X-PREP-Event")
    se = _carried_event(header, ctx.settings.max_json_depth)
    ev = se.event
    try:
        se.verify(unb64(row.public_key, "public_key"))
    except PrepError:
        raise _not_named("la firma del evento no es de la estación",
                         "the event is not signed by the station") from None
    if ev.station != station or ev.kind is not Kind.DIGITALIZACION:
        raise _not_named("el evento no es una digitalización de la estación",
                         "the event is no digitalization of the station")
    if ev.payload.get("image") != sha:
        raise _not_named("el evento nombra otra imagen", "the event names another image")
    if ev.seq <= row.last_seq:
        raise _not_named("el evento ya fue aceptado con otra imagen o es antiguo",
                         "the event is older than the station's head")


def put_image(
    ctx: Context, station: str, sha: str, data: bytes, event_header: str | None = None
) -> dict[str, object]:
    """Store an image uploaded by the approved ``station`` (already authenticated)."""
    _check_sha(sha)
    check_image(sha, data, ctx.settings.max_image_bytes)
    _check_named(ctx, station, sha, event_header)
    with ctx.store.write() as conn:
        exists = conn.execute(select(images.c.sha256).where(images.c.sha256 == sha)).first()
        if exists is None:
            check_quota(
                conn,
                ctx.image_usage,
                station,
                len(data),
                ctx.settings.image_quota_bytes,
                cached=ctx.store.is_sqlite,
            )
            conn.execute(
                images.insert().values(
                    sha256=sha,
                    size=len(data),
                    media_type=media_type(data),
                    data=data,
                    received_at=ctx.now(),
                    station=station,
                    sha512=hashlib.sha512(data).hexdigest(),
                )
            )
    if exists is None:
        ctx.image_usage.stored(station, len(data))
    return {"sha256": sha, "size": len(data), "stored": exists is None}


def get_image(ctx: Context, sha: str) -> tuple[bytes, str]:
    _check_sha(sha)
    with ctx.store.read() as conn:
        row = conn.execute(
            select(images.c.data, images.c.media_type).where(images.c.sha256 == sha)
        ).first()
    if row is None:
        raise not_found("unknown_image", "imagen desconocida", "unknown image")
    return bytes(row.data), row.media_type
