"""Signed receipts: what a station keeps as proof that the server holds its events.

Wire form ``{"receipt": body, "sig": base64}``; the signature is the server's
Ed25519 signature over the canonical JSON of ``body`` (same canonical form as
events). Verify with the server public key from ``GET /api/v1/server``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from prep_core.events import canonical
from prep_core.signing import KeyPair, b64, unb64, verify

RECEIPT_FORMAT = "prep-receipt/1"


def batch_hash(event_hashes: Sequence[str]) -> str:
    """SHA-256 of the canonical JSON list of the batch's event hashes, in sent order."""
    return hashlib.sha256(canonical(list(event_hashes))).hexdigest()


def make_receipt(key: KeyPair, body: dict[str, Any]) -> dict[str, Any]:
    doc = {"format": RECEIPT_FORMAT, "server": key.fingerprint, **body}
    return {"receipt": doc, "sig": b64(key.sign(canonical(doc)))}


def verify_receipt(public_key: bytes, wire: dict[str, Any]) -> bool:
    try:
        return verify(public_key, unb64(wire["sig"], "sig"), canonical(wire["receipt"]))
    except (KeyError, TypeError, ValueError):
        return False
