"""Approval files (offline enrollment): signed by the server, checked by the station."""

from __future__ import annotations

import copy

import pytest

from prep_core.approval import check_approval, sign_approval
from prep_core.errors import PrepError
from prep_core.signing import KeyPair, b64

SERVER = KeyPair.generate()
STATION = KeyPair.generate()
CATALOG = "c" * 64


def _doc(server: KeyPair = SERVER, **changes: object) -> dict:
    body = {
        "station": "CATD-01",
        "role": "CATD",
        "name": "CATD La Paz",
        "public_key": b64(STATION.public_bytes),
        "fingerprint": STATION.fingerprint,
        "catalog": CATALOG,
        "server": {"station": "SERVIDOR", "public_key": b64(server.public_bytes)},
        "decided_at": 1_717_300_000_000,
        "decided_by": "coordinador",
        "issued_at": 1_717_300_100_000,
        **changes,
    }
    return sign_approval(server, body)


def _check(doc: object, *, station: str = "CATD-01", key: bytes | None = None) -> dict:
    return check_approval(
        doc, station=station, public_key=STATION.public_bytes, catalog=CATALOG, server_key=key
    )


def test_a_good_file_is_accepted_first_time_and_with_its_known_key() -> None:
    assert _check(_doc())["decided_by"] == "coordinador"
    assert _check(_doc(), key=SERVER.public_bytes)["station"] == "CATD-01"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("texto", "no es un archivo de aprobación"),
        ({"format": "prep-approval/1"}, "incompleto"),
        (_doc(station="CATD-02"), "para la estación CATD-02"),
        (_doc(public_key=b64(KeyPair.generate().public_bytes)), "otra llave"),
        (_doc(catalog="d" * 64), "otro catálogo"),
    ],
)
def test_files_for_someone_else_are_refused(doc: object, message: str) -> None:
    with pytest.raises(PrepError, match=message):
        _check(doc)


def test_an_altered_file_or_another_server_is_refused() -> None:
    doc = _doc()
    altered = copy.deepcopy(doc)
    altered["approval"]["decided_by"] = "otra persona"
    with pytest.raises(PrepError, match="firma del servidor no es válida"):
        _check(altered)
    with pytest.raises(PrepError, match="otro servidor"):
        _check(_doc(KeyPair.generate()), key=SERVER.public_bytes)
    with pytest.raises(ValueError):
        sign_approval(SERVER, {"station": "x"})
