"""A CCV station pulls actas to capture from the server (signed requests,
``prep-request/1``), with their images, into its own database and image store.

Each pull replaces the stored list with the server's, so actas verified elsewhere
leave the queue; while offline the stored list stays. Images are stored
content-addressed after checking that their bytes hash to the address; an item
whose image does not match is left out and reported, the others are kept.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any

from capture_station import work_queue
from capture_station.errors import StationError
from capture_station.station import Station
from capture_station.storage.db import Store
from capture_station.storage.images import media_type
from capture_station.storage.outbox import now_ms
from capture_station.sync.client import SyncClient, SyncError, SyncReport
from capture_station.sync.signed import SignedClient

WORK_PATH = "/api/v1/work"
DEFAULT_LIMIT = 50


@dataclass
class PullReport:
    items: int  # listed by the server and stored
    new: int  # not seen before
    images: int  # images downloaded


class WorkClient(SignedClient):
    def _image(self, sha: str) -> bytes | None:
        """The image's bytes, or None when they do not hash to ``sha``."""
        resp = self._get(f"{WORK_PATH}/images/{sha}")
        if resp.status_code != 200:
            raise SyncClient._fail(resp)
        data = resp.content
        return data if hashlib.sha256(data).hexdigest() == sha else None

    def _items(self) -> list[work_queue.WorkItem]:
        resp = self._get(f"{WORK_PATH}?limit={DEFAULT_LIMIT}")
        if resp.status_code != 200:
            raise SyncClient._fail(resp)
        try:
            doc: Any = resp.json()
        except ValueError:
            doc = None
        if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
            raise SyncError("respuesta del servidor ilegible (lista de actas por capturar)",
                            "unreadable server answer (work list)", code="bad_work")
        if doc.get("catalog") != self.station.catalog.fingerprint:
            raise SyncError("el servidor usa otro catálogo (huella distinta); no se toman actas",
                            "the server uses another catalog; no work taken",
                            code="catalog_mismatch")
        try:
            return [work_queue.parse_item(self.station.catalog, x) for x in doc["items"]]
        except StationError as exc:
            raise SyncError(exc.message_es, exc.message_en, code="bad_work") from None

    def pull(self) -> PullReport:
        """Fetch the list and the missing images; raises SyncError (nothing changes
        offline; an image that does not match its hash is reported after the others
        are stored)."""
        items = self._items()
        good, bad, fetched = [], [], {}
        for it in items:
            if it.image not in fetched and not self._have(it.image):
                data = self._local(it.image) or self._image(it.image)
                if data is None:
                    bad.append(it)
                    continue
                self.station.images.put(data)  # before the transaction: at worst an orphan
                fetched[it.image] = data
            good.append(it)
        with self.store.tx() as c:
            for sha, data in fetched.items():
                c.execute("INSERT OR IGNORE INTO images (sha256, size, media_type, stored_at, "
                          "uploaded) VALUES (?, ?, ?, ?, 1)",
                          (sha, len(data), media_type(data), now_ms()))
            new = work_queue.replace_open(c, good, now_ms())
        if bad:
            claves = ", ".join(sorted({it.clave_acta for it in bad}))
            raise SyncError(f"la imagen recibida no coincide con su SHA-256 (actas {claves}); "
                            "no se usa y se pedirá de nuevo",
                            f"the image received does not match its SHA-256 (actas {claves}); "
                            "not used, it will be asked for again", code="image_hash_mismatch")
        return PullReport(len(good), new, len(fetched))

    def _have(self, sha: str) -> bool:
        """Recorded and on disk (checked against its hash when it was stored)."""
        return (self.store.one("SELECT 1 FROM images WHERE sha256 = ?", sha) is not None
                and self.station.images.exists(sha))

    def _local(self, sha: str) -> bytes | None:
        """A file left by an interrupted pull, if intact."""
        if not self.station.images.exists(sha):
            return None
        data = self.station.images.get(sha)
        if hashlib.sha256(data).hexdigest() == sha:
            return data
        self.station.images.path(sha).unlink()  # damaged: fetched again
        return None


def pull_after_sync(station: Station, store: Store, url: str, report: SyncReport) -> SyncReport:
    """After a successful sync round: pull work, and say so in the round's report."""
    try:
        r = WorkClient(station, store, url).pull()
    except SyncError as exc:
        return replace(report, message_es=exc.message_es, message_en=exc.message_en)
    return replace(report, message_es=f"actas del servidor por capturar: {r.items}",
                   message_en=f"actas from the server to capture: {r.items}")
