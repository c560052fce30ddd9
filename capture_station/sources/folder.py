"""A watched folder (scanners that save to a folder) and plain file import.

Files are read once they have stopped growing. After the page is recorded the
file is moved to ``procesadas/`` (or ``rechazadas/``); if the station stops in
between, the page is seen again and recognised as a repeat by its hash.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from capture_station.sources.base import Page, SourceError

IMAGE_EXT = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp"}
DONE, REJECTED = "procesadas", "rechazadas"


def _read(path: Path, source: str) -> Page:
    st = path.stat()
    return Page(path.read_bytes(), path.name, source,
                f"{source}:{path.name}:{st.st_size}:{st.st_mtime_ns}", str(path))


class WatchedFolder:
    def __init__(self, folder: Path, settle_s: float = 0.5) -> None:
        self.folder = Path(folder)
        self.settle_s = settle_s

    def pending(self) -> list[Path]:
        if not self.folder.is_dir():
            raise SourceError("la carpeta vigilada no existe", "the watched folder does not exist",
                              where=str(self.folder))
        now = time.time()
        out = []
        for p in sorted(self.folder.iterdir()):
            if not p.is_file() or p.name.startswith(".") or p.suffix.lower() not in IMAGE_EXT:
                continue
            try:
                if now - p.stat().st_mtime < self.settle_s:
                    continue  # still being written
            except OSError:
                continue
            out.append(p)
        return out

    def pages(self, cancel: threading.Event | None = None) -> Iterator[Page]:
        for p in self.pending():
            if cancel is not None and cancel.is_set():
                return
            try:
                yield _read(p, "folder")
            except OSError:
                continue

    def done(self, page: Page, accepted: bool) -> None:
        """Move the file out of the way once its page is recorded."""
        if not page.path:
            return
        dest = self.folder / (DONE if accepted else REJECTED)
        dest.mkdir(exist_ok=True)
        src = Path(page.path)
        if src.exists():
            target = dest / src.name
            if target.exists():
                target = dest / f"{src.stem}-{int(time.time() * 1000)}{src.suffix}"
            shutil.move(str(src), str(target))
            fd = os.open(self.folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


class FileImport:
    def __init__(self, paths: Iterable[Path]) -> None:
        self.paths = [Path(p) for p in paths]

    def pages(self, cancel: threading.Event | None = None) -> Iterator[Page]:
        for p in self.paths:
            if cancel is not None and cancel.is_set():
                return
            try:
                yield _read(p, "file")
            except OSError:
                yield Page(b"", p.name, "file", "", str(p))  # the pipeline reports it

    def done(self, page: Page, accepted: bool) -> None:
        pass
