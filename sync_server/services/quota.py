"""The images a station uploaded (``images.station``, inline batch images too)
against its quota, ``settings.image_quota_bytes``.

On PostgreSQL the sum is asked each time (the image bytes are stored apart from
the row, so the scan reads small rows). On SQLite the station column comes after
the image bytes in each row, so reading it reads every image: the sums are read
once, grouped by station, and then kept up to date in memory as images are
stored (one server process writes a SQLite database)."""

from __future__ import annotations

import threading
from collections.abc import Mapping

from sqlalchemy import Connection, func, select

from sync_server.db.tables import images
from sync_server.services.errors import ServiceError


class ImageUsage:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_station: dict[str, int] | None = None

    def used(self, conn: Connection, station: str, *, cached: bool) -> int:
        if not cached:
            q = select(func.coalesce(func.sum(images.c.size), 0)).where(
                images.c.station == station
            )
            return int(conn.scalar(q) or 0)
        with self._lock:
            if self._by_station is None:
                q = (
                    select(images.c.station, func.sum(images.c.size))
                    .where(images.c.station.is_not(None))
                    .group_by(images.c.station)
                )
                self._by_station = {s: int(n) for s, n in conn.execute(q)}
            return self._by_station.get(station, 0)

    def stored(self, station: str, size: int) -> None:
        """``size`` more bytes of ``station`` were committed."""
        with self._lock:
            if self._by_station is not None:
                self._by_station[station] = self._by_station.get(station, 0) + size


def new_bytes(conn: Connection, new: Mapping[str, bytes]) -> int:
    """The bytes of the images in ``new`` that the server does not hold yet."""
    if not new:
        return 0
    present = set(conn.scalars(select(images.c.sha256).where(images.c.sha256.in_(list(new)))))
    return sum(len(d) for s, d in new.items() if s not in present)


def check_quota(
    conn: Connection, usage: ImageUsage, station: str, adding: int, quota: int, *, cached: bool
) -> None:
    """413 ``image_quota`` when ``adding`` bytes would take ``station`` over ``quota``."""
    if not adding:
        return
    used = usage.used(conn, station, cached=cached)
    if used + adding > quota:
        raise ServiceError(
            413,
            "image_quota",
            f"la estación excedería su cuota de imágenes ({quota} bytes; usa {used})",
            f"the station would exceed its image quota ({quota} bytes; {used} used)",
            extra={"quota": quota, "used": used},
        )
