"""Approval files: offline enrollment of a station (format ``prep-approval/1``).

A station with no network exports its signed enrollment request to a file; a
coordinator imports it in the console and approves it; the console then gives an
approval file, signed with the server's key, that the station imports. The file
tells the station that it is approved, under which catalog, and which server key
signs the receipts it will be given for its batches (USB or HTTP).

    {"format": "prep-approval/1",
     "approval": {"station", "role", "name", "public_key", "fingerprint",
                  "catalog", "server": {"station", "public_key"},
                  "decided_at", "decided_by", "issued_at"},
     "sig": base64(Ed25519(server key, canonical(approval)))}
"""

from __future__ import annotations

from typing import Any

from prep_core.errors import PrepError
from prep_core.events import canonical
from prep_core.signing import KeyPair, b64, fingerprint, unb64, verify

APPROVAL_FORMAT = "prep-approval/1"
BODY_FIELDS = frozenset(
    {
        "station",
        "role",
        "name",
        "public_key",
        "fingerprint",
        "catalog",
        "server",
        "decided_at",
        "decided_by",
        "issued_at",
    }
)


def sign_approval(server_key: KeyPair, body: dict[str, Any]) -> dict[str, Any]:
    """The approval file for ``body`` (see the module docstring for its fields)."""
    if set(body) != BODY_FIELDS:
        raise ValueError(f"approval fields: {sorted(BODY_FIELDS)}")
    return {
        "format": APPROVAL_FORMAT,
        "approval": body,
        "sig": b64(server_key.sign(canonical(body))),
    }


def _bad(es: str, en: str) -> PrepError:
    return PrepError(es, en, where="archivo de aprobación")


def check_approval(
    doc: Any, *, station: str, public_key: bytes, catalog: str, server_key: bytes | None
) -> dict[str, Any]:
    """The approval body once the file is shown to be for this station, its key
    and its catalog, and signed by the server key it names (which must be
    ``server_key`` when the station already knows one)."""
    if not isinstance(doc, dict) or doc.get("format") != APPROVAL_FORMAT:
        raise _bad("no es un archivo de aprobación de la consola", "not a console approval file")
    body, sig = doc.get("approval"), doc.get("sig")
    if not isinstance(body, dict) or set(body) != BODY_FIELDS or not isinstance(sig, str):
        raise _bad("archivo de aprobación incompleto", "incomplete approval file")
    server = body["server"]
    if not isinstance(server, dict) or not isinstance(server.get("public_key"), str):
        raise _bad("el archivo no trae la llave del servidor", "the file lacks the server key")
    key = unb64(server["public_key"], "server.public_key")
    if len(key) != 32 or not verify(key, unb64(sig, "sig"), canonical(body)):
        raise _bad(
            "la firma del servidor no es válida (¿archivo alterado?)",
            "the server signature is not valid (altered file?)",
        )
    if server_key is not None and key != server_key:
        raise _bad(
            "la aprobación viene de otro servidor que el ya conocido",
            "the approval comes from another server than the one already known",
        )
    if body["station"] != station:
        raise _bad(
            f"la aprobación es para la estación {body['station']!s:.64}, no para {station}",
            f"the approval is for station {body['station']!s:.64}, not {station}",
        )
    if body["public_key"] != b64(public_key) or body["fingerprint"] != fingerprint(public_key):
        raise _bad(
            "la aprobación es para otra llave de esta estación (¿se regeneró la llave?)",
            "the approval is for another key of this station (was the key regenerated?)",
        )
    if body["catalog"] != catalog:
        raise _bad(
            "la aprobación es para otro catálogo (huella distinta)",
            "the approval is for another catalog (different fingerprint)",
        )
    return body
