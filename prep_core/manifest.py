"""The signed manifest of a published cut (docs/SERVER.md, "Publication").

``manifiesto.json`` in each cut's folder::

    {"formato": "prep-manifiesto/1",
     "manifiesto": {"format": "prep-manifest/1", "corte": "20240602_2015",
                    "hora_corte": "02/06/2024 20:15 (UTC-6)", "at": <ms>, "final": false,
                    "servidor": <key fingerprint>, "public_key": <base64>,
                    "codigo": <code hash>, "catalogo": <catalog fingerprint>,
                    "auditoria": {"head": {...}, "sig": ...},
                    "puesta_en_ceros": <sha256 of the certificate> | null,
                    "elecciones": {"DIP_LOC": {"nombre", "csv", "zip", "cifras", "votos",
                                               "boletas_especiales": {CLAVE_CASILLA: n}}},
                    "archivos": {<path in the cut's folder>: <sha256>},
                    "imagenes": ["ab/ab12….jpg", …]},
     "sig": <base64 Ed25519 signature of the canonical JSON of "manifiesto">}

Every file of the cut's folder but the manifest itself is listed with its
SHA-256; images (outside the folder, shared by every cut) are listed by name,
and a name is the SHA-256 of the file's bytes.
"""

from __future__ import annotations

from typing import Any

from prep_core.events import canonical
from prep_core.signing import KeyPair, b64, fingerprint, unb64, verify

FORMAT = "prep-manifest/1"
WIRE_FORMAT = "prep-manifiesto/1"
NAME = "manifiesto.json"
KEY_NAME = "llave-publica.json"


def sign_manifest(key: KeyPair, doc: dict[str, Any]) -> dict[str, Any]:
    return {"formato": WIRE_FORMAT, "manifiesto": doc, "sig": b64(key.sign(canonical(doc)))}


def signed_manifest_bytes(key: KeyPair, doc: dict[str, Any]) -> bytes:
    """``manifiesto.json``: the canonical JSON of :func:`sign_manifest`'s document,
    made from the one canonical serialization of ``doc`` that is signed (at INE
    size ``doc`` lists some 345,000 files: serializing it twice costs a second)."""
    body = canonical(doc)
    sig = b64(key.sign(body))
    return b"".join((b'{"formato":', canonical(WIRE_FORMAT), b',"manifiesto":', body,
                     b',"sig":', canonical(sig), b"}"))


def signature_ok(doc: Any, sig: Any, public_key: bytes) -> bool:
    """Whether ``sig`` signs ``doc`` under ``public_key`` (never raises)."""
    try:
        return verify(public_key, unb64(sig, "sig"), canonical(doc))
    except (TypeError, ValueError):
        return False


def head_ok(wire: Any, public_key: bytes) -> bool:
    """A signed audit head (``prep-audit-head/1``) under ``public_key``."""
    try:
        return wire["head"]["server"] == fingerprint(public_key) and signature_ok(
            wire["head"], wire["sig"], public_key
        )
    except (KeyError, TypeError):
        return False


def public_key_doc(key: KeyPair) -> dict[str, str]:
    """``llave-publica.json``: the publication key a difusor checks manifests with."""
    return {
        "formato": "prep-llave-publica/1",
        "algoritmo": "Ed25519",
        "public_key": b64(key.public_bytes),
        "fingerprint": key.fingerprint,
    }
