"""``manifiesto.json`` as written (prep_core/manifest.py): the canonical JSON of the
signed document, its signature over the canonical JSON of the manifest."""

from __future__ import annotations

import json

from prep_core.events import canonical
from prep_core.manifest import sign_manifest, signature_ok, signed_manifest_bytes
from prep_core.signing import KeyPair


def test_the_written_manifest_is_the_canonical_signed_document():
    key = KeyPair.generate()
    doc = {"corte": "20240602_2015", "final": False, "at": 1,
           "archivos": {"b/ñ.html": "ab" * 32, "a.csv": "cd" * 32},
           "elecciones": {"DIP_LOC": {"votos": {"PAN": 3}}}, "auditoria": None}
    data = signed_manifest_bytes(key, doc)
    wire = json.loads(data)
    assert wire == sign_manifest(key, doc)
    assert data == canonical(wire)
    assert signature_ok(wire["manifiesto"], wire["sig"], key.public_bytes)
