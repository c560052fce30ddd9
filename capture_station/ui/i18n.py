"""Spanish (es-MX) is the source language; English comes from
``resources/translations/station_en.qm`` (built from ``station_en.ts`` by
``python -m capture_station.ui.make_translations``). If the .qm file is missing,
the same table is used directly from :mod:`capture_station.ui.translations_en`."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTranslator

CONTEXT = "station"
TRANSLATIONS = Path(__file__).resolve().parents[2] / "resources" / "translations"
_installed: list[QTranslator] = []


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


class DictTranslator(QTranslator):
    def __init__(self, table: dict[str, str]) -> None:
        super().__init__()
        self.table = table

    def translate(self, context, source, disambiguation=None, n=-1):  # type: ignore[no-untyped-def, override]
        return self.table.get(source, "") if context == CONTEXT else ""

    def isEmpty(self) -> bool:
        return False


def set_language(lang: str) -> str:
    """Install the translator for ``lang`` (``es`` or ``en``); returns the language in use."""
    app = QCoreApplication.instance()
    for t in _installed:
        app.removeTranslator(t)
    _installed.clear()
    if lang != "en":
        return "es"
    t = QTranslator()
    if not t.load(str(TRANSLATIONS / "station_en.qm")):
        from capture_station.ui.translations_en import EN

        t = DictTranslator(EN)
    app.installTranslator(t)
    _installed.append(t)
    return "en"
