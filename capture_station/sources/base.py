from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass

from capture_station.errors import StationError


class SourceError(StationError):
    """A source that cannot deliver pages (no scanner, paper jam, folder missing)."""


@dataclass(frozen=True)
class Page:
    data: bytes  # the exact bytes that will be hashed, stored and published
    name: str  # file name or "scanner page 3"
    source: str  # "sane:test:0", "folder", "file"
    source_key: str = ""  # what identifies this page at its source (to skip repeats)
    path: str | None = None  # the file it came from, if any
    part: int = 0  # which page of its file (multi-page TIFF or PDF), from 0
    parts: int = 1  # how many pages its file has


@dataclass(frozen=True)
class ScanSettings:
    resolution: int = 200
    mode: str = "Color"  # Color, Gray
    batch: bool = True  # use the automatic document feeder
    image_format: str = "JPEG"  # JPEG or PNG
    jpeg_quality: int = 90
    max_pages: int = 500
    page_timeout_s: float = 120.0  # a driver silent this long is stopped (SANE)
    options: tuple[tuple[str, object], ...] = ()  # a driver's own options, set before scanning


class ScannerSource(ABC):
    """A scanner driver family (SANE, TWAIN, WIA)."""

    name = "?"

    @abstractmethod
    def available(self) -> tuple[bool, str]:
        """(usable here, message for the operator)."""

    @abstractmethod
    def devices(self) -> list[tuple[str, str]]:
        """[(device id, description)]."""

    @abstractmethod
    def scan(self, device: str, settings: ScanSettings,
             cancel: threading.Event | None = None) -> Iterator[Page]:
        """Yield pages until the feeder is empty (batch) or one page (flatbed)."""
