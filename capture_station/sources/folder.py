"""A watched folder (scanners that save to a folder) and plain file import.

Files are read once they have stopped growing; a multi-page TIFF or a PDF gives one
page per acta (``documents.py``). After the file's last page is recorded the file is
moved to ``procesadas/`` (or ``rechazadas/`` when a page of it was refused); if the
station stops in between, its pages are seen again and recognised as repeats by their
hash.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from capture_station.sources.base import Page, SourceError
from capture_station.sources.documents import split

IMAGE_EXT = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp", ".pdf"}
DONE, REJECTED = "procesadas", "rechazadas"


def _read(path: Path, source: str) -> list[Page]:
    """The pages of one file, each with the exact bytes that will be hashed and stored."""
    st = path.stat()
    key = f"{source}:{path.name}:{st.st_size}:{st.st_mtime_ns}"
    parts = split(path.read_bytes())
    n = len(parts)
    return [Page(p.data, f"{path.name} {p.label}" if p.label else path.name, source,
                 f"{key}:{i}" if n > 1 else key, str(path), i, n)
            for i, p in enumerate(parts)]


class WatchedFolder:
    def __init__(self, folder: Path, settle_s: float = 0.5) -> None:
        self.folder = Path(folder)
        self.settle_s = settle_s
        self._refused: set[str] = set()  # files with a page refused so far

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
                pages = _read(p, "folder")
            except OSError:
                continue
            for page in pages:
                if cancel is not None and cancel.is_set():
                    return
                yield page

    def done(self, page: Page, accepted: bool) -> None:
        """Move the file out of the way once its last page is recorded."""
        if not page.path:
            return
        if not accepted:
            self._refused.add(page.path)
        if page.part < page.parts - 1:
            return
        refused = page.path in self._refused
        self._refused.discard(page.path)
        dest = self.folder / (REJECTED if refused else DONE)
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
                pages = _read(p, "file")
            except OSError:
                pages = [Page(b"", p.name, "file", "", str(p))]  # the pipeline reports it
            for page in pages:
                if cancel is not None and cancel.is_set():
                    return
                yield page

    def done(self, page: Page, accepted: bool) -> None:
        pass
