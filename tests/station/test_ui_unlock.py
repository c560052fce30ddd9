"""Wrong passphrase and wrong password in the real widgets: clear Spanish messages."""

from __future__ import annotations

from PySide6.QtCore import Qt

from capture_station.ui.main_window import MainWindow
from capture_station.ui.setup import LoginPage, UnlockPage
from tests.station.helpers import PASSPHRASE, PASSWORDS


def test_unlock_and_login_messages(qtbot, station):
    folder = station.folder
    station.close()
    win = MainWindow(folder, "", "es")
    qtbot.addWidget(win)
    try:
        page = win.stack.currentWidget()
        assert isinstance(page, UnlockPage)
        qtbot.keyClicks(page.passphrase, "no es la frase")
        qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
        assert "frase de acceso incorrecta" in page.error.text() and win.station is None
        page.passphrase.clear()
        qtbot.keyClicks(page.passphrase, PASSPHRASE)
        qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
        login = win.stack.currentWidget()
        assert isinstance(login, LoginPage)
        qtbot.keyClicks(login.user, "beto")
        qtbot.keyClicks(login.password, "equivocada")
        qtbot.keyClick(login.password, Qt.Key.Key_Return)
        assert "usuario o contraseña incorrectos" in login.error.text()
        qtbot.keyClicks(login.password, PASSWORDS["beto"])
        qtbot.keyClick(login.password, Qt.Key.Key_Return)
        assert win.operator is not None and win.operator.role == "captura"
        assert [win.tabs.tabText(i).replace("&", "") for i in range(win.tabs.count())] == [
            "Captura", "Estado"]
    finally:
        win.shutdown()
