"""Files of one cut's folder, written while their SHA-256 is taken (for the
manifest), without a sync per file: the folder is synced once, then renamed into
place (:mod:`sync_server.services.publish`)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def write_file(path: str | Path, data: bytes) -> None:
    """One new file, readable by the web server that serves the folder (0644)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    with os.fdopen(fd, "wb") as f:
        os.fchmod(fd, 0o644)  # whatever the umask
        f.write(data)


class FolderWriter:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.hashes: dict[str, str] = {}
        self._dirs: set[Path] = set()

    def ensure_dir(self, rel: str) -> Path:
        """The path of ``rel``, its folder made."""
        path = self.base / rel
        if path.parent not in self._dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(path.parent)
        return path

    def put(self, rel: str, data: bytes, sha256: str | None = None) -> None:
        """Write ``rel``; ``sha256``: its hash when the caller has taken it already."""
        write_file(self.ensure_dir(rel), data)
        self.hashes[rel] = sha256 or hashlib.sha256(data).hexdigest()

    def link(self, rel: str, src: Path, sha256: str) -> bool:
        """Reuse an unchanged file of the previous cut (a hard link: no copy, and a
        file is never changed in place); False when it cannot be linked."""
        path = self.ensure_dir(rel)
        try:
            os.link(src, path)
        except OSError:
            return False
        self.hashes[rel] = sha256
        return True

    def sync(self) -> None:
        """Everything written reaches the disk before the folder is switched in."""
        os.sync()
