"""Where pages come from: a scanner (SANE on Linux), a watched folder, or files.

Every source yields :class:`Page` objects holding the exact bytes to be hashed
and stored. TWAIN and WIA are placeholders that say they are unsupported here.
"""

from capture_station.sources.base import Page, ScannerSource, ScanSettings, SourceError
from capture_station.sources.folder import FileImport, WatchedFolder
from capture_station.sources.sane_source import SaneSource
from capture_station.sources.windows import TwainSource, WiaSource

__all__ = ["FileImport", "Page", "SaneSource", "ScanSettings", "ScannerSource", "SourceError",
           "TwainSource", "WatchedFolder", "WiaSource", "scanner_sources"]


def scanner_sources() -> list[ScannerSource]:
    return [SaneSource(), TwainSource(), WiaSource()]
