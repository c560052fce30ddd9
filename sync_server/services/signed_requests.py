"""Signed requests of enrolled stations (``prep-request/1``, see
:mod:`prep_core.station_auth` and docs/SERVER.md, *Signed requests*): who signed
the request, once the signature, the time and the station's standing are checked.
Each endpoint then decides which roles it serves."""

from __future__ import annotations

from sqlalchemy import select

from prep_core.errors import PrepError
from prep_core.signing import unb64, verify
from prep_core.station_auth import FRESHNESS_MS, is_fresh, request_message
from sync_server.db.tables import stations
from sync_server.services import refusals
from sync_server.services.context import Context
from sync_server.services.errors import ServiceError, forbidden


def unauthorized(code: str, es: str, en: str) -> ServiceError:
    return ServiceError(401, code, es, en)


def authenticate(
    ctx: Context,
    station: str | None,
    at: str | None,
    sig: str | None,
    method: str,
    target: str,
) -> tuple[str, str]:
    """``(station id, role)`` of the approved, unrevoked station that signed this
    request. A refusal is a stranger's: counted and summarized, never written one
    by one (services/refusals.py)."""
    try:
        return _authenticate(ctx, station, at, sig, method, target)
    except ServiceError as err:
        refusals.refused(ctx, "signed_request", err.code)
        raise


def _authenticate(
    ctx: Context,
    station: str | None,
    at: str | None,
    sig: str | None,
    method: str,
    target: str,
) -> tuple[str, str]:
    if not station or not at or not sig:
        raise unauthorized(
            "unsigned_request",
            "solicitud sin firma: faltan X-Prep-Station, X-Prep-At o X-Prep-Signature",
            "unsigned request: X-Prep-Station, X-Prep-At or X-Prep-Signature missing",
        )
    if not at.isascii() or not at.isdigit() or len(at) > 15:
        raise unauthorized(
            "bad_request_time", "X-Prep-At no es un entero", "X-Prep-At is no integer"
        )
    if not is_fresh(int(at), ctx.now()):
        raise unauthorized(
            "stale_request",
            f"la hora de la solicitud difiere de la del servidor en más de "
            f"{FRESHNESS_MS // 60000} minutos: revise el reloj de la estación",
            f"the request time differs from the server's by more than "
            f"{FRESHNESS_MS // 60000} minutes: check the station's clock",
        )
    with ctx.store.read() as conn:
        row = conn.execute(select(stations).where(stations.c.id == station)).first()
    if row is None or row.role == "SERVER":
        raise forbidden("unknown_station", "estación desconocida", "unknown station")
    try:
        signature = unb64(sig, "X-Prep-Signature")
        key = unb64(row.public_key, "public_key")
    except PrepError:
        signature, key = b"", b""
    if not verify(key, signature, request_message(station, int(at), method, target)):
        raise unauthorized(
            "bad_signature",
            "la firma de la solicitud no corresponde a la llave registrada de la estación",
            "the request signature does not match the station's enrolled key",
        )
    if row.status == "revoked":
        raise forbidden("revoked", "la estación fue revocada", "the station was revoked")
    if row.status != "approved":
        raise forbidden(
            "not_approved", "la estación aún no está aprobada", "the station is not approved yet"
        )
    return str(station), str(row.role)
