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

from prep_core.events import canonical
from prep_core.signing import b64
from prep_io.codehash import running_code_hash
from sync_server.db.tables import actas, cuts, events, stations
from sync_server.services import audit
from sync_server.services.audit_heads import sign_head
from sync_server.services.context import Context
from sync_server.services.errors import conflict
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
    if path.exists():
        raise conflict("zero_issued", "la puesta en ceros ya se certificó",
                       "the puesta en ceros was already certified")
    with ctx.store.write() as conn:
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


def published_certificates(ctx: Context) -> dict[str, Any]:
    """For the console: the running code hash and the certificates published."""
    folder = ctx.settings.publish_path / CERTS
    found = [
        (p.stem, hashlib.sha256(p.read_bytes()).hexdigest())
        for p in sorted(folder.glob("*.json")) if folder.is_dir()
    ]
    return {"code_hash": running_code_hash(), "certificates": found}
