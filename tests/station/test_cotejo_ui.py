"""Cotejo through the real widgets: "Devolver a captura" puts a verified acta back
in the capture queue (COTEJADA 3, then 2 once accepted); "Devolver a
digitalización" sends it back to scanning, and the new image is captured again."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from capture_station import actas
from capture_station.capture import CaptureDesk
from capture_station.operators import login as op_login
from capture_station.sources import FileImport
from capture_station.ui.common import apply_style
from capture_station.ui.main_window import MainWindow
from prep_core.derive import Status
from tests.station.helpers import PASSPHRASE, PASSWORDS, entries, no_ocr_pipeline, rescan_file
from tests.station.test_e2e_ui import login, shot, tab, type_capture


def _verified_acta(station, deck) -> str:
    """One acta scanned (no OCR reading) and captured alike by two people."""
    rec = deck.records[0]
    r = no_ocr_pipeline(station).process(next(FileImport([deck.path(rec)]).pages()),
                                                     "dani")
    assert r.stored, r.text()
    desk = CaptureDesk(station)
    for user in ("ana", "beto"):
        op = op_login(station.store, user, PASSWORDS[user])
        t = desk.next_task(op, "captura")
        desk.submit(op, t, entries(deck.truth(t.clave_acta), t.fields))
    assert actas.state_of(station.store, r.clave_acta).status is Status.VERIFICADA
    return r.clave_acta


def _cotejo(qtbot, win, clave: str, button: str, reason: str = "") -> None:
    status = tab(win, "estado")
    status.cotejo_clave.setText(clave)
    status.cotejo_reason.setText(reason)
    btn = next(b for b in status.findChildren(QPushButton) if b.text() == button)
    qtbot.mouseClick(btn, Qt.MouseButton.LeftButton)
    assert "Cotejo registrado" in status.message.text(), status.message.text()


def test_cotejo_sends_back_to_capture_and_to_scanning(qtbot, station, deck, tmp_path):
    clave = _verified_acta(station, deck)
    truth = deck.truth(clave)
    folder = station.folder
    station.close()
    apply_style(QApplication.instance())  # the look of the real app, for screenshots
    win = MainWindow(folder, "", "es")
    qtbot.addWidget(win)
    win.show()
    try:
        page = win.stack.currentWidget()
        qtbot.keyClicks(page.passphrase, PASSPHRASE)
        qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
        login(qtbot, win, "ana")
        assert tab(win, "captura").task is None  # verified: nothing to capture
        status = tab(win, "estado")  # a send-back needs its reason
        status.cotejo_clave.setText(clave)
        btn = next(b for b in status.findChildren(QPushButton) if b.text() == "Devolver a captura")
        qtbot.mouseClick(btn, Qt.MouseButton.LeftButton)
        assert "motivo" in status.message.text()
        assert actas.state_of(win.station.store, clave).status is Status.VERIFICADA
        _cotejo(qtbot, win, clave, "Devolver a captura", "la suma no cuadra con la imagen")
        assert "vuelve a la fila de captura" in win.views["estado"].message.text()
        st = actas.state_of(win.station.store, clave)
        assert st.status is Status.DIGITALIZADA and st.cotejada == 3 and st.reading is None

        # the same people capture it again, blind (empty form), and agree
        for user in ("ana", "beto"):
            login(qtbot, win, user)
            view = tab(win, "captura")
            assert view.task is not None and view.task.clave_acta == clave
            assert all(not e.text() for e in view.edits.values())
            # the banner says it was sent back, why, and what to do
            assert view.banner.isVisibleTo(view)
            assert "Acta devuelta a captura en el cotejo" in view.banner.text()
            assert "la suma no cuadra con la imagen" in view.banner.text()
            assert "Capture de nuevo todos los campos" in view.banner.text()
            type_capture(qtbot, view, truth)
            qtbot.keyClick(view.save_btn, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            assert "Guardada" in view.message.text(), view.message.text()
        login(qtbot, win, "ana")
        _cotejo(qtbot, win, clave, "Aceptar")
        st = actas.state_of(win.station.store, clave)
        assert st.status is Status.VERIFICADA and st.cotejada == 2

        # rescan: back to digitalización, listed there, and the new image is captured
        _cotejo(qtbot, win, clave, "Devolver a digitalización", "imagen borrosa")
        assert actas.state_of(win.station.store, clave).status is Status.ACOPIADA
        assert tab(win, "captura").task is None
        dig = tab(win, "digitalizacion")
        assert dig.rescan.isVisibleTo(dig) and clave in dig.rescan.text()
        assert "escanéela de nuevo" in dig.rescan.text()
        shot(win, "10-digitalizacion-devueltas")
        old_image = st.images[-1].sha256
        again = rescan_file(deck, deck.records[0], tmp_path / "otra-vez.jpg", 85)
        dig.import_files([str(again)])
        qtbot.waitUntil(lambda: not dig.busy(), timeout=60000)
        assert dig.results[-1].stored, dig.results[-1].text()
        assert not dig.rescan.isVisibleTo(dig)
        view = tab(win, "captura")
        assert view.task is not None and view.task.clave_acta == clave
        assert view.task.image != old_image and view.task.image == dig.results[-1].sha256
        assert "Imagen nueva de un acta devuelta a digitalización" in view.banner.text()
        assert "imagen borrosa" in view.banner.text()
    finally:
        win.shutdown()
