"""Signed heads of the audit chain: what makes the audit log impossible to trim.

At every cut and at shutdown the server signs the chain's head (last ``seq`` and
its ``hash``) with its Ed25519 key and keeps it in ``audit_heads``; each cut also
publishes it (``auditoria.json``). Deleting the last entries of the log, or
rewriting them, leaves a chain that no longer reaches a signed head, which
``prep audit verify`` reports. Signed document (canonical JSON, as events)::

    {"format": "prep-audit-head/1", "server": <fingerprint>, "public_key": <base64>,
     "audit_seq": 1234, "audit_hash": "…", "at": <ms>, "reason": "cut"}
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from prep_core.events import canonical
from prep_core.signing import KeyPair, b64, fingerprint, unb64, verify
from sync_server.db.tables import audit_heads, audit_log
from sync_server.services.audit import GENESIS
from sync_server.services.context import Context

HEAD_FORMAT = "prep-audit-head/1"
PUBLISHED_NAME = "auditoria.json"


def sign_head(key: KeyPair, conn: Connection, at: int, reason: str) -> dict[str, Any]:
    """Sign the audit chain's head inside the caller's write transaction, store it,
    and return its wire form ``{"head": doc, "sig": base64}``."""
    last = conn.execute(
        select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    seq, digest = (int(last.seq), str(last.hash)) if last else (0, GENESIS)
    doc = {
        "format": HEAD_FORMAT,
        "server": key.fingerprint,
        "public_key": b64(key.public_bytes),
        "audit_seq": seq,
        "audit_hash": digest,
        "at": at,
        "reason": reason,
    }
    text = canonical(doc)
    sig = b64(key.sign(text))
    conn.execute(
        audit_heads.insert().values(
            audit_seq=seq, audit_hash=digest, at=at, reason=reason, doc=text.decode(), sig=sig
        )
    )
    return {"head": doc, "sig": sig}


def sign_now(ctx: Context, reason: str) -> dict[str, Any]:
    """Sign the head in a transaction of its own (at shutdown, or on request)."""
    with ctx.store.write() as conn:
        return sign_head(ctx.key, conn, ctx.now(), reason)


def head_signature_ok(wire: Any, public_key: bytes | None = None) -> bool:
    """Whether a head's signature verifies, under ``public_key`` when given (the
    key the verifier trusts), else under the key the head names."""
    try:
        doc = wire["head"]
        key = public_key if public_key is not None else unb64(doc["public_key"], "public_key")
        if fingerprint(key) != doc["server"]:
            return False
        return verify(key, unb64(wire["sig"], "sig"), canonical(doc))
    except (KeyError, TypeError, ValueError):
        return False


def stored_heads(conn: Connection) -> list[tuple[int, dict[str, Any], str, int, str]]:
    """Every stored head as (row id, signed document, sig, audit_seq, audit_hash)."""
    out = []
    rows = conn.execute(select(audit_heads).order_by(audit_heads.c.id))
    for r in rows:
        try:
            doc = json.loads(r.doc)
        except ValueError:
            doc = {}
        out.append((int(r.id), doc, str(r.sig), int(r.audit_seq), str(r.audit_hash)))
    return out
