"""What the station tells an auditor about itself (the *Acerca de* dialog and the
status bar): the code hash of the installed programs (the same SHA-256 that
``prep integrity`` prints, the server's console shows and every published manifest
and certificate carries), the program's version and, once the station is open,
its id, role, key fingerprint and catalog fingerprint."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

from capture_station.station import Station
from prep_core.signing import short_fingerprint
from prep_io.codehash import running_code_hash

DIST = "prep-abierto"


@dataclass(frozen=True)
class About:
    code_hash: str
    version: str
    station: str = ""  # "CATD01 (CATD)", empty before the station is opened
    key_fingerprint: str = ""
    catalog: str = ""  # the catalog's name and fingerprint


def code_hash() -> str:
    return running_code_hash()


def about(station: Station | None = None) -> About:
    try:
        version = metadata.version(DIST)
    except metadata.PackageNotFoundError:
        version = "—"
    if station is None:
        return About(code_hash(), version)
    c = station.config
    return About(
        code_hash(),
        version,
        station=f"{c.station} ({c.role})",
        key_fingerprint=short_fingerprint(station.key.fingerprint),
        catalog=f"{station.catalog.name} · {station.catalog.fingerprint}",
    )
