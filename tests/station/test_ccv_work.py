"""A CCV station pulls actas to capture from a real server on loopback: they appear
in the real Captura screen, blind; the capture is a signed event of the CCV that
syncs like any other; nothing is captured twice by the station, and the queue
survives a restart offline. Bad answers (an image whose bytes do not match, an
unknown, revoked or impostor station) get a clear message and lose nothing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from capture_station.capture import CaptureDesk
from capture_station.errors import StationError
from capture_station.operators import add_operator, login
from capture_station.sources import FileImport
from capture_station.station import Station, create_station
from capture_station.storage.outbox import load_events
from capture_station.sync.client import SyncClient, SyncError, pending_count
from capture_station.sync.work import WorkClient
from capture_station.ui.common import apply_style
from capture_station.ui.main_window import MainWindow
from capture_station.work_queue import parse_item
from prep_cli.local_server import approve_station, console_session, free_port, issue_code
from prep_core.acta import acta_fields
from prep_demo.demo import demo_catalog
from tests.station.helpers import (
    PASSPHRASE,
    PASSWORDS,
    entries,
    give_code,
    new_station,
    no_ocr_pipeline,
    server_events,
    tampering_proxy,
    usb_request,
)
from tests.station.test_e2e_ui import login as ui_login
from tests.station.test_e2e_ui import shot, tab, type_capture


def catd_scans(folder, catalog, deck, url: str, recs: list[dict]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A CATD digitizes these actas (no OCR reading) and syncs them; clave → image."""
    st = new_station(folder, catalog, server=url)
    try:
        pipe = no_ocr_pipeline(st)
        out = {}
        for page in FileImport([deck.path(r) for r in recs]).pages():
            r = pipe.process(page, "dani")
            assert r.stored, r.text()
            out[r.clave_acta] = r.sha256
        give_code(url, st)
        assert SyncClient(st, st.store, url).sync_once().pending == 0
        return out
    finally:
        st.close()


def new_ccv(folder, catalog, station_id: str, url: str = "") -> None:  # type: ignore[no-untyped-def]
    create_station(folder, station_id, "CCV La Paz", "CCV", catalog, PASSPHRASE, url)
    st = Station(folder, PASSPHRASE)
    try:
        for user, name, role in (("ana", "Ana Supervisora", "supervisor"),
                                 ("beto", "Beto Capturista", "captura"),
                                 ("caro", "Caro Verificadora", "verificacion")):
            add_operator(st.store, user, name, role, PASSWORDS[user])
    finally:
        st.close()


def open_window(qtbot, folder, url: str) -> MainWindow:  # type: ignore[no-untyped-def]
    apply_style(QApplication.instance())  # the look of the real app, for screenshots
    win = MainWindow(folder, url, "es", sync_interval=0.3)
    qtbot.addWidget(win)
    win.show()
    page = win.stack.currentWidget()
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
    assert win.station is not None, page.error.text()
    return win


def test_ccv_pulls_captures_and_syncs(qtbot, tmp_path, catalog, deck, module_server):
    url = module_server.url
    images = catd_scans(tmp_path / "catd", catalog, deck, url, deck.records[:2])
    first, second = images
    folder = tmp_path / "ccv"
    new_ccv(folder, catalog, "CCV-01", url)
    win = open_window(qtbot, folder, url)
    try:
        ui_login(qtbot, win, "beto")
        view = tab(win, "captura")
        assert view.task is None  # nothing local, not enrolled yet
        qtbot.waitUntil(lambda: win.last_report is not None
                        and win.last_report.state == "error", timeout=20000)
        assert "código de inscripción" in win.last_report.message_es
        status = win.views["estado"]
        win.tabs.setCurrentWidget(status)
        qtbot.keyClicks(status.enroll_code, issue_code(url, "CCV", "CCV-01"))
        qtbot.mouseClick(status.use_code, Qt.MouseButton.LeftButton)
        win.tabs.setCurrentWidget(view)
        # the pulled actas appear in the open screen by themselves, oldest first
        qtbot.waitUntil(lambda: view.task is not None, timeout=30000)
        task = view.task
        assert task.clave_acta == first and task.image == images[first]
        assert "del servidor" in view.acta.text()
        assert sorted(view.edits) == sorted(task.fields)  # laid out in the acta's order
        assert all(not e.text() for e in view.edits.values())  # blind
        assert not view.pane.image.isNull()  # the image, fetched and checked
        assert win.station.images.verify(task.image)
        assert "actas del servidor por capturar: 2" in win.last_report.message_es
        type_capture(qtbot, view, deck.truth(first),
                     halfway=lambda: shot(win, "09-ccv-captura-del-servidor"))
        qtbot.keyClick(view.save_btn, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert "se enviará al servidor" in view.message.text(), view.message.text()
        assert view.task is not None and view.task.clave_acta == second
        ev = load_events(win.station.store.conn)[-1].event
        assert ev.kind.value == "captura" and ev.clave_acta == first
        assert ev.payload["source"] == "operator:CCV-01:beto"
        assert ev.payload["image"] == images[first]
        # synced like any other event; the server no longer lists it for this station
        win.sync_now()
        qtbot.waitUntil(lambda: pending_count(win.station.store) == 0
                        and win.station.store.one("SELECT COUNT(*) FROM work WHERE clave_acta = ?",
                                                  first)[0] == 0, timeout=30000)
        remote = server_events(module_server.db_path, "CCV-01")
        assert [(k, c) for _, _, k, c in remote] == [("captura", first)]
    finally:
        win.shutdown()

    # restart with the server unreachable: the pulled acta is still there
    dead = f"http://127.0.0.1:{free_port()}"
    win = open_window(qtbot, folder, dead)
    try:
        ui_login(qtbot, win, "beto")
        view = tab(win, "captura")
        assert view.task is not None and view.task.clave_acta == second
        type_capture(qtbot, view, deck.truth(second))
        qtbot.keyClick(view.save_btn, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert view.task is None and "No hay actas" in view.acta.text()
        qtbot.waitUntil(lambda: win.last_report is not None, timeout=10000)
        assert win.last_report.state == "offline"
    finally:
        win.shutdown()

    # online again: the server still lists the acta until the capture arrives,
    # and the station does not offer it twice
    st = Station(folder, PASSPHRASE)
    try:
        st.set_server(url)
        rep = WorkClient(st, st.store, url).pull()
        assert rep.items == 1 and rep.images == 0
        beto = login(st.store, "beto", PASSWORDS["beto"])
        assert CaptureDesk(st).queue(beto) == []
        SyncClient(st, st.store, url).sync_once()
        assert WorkClient(st, st.store, url).pull().items == 0
        assert st.store.one("SELECT COUNT(*) FROM work")[0] == 0
        caps = [c for _, _, k, c in server_events(module_server.db_path, "CCV-01") if k == "captura"]
        assert caps == [first, second]  # each exactly once
        for sha in images.values():
            assert st.images.verify(sha)
    finally:
        st.close()


def _flip_image_byte(path: str, body: bytes) -> bytes:
    return body[:-1] + bytes([body[-1] ^ 0xFF]) if "/work/images/" in path else body


def test_bad_work_answers_lose_nothing(tmp_path, catalog, deck, module_server):
    url = module_server.url
    catd_scans(tmp_path / "catd", catalog, deck, url, deck.records[2:3])
    new_ccv(tmp_path / "ccv", catalog, "CCV-02", url)
    st = Station(tmp_path / "ccv", PASSPHRASE)
    try:
        wc = WorkClient(st, st.store, url)
        with pytest.raises(SyncError) as exc:
            wc.pull()  # not enrolled yet
        assert exc.value.code == "unknown_station" and "desconocida" in exc.value.message_es
        usb_request(url, st)  # its request brought on USB: pending until approved
        assert SyncClient(st, st.store, url).sync_once().state == "pending"
        with pytest.raises(SyncError, match="no está aprobada"):
            wc.pull()
        approve_station(url, st.id)

        # an image whose bytes do not match its hash is refused; the rest is kept
        with tampering_proxy(url, _flip_image_byte) as mitm, pytest.raises(SyncError) as exc:
            WorkClient(st, st.store, mitm).pull()
        assert exc.value.code == "image_hash_mismatch"
        assert "no coincide con su SHA-256" in exc.value.message_es
        assert st.store.one("SELECT COUNT(*) FROM work")[0] == 0
        assert st.store.one("SELECT COUNT(*) FROM images")[0] == 0
        assert not any(p.is_file() for p in st.images.root.rglob("*"))
        rep = wc.pull()  # straight from the server: accepted
        assert rep.items >= 1 and rep.images >= 1
        stored = st.store.q("SELECT ticket, image FROM work")
        assert all(st.images.verify(sha) for _, sha in stored)

        # a revoked station gets a clear refusal; its queue is kept
        s, csrf = console_session(url)
        assert s.post(f"{url}/console/api/stations/{st.id}/revoke",
                      headers={"X-CSRF-Token": csrf}, timeout=30).status_code == 200
        with pytest.raises(SyncError) as exc:
            wc.pull()
        assert exc.value.code == "revoked" and "revocada" in exc.value.message_es
        assert st.store.q("SELECT ticket, image FROM work") == stored
    finally:
        st.close()

    # an impostor: same station id, another key (its signature does not verify)
    impostor = tmp_path / "impostor"
    new_ccv(impostor, catalog, "CCV-02", url)
    st = Station(impostor, PASSPHRASE)
    try:
        with pytest.raises(SyncError) as exc:
            WorkClient(st, st.store, url).pull()
        assert exc.value.code == "bad_signature" and "llave registrada" in exc.value.message_es
        assert st.store.one("SELECT COUNT(*) FROM work")[0] == 0
    finally:
        st.close()


def test_work_items_are_checked_against_the_catalog(catalog):
    a = catalog.expected_actas()[0]
    good = {"clave_acta": a.clave_acta, "election": a.election.id, "mode": "captura",
            "fields": list(acta_fields(a.election.vote_fields)), "image": "a" * 64,
            "since": -1, "ticket": "b" * 64}
    assert parse_item(catalog, good).fields == tuple(good["fields"])
    other = demo_catalog(30, seed=99).expected_actas()[0].clave_acta
    for bad, words in (({"clave_acta": other}, "no está en el catálogo"),
                       ({"clave_acta": "999999Z99996"}, "no está en el catálogo"),
                       ({"fields": ["PAN", "OTRO"]}, "campos"),
                       ({"fields": good["fields"][:3]}, "campos"),
                       ({"mode": "borrar"}, "modo"),
                       ({"image": "../../etc/passwd"}, "SHA-256"),
                       ({"since": 1.5}, "entero"),
                       ({"reading": {"PAN": 3}}, "campos")):
        doc = {**good, **bad}
        if other == doc["clave_acta"] and catalog.acta(other) is not None:
            continue  # the other catalog happens to share this clave
        with pytest.raises(StationError, match=words):
            parse_item(catalog, doc)


def test_three_ccvs_capture_disagree_and_verify(tmp_path, catalog, deck, module_server):
    """Double capture across stations: two CCVs capture (operators with the same id
    stay two sources), they disagree, a third CCV verifies only the disputed field."""
    import sqlite3

    url = module_server.url
    (clave,) = catd_scans(tmp_path / "catd", catalog, deck, url, deck.records[3:4])
    truth = deck.truth(clave)
    field = catalog.acta(clave).election.vote_fields[0]

    def session(sid: str, user: str, mode: str, spoil: dict | None = None):  # type: ignore[no-untyped-def]
        new_ccv(tmp_path / sid, catalog, sid, url)
        st = Station(tmp_path / sid, PASSPHRASE)
        try:
            client = SyncClient(st, st.store, url)
            give_code(url, st)
            client.sync_once()
            WorkClient(st, st.store, url).pull()
            op = login(st.store, user, PASSWORDS[user])
            desk = CaptureDesk(st)
            task = next(t for t in desk.queue(op, mode) if t.clave_acta == clave)
            desk.submit(op, task, {**entries(truth, task.fields), **(spoil or {})})
            assert client.sync_once().pending == 0
            return task
        finally:
            st.close()

    def central_status() -> str:
        con = sqlite3.connect(str(module_server.db_path))
        try:
            return str(con.execute("SELECT status FROM actas WHERE clave_acta = ?",
                                   (clave,)).fetchone()[0])
        finally:
            con.close()

    session("CCV-A", "beto", "captura")
    assert central_status() == "capturada"
    session("CCV-B", "beto", "captura", {field: "999" if str(truth[field]) != "999" else "998"})
    assert central_status() == "discrepancia"
    task = session("CCV-C", "caro", "verificacion")
    assert task.fields == (field,)  # only the disputed field, no reading
    assert central_status() == "verificada"
