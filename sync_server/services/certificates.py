"""The *puesta en ceros* and closing certificates (docs/SERVER.md, "Certificates").

*Puesta en ceros*, before the first cut: the database holds no results (no event,
no acta, no cut), which code runs (its hash), which catalog, the publication key,
and the stations approved with their key fingerprints. Closing, with the final
cut: the final cut's name and manifest hash, its figures, the code hash. Each is
signed with the server key, audited (with the audit head signed after it) and
published under ``certificados/``::

    {"formato": "prep-certificado/1", "certificado": {"format":
     "prep-puesta-en-ceros/1" | "prep-cierre/1", ...}, "sig": <base64>}
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from prep_core.errors import PrepError
from prep_core.events import canonical
from prep_core.signing import b64, unb64, verify
from prep_io.codehash import running_code_hash
from sync_server.db.tables import actas, cuts, events, stations
from sync_server.services import audit
from sync_server.services.audit_heads import sign_head
from sync_server.services.context import Context
from sync_server.services.errors import conflict, not_found
from sync_server.services.publish import CERTS, ZERO_CERT, write_public

CLOSING_CERT = "cierre.json"


def _signed(ctx: Context, doc: dict[str, Any]) -> bytes:
    wire = {"formato": "prep-certificado/1", "certificado": doc,
            "sig": b64(ctx.key.sign(canonical(doc)))}
    return json.dumps(wire, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def zero_certificate(ctx: Context, user: str) -> dict[str, Any]:
    """Issue the *puesta en ceros* certificate; refused (409) when the database
    already holds results or a cut, or when it was issued already."""
    path = ctx.settings.publish_path / CERTS / ZERO_CERT
    with ctx.store.write() as conn:  # under the write lock: two requests issue one
        if path.exists():
            raise conflict("zero_issued", "la puesta en ceros ya se certificó",
                           "the puesta en ceros was already certified")
        counts = {
            "eventos": conn.scalar(select(func.count()).select_from(events)) or 0,
            "actas": conn.scalar(select(func.count()).select_from(actas)) or 0,
            "cortes": conn.scalar(select(func.count()).select_from(cuts)) or 0,
        }
        if any(counts.values()):
            raise conflict(
                "not_zero",
                f"la base no está en ceros: {counts}",
                f"the database is not at zero: {counts}",
            )
        approved = conn.execute(
            select(stations.c.id, stations.c.role, stations.c.fingerprint)
            .where(stations.c.status == "approved", stations.c.id != ctx.settings.server_station)
            .order_by(stations.c.id)
        ).all()
        now = ctx.now()
        doc = {
            "format": "prep-puesta-en-ceros/1",
            "at": now,
            "servidor": ctx.key.fingerprint,
            "public_key": b64(ctx.key.public_bytes),
            "codigo": running_code_hash(),
            "catalogo": ctx.catalog.fingerprint,
            "actas_esperadas": dict(ctx.expected),
            "en_ceros": counts,
            "estaciones": [
                {"id": r.id, "rol": r.role, "huella": r.fingerprint} for r in approved
            ],
        }
        data = _signed(ctx, doc)
        audit.append(conn, now, f"user:{user}", "puesta_en_ceros", {
            "sha256": hashlib.sha256(data).hexdigest(), "codigo": doc["codigo"],
            "estaciones": len(approved)})
        sign_head(ctx.key, conn, now, "puesta_en_ceros")
        write_public(path, data)  # inside the transaction: no certificate without its entry
    return {"archivo": f"{CERTS}/{ZERO_CERT}", "sha256": hashlib.sha256(data).hexdigest(),
            **doc}


def ensure_zero_certificate(ctx: Context, user: str) -> None:
    """Before the first scheduled cut: issue it when the database is at zero."""
    if (ctx.settings.publish_path / CERTS / ZERO_CERT).exists():
        return
    try:
        zero_certificate(ctx, user)
    except Exception as exc:
        import logging

        logging.getLogger("prep.cuts").warning(
            "sin certificado de puesta en ceros / no puesta en ceros certificate: %s", exc)


def closing_certificate(ctx: Context, user: str, latest: dict[str, Any]) -> dict[str, Any]:
    """Sign the closing certificate for the final cut just published."""
    root: Path = ctx.settings.publish_path
    manifest = root / latest["manifiesto"]
    now = ctx.now()
    doc = {
        "format": "prep-cierre/1",
        "at": now,
        "servidor": ctx.key.fingerprint,
        "codigo": running_code_hash(),
        "catalogo": ctx.catalog.fingerprint,
        "corte_final": latest["corte"],
        "manifiesto_sha256": hashlib.sha256(manifest.read_bytes()).hexdigest(),
        "figuras": latest["figuras"],
    }
    data = _signed(ctx, doc)
    with ctx.store.write() as conn:
        audit.append(conn, now, f"user:{user}", "cierre", {
            "sha256": hashlib.sha256(data).hexdigest(), "corte": latest["corte"]})
        sign_head(ctx.key, conn, now, "cierre")
        write_public(root / CERTS / CLOSING_CERT, data)
    return {"archivo": f"{CERTS}/{CLOSING_CERT}", "sha256": hashlib.sha256(data).hexdigest()}


KINDS = {"prep-puesta-en-ceros/1": "puesta_en_ceros", "prep-cierre/1": "cierre"}
NAMES = (ZERO_CERT, CLOSING_CERT)  # the files a certificate may be published as


def published_certificates(ctx: Context) -> dict[str, Any]:
    """For the console: the running code hash, whether the *puesta en ceros* is
    certified yet, and each certificate published, read back from the publication
    folder with its signature checked against the server key."""
    folder = ctx.settings.publish_path / CERTS
    views = [_view(ctx, name, (folder / name).read_bytes())
             for name in NAMES if (folder / name).is_file()]
    return {
        "code_hash": running_code_hash(),
        "zero_issued": (folder / ZERO_CERT).exists(),
        "certificates": views,
    }


def certificate_file(ctx: Context, name: str) -> bytes:
    """A published certificate's bytes, by its file name (only the known names)."""
    path = ctx.settings.publish_path / CERTS / name
    if name not in NAMES or not path.is_file():
        raise not_found("unknown_certificate", "certificado desconocido", "unknown certificate")
    return path.read_bytes()


def _view(ctx: Context, name: str, data: bytes) -> dict[str, Any]:
    """What the console shows of one certificate file; ``valid`` False when it does
    not parse or its signature is not the server key's."""
    view: dict[str, Any] = {"file": name, "sha256": hashlib.sha256(data).hexdigest()}
    try:
        wire = json.loads(data)
        doc = wire["certificado"]
        valid = verify(ctx.key.public_bytes, unb64(wire["sig"], "sig"), canonical(doc))
    except (ValueError, KeyError, TypeError, PrepError):
        return {**view, "kind": "desconocido", "valid": False}
    return {
        **view,
        "kind": KINDS.get(doc.get("format"), "desconocido"),
        "valid": valid,
        "at": doc.get("at"),
        "codigo": doc.get("codigo"),
        "catalogo": doc.get("catalogo"),
        "servidor": doc.get("servidor"),
        "en_ceros": doc.get("en_ceros"),
        "estaciones": len(doc.get("estaciones") or []),
        "corte_final": doc.get("corte_final"),
        "manifiesto_sha256": doc.get("manifiesto_sha256"),
    }
