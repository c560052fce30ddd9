"""Images stored content-addressed: ``images/ab/cdef…`` named by the SHA-256 of
the exact bytes, written atomically (temp file, fsync, rename, fsync folder)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from prep_io.files import write_atomic


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def media_type(data: bytes) -> str:
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    return "application/octet-stream"


class ImageStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, digest: str) -> Path:
        return self.root / digest[:2] / digest[2:]

    def put(self, data: bytes) -> str:
        """Store the bytes exactly as given; returns their SHA-256. Idempotent."""
        digest = sha256(data)
        p = self.path(digest)
        if not (p.exists() and p.stat().st_size == len(data)):
            write_atomic(p, data)
            fd = os.open(p.parent, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        return digest

    def get(self, digest: str) -> bytes:
        return self.path(digest).read_bytes()

    def exists(self, digest: str) -> bool:
        return self.path(digest).exists()

    def verify(self, digest: str) -> bool:
        try:
            return sha256(self.get(digest)) == digest
        except OSError:
            return False

    def remove_temporaries(self) -> int:
        """Delete temp files left by a crash between write and rename."""
        n = 0
        for p in self.root.glob("*/.*"):
            p.unlink(missing_ok=True)
            n += 1
        return n
