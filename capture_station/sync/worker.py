"""The sync loop in its own thread (its own database connection): retries with
exponential backoff while the server is unreachable, wakes early on demand."""

from __future__ import annotations

import threading
from collections.abc import Callable

from capture_station.station import Station
from capture_station.sync.client import (
    SyncClient,
    SyncError,
    SyncReport,
    last_receipt,
    pending_count,
)
from capture_station.sync.decisions import fetch_after_sync
from capture_station.sync.work import pull_after_sync


class SyncWorker(threading.Thread):
    def __init__(self, station: Station, url: str, on_report: Callable[[SyncReport], None],
                 *, interval: float = 5.0, max_backoff: float = 60.0, batch_size: int = 200) -> None:
        super().__init__(name="prep-sync", daemon=True)
        self.station, self.url, self.on_report = station, url, on_report
        self.interval, self.max_backoff, self.batch_size = interval, max_backoff, batch_size
        self._wake = threading.Event()
        self._halt = threading.Event()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10) -> None:
        self._halt.set()
        self._wake.set()
        self.join(timeout)

    def run(self) -> None:
        store = self.station.open_store()
        client = SyncClient(self.station, store, self.url, batch_size=self.batch_size)
        failures = 0
        try:
            while not self._halt.is_set():
                try:
                    report = client.sync_once()
                    failures = 0
                    if report.state == "online" and self.station.config.role == "CCV":
                        report = pull_after_sync(self.station, store, self.url, report)
                    if report.state == "online":
                        report = fetch_after_sync(self.station, store, self.url, report)
                except SyncError as exc:
                    failures += 1
                    report = SyncReport("offline" if exc.offline else "error",
                                        pending=pending_count(store),
                                        last_receipt=last_receipt(store),
                                        message_es=exc.message_es, message_en=exc.message_en)
                except Exception as exc:  # a bug must not kill the loop silently
                    failures += 1
                    report = SyncReport("error", pending=pending_count(store),
                                        message_es=f"error interno: {exc!r}",
                                        message_en=f"internal error: {exc!r}")
                self.on_report(report)
                wait = self.interval if failures == 0 else min(self.max_backoff,
                                                                self.interval * 2 ** (failures - 1))
                self._wake.wait(wait)
                self._wake.clear()
        finally:
            store.close()
