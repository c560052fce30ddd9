"""Start the Qt application and the station window (used by app.py and prep_cli.demo_launch)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from capture_station.ui.common import apply_style
from capture_station.ui.main_window import MainWindow


def run_window(data: Path, server: str = "", lang: str = "es", folder: str = "",
               font_size: int = 11, close_after_ms: int | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("PREP Abierto — estación")
    apply_style(app, font_size)
    win = MainWindow(data, server, lang, folder)
    win.show()
    if close_after_ms is not None:  # a smoke test: close the window, and end the loop
        QTimer.singleShot(close_after_ms, win.close)  # even if a window stays open
        QTimer.singleShot(close_after_ms + 5_000, app.quit)
    rc = int(app.exec())
    win.shutdown()
    return rc
