"""Offline enrollment on the station: import the approval file the console gives.

The file (see :mod:`prep_core.approval`) must be for this station, its key and
its catalog, and signed by the server key it names. Importing it pins that key:
receipts brought back on USB, and the server met later online, must use it.
"""

from __future__ import annotations

import json
from typing import Any

from capture_station.errors import StationError
from capture_station.station import Station
from capture_station.storage.db import Store
from prep_core.approval import check_approval
from prep_core.errors import PrepError
from prep_core.signing import unb64

SERVER_KEY = "server_public_key"
SERVER_STATION = "server_station"  # the id of the server's own chain (its decisions)
APPROVAL = "approval"


def import_approval(station: Station, store: Store, doc: Any) -> dict[str, Any]:
    """Check and keep the console's approval; the approval body is returned."""
    known = store.get_meta(SERVER_KEY)
    try:
        body = check_approval(
            doc,
            station=station.id,
            public_key=station.key.public_bytes,
            catalog=station.catalog.fingerprint,
            server_key=unb64(known, SERVER_KEY) if known else None,
        )
    except PrepError as exc:
        raise StationError(exc.message_es, exc.message_en, where=exc.where) from None
    with store.tx() as c:
        c.executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            [(SERVER_KEY, body["server"]["public_key"]),
             (SERVER_STATION, str(body["server"].get("station", ""))),
             (APPROVAL, json.dumps(doc))],
        )
    return body


def approval(store: Store) -> dict[str, Any] | None:
    """The approval imported from a file, if any."""
    raw = store.get_meta(APPROVAL)
    return json.loads(raw)["approval"] if raw else None
