"""GET requests signed with the station key (``prep-request/1``), for the
endpoints that need to know which enrolled station asks (work, decisions)."""

from __future__ import annotations

import requests

from capture_station.station import Station
from capture_station.storage.db import Store
from capture_station.storage.outbox import now_ms
from capture_station.sync.client import TIMEOUT, SyncError
from prep_core.station_auth import signed_headers


class SignedClient:
    def __init__(self, station: Station, store: Store, base_url: str, *,
                 session: requests.Session | None = None) -> None:
        self.station, self.store = station, store
        self.base = base_url.rstrip("/")
        self.http = session or requests.Session()
        self.http.trust_env = False

    def _get(self, target: str) -> requests.Response:
        """``target`` (path and query) is sent exactly as signed."""
        headers = signed_headers(self.station.key, self.station.id, now_ms(), "GET", target)
        try:
            return self.http.get(self.base + target, headers=headers, timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise SyncError("sin conexión con el servidor",
                            f"server unreachable: {exc.__class__.__name__}",
                            offline=True) from None
