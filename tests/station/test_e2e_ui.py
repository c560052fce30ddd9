"""End to end through the real widgets (offscreen): first run → acopio by QR →
scan with SANE (the test backend's pattern, refused; the pnm backend scanning an acta,
accepted) and a watched folder → double capture by keyboard
with a disagreement resolved by a verifier → sync to a real server on loopback,
checked on the server side. Screenshots go to PREP_SCREENSHOTS when set."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import cv2
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from capture_station import actas
from capture_station.storage.outbox import load_events
from capture_station.ui.common import apply_style
from capture_station.ui.main_window import MainWindow
from prep_cli.local_server import issue_code
from prep_core.derive import Status
from prep_core.events import Kind
from tests.station.helpers import PASSWORDS, server_events

SHOTS = os.environ.get("PREP_SCREENSHOTS")


def shot(win, name: str) -> None:
    QApplication.processEvents()
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        win.grab().save(str(Path(SHOTS) / f"station-{name}.png"))


def login(qtbot, win, user: str) -> None:
    if win.operator is not None:
        win.logout()
    page = win.stack.currentWidget()
    qtbot.keyClicks(page.user, user)
    qtbot.keyClicks(page.password, PASSWORDS[user])
    qtbot.keyClick(page.password, Qt.Key.Key_Return)
    assert win.operator is not None and win.operator.id == user, page.error.text()


def tab(win, name: str):  # type: ignore[no-untyped-def]
    view = win.views[name]
    win.tabs.setCurrentWidget(view)
    QApplication.processEvents()
    return view


def type_capture(qtbot, view, truth: dict, override: dict | None = None,
                 halfway=None) -> None:  # type: ignore[no-untyped-def]
    for i, (name, edit) in enumerate(view.edits.items()):
        if halfway is not None and i == len(view.edits) // 2:
            halfway()
        v = (override or {}).get(name, truth[name])
        if v == "Ilegible":
            qtbot.keyClick(edit, Qt.Key.Key_I)
        elif v == "Sin dato":
            qtbot.keyClick(edit, Qt.Key.Key_S)
        else:
            qtbot.keyClicks(edit, str(v))
            qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_station_end_to_end(qtbot, tmp_path, deck, catalog_dir, server):
    app = QApplication.instance()
    apply_style(app)
    # where a CATD's scanner software saves (the screenshots show no test folder)
    inbox = tmp_path / "home" / "catd" / "Documentos" / "Escaneos" / "Actas PREP 2024"
    recs = deck.copy_to(inbox, 3)
    win = MainWindow(tmp_path / "data", "", "es", str(inbox), sync_interval=0.5)
    qtbot.addWidget(win)
    win.show()
    try:
        # ---------------------------------------------------------------- first run
        setup = win.stack.currentWidget()
        qtbot.keyClicks(setup.station, "CATD-E2E")
        qtbot.keyClicks(setup.name, "CATD 01 La Paz")
        qtbot.keyClicks(setup.enroll_code, "AAAA-BBBB-CCCC-DDDD")  # mistyped: refused later
        # the catalog as a CATD receives it (a copy: the screenshots show no test folder)
        cat_copy = tmp_path / "home" / "catd" / "Documentos" / "PREP" / "catalogo-bcs-2024"
        shutil.copytree(catalog_dir, cat_copy)
        setup.catalog.setText(str(cat_copy))
        for w in (setup.pass1, setup.pass2):
            qtbot.keyClicks(w, "frase larga de la estacion")
        qtbot.keyClicks(setup.sup_id, "ana")
        qtbot.keyClicks(setup.sup_name, "Ana Supervisora")
        qtbot.keyClicks(setup.sup_pw, PASSWORDS["ana"])
        shot(win, "01-primer-inicio")
        qtbot.mouseClick(setup.ok, Qt.MouseButton.LeftButton)
        assert win.station is not None, setup.error.text()
        shot(win, "02-inicio-sesion")
        login(qtbot, win, "ana")
        ops = tab(win, "operadores")
        for user, name, role in (("beto", "Beto Capturista", "captura"),
                                 ("caro", "Caro Verificadora", "verificacion")):
            qtbot.keyClicks(ops.user, user)
            qtbot.keyClicks(ops.name, name)
            ops.role.setCurrentIndex(ops.role.findData(role))
            qtbot.keyClicks(ops.password, PASSWORDS[user])
            qtbot.keyClick(ops.password, Qt.Key.Key_Return)
            assert not ops.message.text(), ops.message.text()
        assert ops.list.count() == 3

        # ---------------------------------------------------------------- acopio
        acopio = tab(win, "acopio")
        qtbot.keyClicks(acopio.entry, recs[0]["qr"])  # the hand-held reader types the QR
        qtbot.keyClick(acopio.entry, Qt.Key.Key_Return)
        assert recs[0]["clave_acta"] in acopio.message.text()
        qtbot.keyClicks(acopio.entry, "999999Z99996")
        qtbot.keyClick(acopio.entry, Qt.Key.Key_Return)
        assert "no está en el catálogo" in acopio.message.text()
        shot(win, "03-acopio")

        # ---------------------------------------------------------------- digitalización
        dig = tab(win, "digitalizacion")
        qtbot.mouseClick(dig.find_btn, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dig.device.count() > 0, timeout=20000)
        dig.device.setCurrentIndex(dig.device.findData("test:0"))
        dig.adf.setChecked(False)
        qtbot.mouseClick(dig.scan_btn, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dig.busy() and dig.table.rowCount() == 1, timeout=30000)
        assert dig.results[0].status == "rechazada"  # a test pattern is no acta
        qtbot.mouseClick(dig.folder_btn, Qt.MouseButton.LeftButton)
        assert dig.busy()  # the window keeps working while the batch runs
        qtbot.waitUntil(lambda: not dig.busy(), timeout=60000)
        stored = [r for r in dig.results if r.stored]
        assert len(stored) == 3, [r.text() for r in dig.results]
        assert dig.progress.value() == dig.progress.maximum() == 3
        # a SANE scanner that scans an acta: the pnm backend reads the page from a file
        sane_rec = deck.records[3]
        ppm = tmp_path / "pagina.ppm"
        cv2.imwrite(str(ppm), cv2.imread(str(deck.path(sane_rec))))
        dig.device.setCurrentIndex(dig.device.findData("pnm:0"))
        dig.device_options["pnm:0"] = (("filename", str(ppm)),)
        qtbot.mouseClick(dig.scan_btn, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dig.busy() and dig.table.rowCount() == 5, timeout=30000)
        assert dig.results[-1].stored, dig.results[-1].text()
        assert dig.results[-1].clave_acta == sane_rec["clave_acta"]
        shot(win, "04-digitalizacion")

        clave = recs[0]["clave_acta"]
        truth = deck.truth(clave)

        def capture_as(user: str, override: dict | None = None) -> Status:
            login(qtbot, win, user)
            view = tab(win, "captura")
            assert view.task is not None and view.task.clave_acta == clave  # oldest first
            assert "Ilegible" not in [e.text() for e in view.edits.values()]  # blind: empty form
            type_capture(qtbot, view, truth, override,
                         (lambda: shot(win, "05-captura")) if user == "ana" else None)
            qtbot.keyClick(view.save_btn, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            assert "Guardada" in view.message.text(), view.message.text()
            return actas.state_of(win.station.store, clave).status

        spoil = {"NULOS": 7 if truth["NULOS"] != 7 else 8}
        ocr = any(e.kind is Kind.CAPTURA and e.payload["source"].startswith("ocr:")
                  for e in actas.events_of(win.station.store, clave))
        if not ocr:  # no digit model installed: two people capture
            assert capture_as("ana") is Status.CAPTURADA
            assert capture_as("beto", spoil) is Status.DISCREPANCIA
        else:  # the OCR reading is the first capture; a person disagrees with it
            assert capture_as("ana", spoil) is Status.DISCREPANCIA

        login(qtbot, win, "caro")
        ver = tab(win, "verificacion")
        assert ver.task is not None and ver.task.clave_acta == clave
        disputed = list(ver.edits)
        assert "NULOS" in disputed and (ocr or disputed == ["NULOS"])  # only disputed fields
        qtbot.keyClicks(ver.edits["NULOS"], "1234")
        qtbot.keyClick(ver.edits["NULOS"], Qt.Key.Key_Return)
        qtbot.mouseClick(ver.save_btn, Qt.MouseButton.LeftButton)
        assert "más de 3 cifras" in ver.message.text()
        shot(win, "06-verificacion")
        ver.edits["NULOS"].clear()
        type_capture(qtbot, ver, truth)
        qtbot.mouseClick(ver.save_btn, Qt.MouseButton.LeftButton)
        st = actas.state_of(win.station.store, clave)
        if ocr and st.status is Status.DISCREPANCIA:
            # the OCR misread a figure too: the rule asks for one more independent capture
            assert capture_as("beto") is Status.VERIFICADA
            st = actas.state_of(win.station.store, clave)
        assert st.status is Status.VERIFICADA
        assert str(st.reading["NULOS"]) == str(truth["NULOS"])

        # ---------------------------------------------------------------- sync
        win.station.set_server(server.url)
        win.start_sync()
        qtbot.waitUntil(lambda: win.last_report is not None and win.last_report.state == "error",
                        timeout=20000)
        assert "código de inscripción" in win.last_report.message_es  # the mistyped code
        status = tab(win, "estado")
        status.refresh()
        assert "rechazado" in status.enrollment.text()
        qtbot.keyClicks(status.enroll_code, issue_code(server.url, "CATD", "CATD-E2E"))
        qtbot.mouseClick(status.use_code, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: win.last_report.state == "online" and win.last_report.pending == 0,
                        timeout=30000)
        status = tab(win, "estado")
        status.refresh()
        assert status.counts[Status.VERIFICADA].text() == "1"
        assert "En línea" in win.lbl_sync.text()
        shot(win, "07-estado")
        local = [(e.event.seq, e.hash) for e in load_events(win.station.store.conn)]
        remote = server_events(server.db_path, "CATD-E2E")
        assert [(s, h) for s, h, _, _ in remote] == local
        kinds = [k for _, _, k, c in remote if c == clave]
        assert kinds.count("acopio") == 1 and kinds.count("digitalizacion") == 1
        assert kinds.count("captura") >= 2 and kinds.count("verificacion") == 1

        # ---------------------------------------------------------------- English
        login(qtbot, win, "ana")
        win.switch_language("en")
        names = [win.tabs.tabText(i).replace("&", "") for i in range(win.tabs.count())]
        assert names == ["Intake", "Scanning", "Capture", "Verification", "Status", "Operators"]
        tab(win, "estado").refresh()
        shot(win, "08-english-status")
    finally:
        win.shutdown()
        if SHOTS:
            shutil.rmtree(tmp_path / "home", ignore_errors=True)
