"""The code hash where an auditor looks: the status bar and Ayuda ▸ Acerca de,
Spanish first, the same SHA-256 ``prep integrity`` prints (offscreen; a screenshot
goes to PREP_SCREENSHOTS when set)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit

from capture_station.ui.about import AboutDialog
from capture_station.ui.main_window import MainWindow
from tests.station.helpers import PASSPHRASE

ROOT = Path(__file__).resolve().parents[2]


def integrity_hash() -> str:
    """What ``prep integrity`` prints, from a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = "from prep_cli.main import main; raise SystemExit(main(['integrity']))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True, env=env, cwd=ROOT).stdout
    return next(w for w in out.split() if len(w) == 64)


def _about_action(win: MainWindow, text: str):  # type: ignore[no-untyped-def]
    for menu in win.menuBar().actions():
        for a in menu.menu().actions():
            if a.text() == text:
                return menu.text(), a
    raise AssertionError(f"no menu item {text!r}")


def test_code_hash_in_status_bar_and_about(qtbot, station):
    expected = integrity_hash()
    folder = station.folder
    station.close()
    win = MainWindow(folder, "", "es")
    qtbot.addWidget(win)
    try:
        label = win.findChild(QLabel, "code-hash")
        assert label.text() == f"Código {expected[:16]}…"
        assert label.toolTip().endswith(expected)
        win.stack.currentWidget().passphrase.setText(PASSPHRASE)
        qtbot.keyClick(win.stack.currentWidget().passphrase, Qt.Key.Key_Return)
        assert win.station is not None
        menu, action = _about_action(win, "Acerca de PREP Abierto…")
        assert menu == "Ay&uda" and action.shortcut().toString() == "F1"
        action.trigger()
        dlg = win.findChild(AboutDialog, "about")
        assert dlg is not None and dlg.windowTitle() == "Acerca de PREP Abierto"
        shown = dlg.findChild(QLineEdit, "code-hash")
        assert shown.text() == expected and shown.isReadOnly()
        texts = [w.text() for w in dlg.findChildren(QLabel)]
        assert "Huella del código (SHA-256)" in texts
        assert any(t.startswith(f"{win.station.config.station} (") for t in texts)
        assert any(win.station.catalog.fingerprint in t for t in texts)
        dlg.copy.click()
        assert QApplication.clipboard().text() == expected
        if os.environ.get("PREP_SCREENSHOTS"):
            shots = Path(os.environ["PREP_SCREENSHOTS"])
            shots.mkdir(parents=True, exist_ok=True)
            dlg.adjustSize()
            dlg.grab().save(str(shots / "station-about.png"))
            win.grab().save(str(shots / "station-status-bar.png"))
        # English on request
        win.switch_language("en")
        _, action = _about_action(win, "About PREP Abierto…")
        assert win.findChild(QLabel, "code-hash").text() == f"Code {expected[:16]}…"
    finally:
        win.shutdown()
