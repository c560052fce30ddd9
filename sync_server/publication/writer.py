"""Files of one cut's folder, written while their SHA-256 is taken (for the
manifest), without a sync per file: the folder is synced once, then renamed into
place (:mod:`sync_server.services.publish`)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


class FolderWriter:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.hashes: dict[str, str] = {}
        self._dirs: set[Path] = set()

    def put(self, rel: str, data: bytes) -> None:
        path = self.base / rel
        if path.parent not in self._dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(path.parent)
        with open(path, "wb") as f:
            f.write(data)
        self.hashes[rel] = hashlib.sha256(data).hexdigest()

    def sync(self) -> None:
        """Everything written reaches the disk before the folder is switched in."""
        os.sync()
