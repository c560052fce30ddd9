"""TWAIN and WIA (Windows scanner drivers): not supported yet. They exist so the
interface is ready and the operator gets a clear message instead of nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from capture_station.sources.base import Page, ScannerSource, ScanSettings, SourceError


class _Unsupported(ScannerSource):
    def available(self) -> tuple[bool, str]:
        return False, (f"{self.name}: no soportado en esta plataforma todavía; use una carpeta "
                       f"vigilada (el software del escáner guarda ahí) o importe archivos")

    def devices(self) -> list[tuple[str, str]]:
        return []

    def scan(self, device: str, settings: ScanSettings,
             cancel: threading.Event | None = None) -> Iterator[Page]:
        raise SourceError(f"{self.name} no está soportado en esta plataforma",
                          f"{self.name} is not supported on this platform", where=self.name)


class TwainSource(_Unsupported):
    name = "TWAIN"


class WiaSource(_Unsupported):
    name = "WIA"
