"""Station storage: SQLite (WAL, synchronous=FULL) with numbered migrations,
content-addressed images on disk, and the outbox of signed events."""

from capture_station.storage.db import SCHEMA_VERSION, Store, open_store
from capture_station.storage.images import ImageStore

__all__ = ["SCHEMA_VERSION", "ImageStore", "Store", "open_store"]
