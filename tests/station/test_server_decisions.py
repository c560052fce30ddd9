"""A coordinator's decision on the server console reaches the station: a CATD scans
an acta, two captures disagree, the server queues it, the coordinator orders a
rescan, and the CATD's own sync round brings the signed decision: the real
Digitalización tab lists the acta and accepts its new image. An offline CATD learns
a recapture and a chosen reading from the console's receipts file on USB.
Tampered or foreign decisions are refused with a clear message and nothing is kept."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from capture_station import actas
from capture_station.capture import CaptureDesk
from capture_station.demo_server import approve_station, console_session
from capture_station.operators import login as op_login
from capture_station.sources import FileImport
from capture_station.storage.outbox import load_events
from capture_station.sync.approval import import_approval
from capture_station.sync.client import (
    SyncClient,
    SyncError,
    enrollment_request,
    export_pending,
    pending_count,
)
from capture_station.sync.decisions import (
    CURSOR,
    DecisionClient,
    check_decisions,
    import_receipts_file,
    keep,
)
from capture_station.ui.common import apply_style
from capture_station.ui.main_window import MainWindow
from prep_core.derive import Status
from prep_core.events import EventLog, Kind
from prep_core.signing import KeyPair, b64
from prep_core.values import values_to_json
from tests.station.helpers import (
    PASSPHRASE,
    PASSWORDS,
    entries,
    new_station,
    no_ocr_pipeline,
    rescan_file,
    server_events,
    tampering_proxy,
)
from tests.station.test_e2e_ui import login, tab


def _in_discrepancy(station, deck, recs: list[dict]) -> list[str]:  # type: ignore[no-untyped-def]
    """The CATD scans these actas (no OCR reading); two people capture each and
    disagree on its first field."""
    pipe = no_ocr_pipeline(station)
    claves = []
    for page in FileImport([deck.path(r) for r in recs]).pages():
        r = pipe.process(page, "dani")
        assert r.stored, r.text()
        claves.append(r.clave_acta)
    desk = CaptureDesk(station)
    for user, spoil in (("ana", False), ("beto", True)):
        op = op_login(station.store, user, PASSWORDS[user])
        while (t := desk.next_task(op, "captura")) is not None:
            vals = entries(deck.truth(t.clave_acta), t.fields)
            if spoil:
                vals[t.fields[0]] = "998" if vals[t.fields[0]] == "999" else "999"
            desk.submit(op, t, vals)
    for c in claves:
        assert actas.state_of(station.store, c).status is Status.DISCREPANCIA
    return claves


def _resolve(url: str, clave: str, action: str, truth: dict | None = None) -> dict:
    """The coordinator resolves the acta's open queue entry through the console API."""
    s, csrf = console_session(url)
    queue = s.get(url + "/console/api/conflicts", timeout=30).json()
    entry = next(q for q in queue if q["clave_acta"] == clave)
    body: dict = {"action": action, "reason": "cotejo con el acta en papel"}
    if action == "choose":
        assert truth is not None
        body["reading"] = next(i for i, r in enumerate(entry["readings"])
                               if all(truth[k] == v for k, v in r.items()))
    r = s.post(f"{url}/console/api/conflicts/{entry['id']}/resolve", json=body,
               headers={"X-CSRF-Token": csrf}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["event"]


def _tamper_first_action(path: str, body: bytes) -> bytes:
    if not path.startswith("/api/v1/decisions"):
        return body
    doc = json.loads(body)
    for item in doc["items"]:
        item["event"]["payload"]["action"] = "recapture"  # the signature no longer holds
    return json.dumps(doc).encode()


def test_rescan_ordered_on_the_console_reaches_the_catd(qtbot, tmp_path, catalog, deck, module_server):
    url = module_server.url
    st = new_station(tmp_path / "catd", catalog, server=url)
    folder = st.folder
    try:
        (clave,) = _in_discrepancy(st, deck, deck.records[4:5])
        client = SyncClient(st, st.store, url)
        assert client.sync_once().state == "pending"
        approve_station(url, st.id)
        assert client.sync_once().pending == 0
        decision = _resolve(url, clave, "rescan")
        assert decision["event"]["station"] == "SERVIDOR"
        assert decision["event"]["payload"]["action"] == "rescan"
        # a man in the middle changes the order: refused, nothing kept, cursor unchanged
        with tampering_proxy(url, _tamper_first_action) as mitm, \
                pytest.raises(SyncError) as exc:
            DecisionClient(st, st.store, mitm).fetch()
        assert exc.value.code == "bad_signature"
        assert "firma válida del servidor" in exc.value.message_es
        assert "no se guardó ninguna" in exc.value.message_es
        assert st.store.one("SELECT COUNT(*) FROM server_events")[0] == 0
        assert st.store.get_meta(CURSOR) is None
        n_events = len(load_events(st.store.conn))
    finally:
        st.close()

    apply_style(QApplication.instance())
    win = MainWindow(folder, url, "es", sync_interval=0.3)
    qtbot.addWidget(win)
    win.show()
    try:
        page = win.stack.currentWidget()
        qtbot.keyClicks(page.passphrase, PASSPHRASE)
        qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
        login(qtbot, win, "dani")
        dig = tab(win, "digitalizacion")
        win.sync_now()
        # the sync round brings the decision; the open tab lists the acta by itself
        qtbot.waitUntil(lambda: dig.rescan.isVisibleTo(dig) and clave in dig.rescan.text(),
                        timeout=30000)
        assert "decisiones del servidor: 1" in win.last_report.message_es
        store = win.station.store
        kept = store.q("SELECT seq, kind, clave_acta, via FROM server_events")
        assert [tuple(r) for r in kept] == [(decision["event"]["seq"], "resolucion", clave,
                                             "http")]
        st_now = actas.state_of(store, clave)
        assert st_now.status is Status.ACOPIADA  # the image is set aside, as on the server
        # kept apart from the station's chain: never re-sent
        assert len(load_events(store.conn)) == n_events and pending_count(store) == 0
        assert all(se.event.kind is not Kind.RESOLUCION for se in load_events(store.conn))

        # the new image is accepted (not flagged as the same acta again) and synced
        old_image = st_now.images[-1].sha256
        again = rescan_file(deck, deck.records[4], tmp_path / "de-nuevo.jpg", 80)
        dig.import_files([str(again)])
        qtbot.waitUntil(lambda: not dig.busy(), timeout=60000)
        assert dig.results[-1].stored, dig.results[-1].text()
        assert not dig.rescan.isVisibleTo(dig)
        after = actas.state_of(store, clave)  # the new image goes to capture (OCR read it)
        assert after.status in (Status.DIGITALIZADA, Status.CAPTURADA)
        assert after.images[-1].sha256 == dig.results[-1].sha256 != old_image
        win.sync_now()
        qtbot.waitUntil(lambda: pending_count(win.station.store) == 0, timeout=30000)
        remote = [(k, c) for _, _, k, c in server_events(module_server.db_path, st.id)]
        assert remote.count(("digitalizacion", clave)) == 2
    finally:
        win.shutdown()


def test_offline_catd_learns_decisions_from_the_receipts_file(qtbot, tmp_path, catalog, deck,
                                                             module_server):
    url = module_server.url
    st = new_station(tmp_path / "catd", catalog)  # no server: everything travels on USB
    folder = st.folder
    s, csrf = console_session(url)

    def console_import(name: str, doc: dict) -> None:
        page = s.post(url + "/console/import", data={"csrf": csrf}, timeout=60,
                      files={"file": (name, json.dumps(doc).encode(), "application/json")})
        assert page.status_code == 200

    try:
        console_import("alta.json", enrollment_request(st))
        approve_station(url, st.id)
        ap = s.get(f"{url}/console/stations/{st.id}/approval.json", timeout=30).json()
        import_approval(st, st.store, ap)
        recapture, choose = _in_discrepancy(st, deck, deck.records[5:7])
        console_import("lote.json", export_pending(st, st.store))
        assert pending_count(st.store) > 0  # not acknowledged until the receipts come back
    finally:
        st.close()
    _resolve(url, recapture, "recapture")
    _resolve(url, choose, "choose", deck.truth(choose))
    doc = s.get(f"{url}/console/stations/{st.id}/receipts.json", timeout=30).json()
    mine = [d for d in doc["decisions"] if d["event"]["acta"] in (recapture, choose)]
    assert [d["event"]["payload"]["action"] for d in mine] == ["recapture", "choose"]

    apply_style(QApplication.instance())
    win = MainWindow(folder, "", "es")
    qtbot.addWidget(win)
    win.show()
    try:
        page = win.stack.currentWidget()
        qtbot.keyClicks(page.passphrase, PASSPHRASE)
        qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
        login(qtbot, win, "ana")
        store = win.station.store
        status = tab(win, "estado")
        # a file whose decision was altered is refused whole: no receipt, no decision
        forged = json.loads(json.dumps(doc))
        values = next(d for d in forged["decisions"]
                      if d["event"]["acta"] == choose)["event"]["payload"]["values"]
        field = next(iter(values))
        values[field] = 123 if values[field] != 123 else 124
        bad = tmp_path / "recibos-alterados.json"
        bad.write_text(json.dumps(forged))
        status.import_usb(str(bad))
        assert "firma válida del servidor" in status.message.text(), status.message.text()
        assert store.one("SELECT COUNT(*) FROM server_events")[0] == 0
        assert store.one("SELECT COUNT(*) FROM receipts")[0] == 0 and pending_count(store) > 0

        good = tmp_path / "recibos.json"
        good.write_text(json.dumps(doc))
        status.import_usb(str(good))
        n_dec = len(doc["decisions"])
        assert f"decisiones nuevas del servidor: {n_dec}" in status.message.text(), \
            status.message.text()
        assert pending_count(store) == 0
        via = {r[0] for r in store.q("SELECT via FROM server_events")}
        assert via == {"usb"}
        # the chosen reading is verified here too; the recaptured acta is back in capture
        chosen = actas.state_of(store, choose)
        assert chosen.status is Status.VERIFICADA
        truth = deck.truth(choose)
        assert values_to_json(chosen.reading) == {k: truth[k] for k in chosen.reading}
        assert actas.state_of(store, recapture).status is Status.DIGITALIZADA
        view = tab(win, "captura")
        assert view.task is not None and view.task.clave_acta == recapture
        assert all(not e.text() for e in view.edits.values())  # blind, as always
        # the same file again changes nothing
        status.import_usb(str(good))
        assert "decisiones nuevas del servidor: 0" in status.message.text()
        assert store.one("SELECT COUNT(*) FROM server_events")[0] == n_dec
    finally:
        win.shutdown()


def test_foreign_or_malformed_decisions_are_refused(station, catalog):
    """Each item checked against the pinned key, the server's chain id, the kinds
    of decision and the station's catalog; one bad item refuses them all."""
    key = KeyPair.generate()
    station.store.set_meta("server_public_key", b64(key.public_bytes))
    station.store.set_meta("server_station", "SERVIDOR")
    a, b = (x.clave_acta for x in catalog.expected_actas()[:2])
    t = 1_717_400_000_000

    def chain(sid: str = "SERVIDOR", signer: KeyPair = key, fp: str = catalog.fingerprint):
        return EventLog(sid, signer, fp)

    good = chain()
    items = [good.append(Kind.RESOLUCION, a, t, "coord", {"action": "rescan", "reason": "x"}),
             good.append(Kind.RESOLUCION, b, t + 1, "coord",
                         {"action": "recapture", "reason": "y"})]
    wires = [se.to_wire() for se in items]
    assert [se.hash for se in check_decisions(station, station.store, wires)] == \
        [se.hash for se in items]

    flipped = json.loads(json.dumps(wires))
    flipped[1]["event"]["payload"]["action"] = "rescan"
    other_key = chain(signer=KeyPair.generate()).append(
        Kind.RESOLUCION, a, t, "coord", {"action": "rescan", "reason": "x"}).to_wire()
    other_station = chain("CATD-99").append(
        Kind.COTEJO, a, t, "sup", {"result": "rescan"}).to_wire()
    not_a_decision = chain().append(Kind.CAPTURA, a, t, "coord", {
        "source": "operator:x", "values": {"PAN": 1}}).to_wire()
    unknown_acta = chain().append(
        Kind.RESOLUCION, "999999Z99996", t, "coord", {"action": "rescan", "reason": "x"}).to_wire()
    other_catalog = chain(fp="f" * 64).append(
        Kind.RESOLUCION, a, t, "coord", {"action": "rescan", "reason": "x"}).to_wire()
    no_sig = {"event": wires[0]["event"]}
    for bad, words in (([wires[0], flipped[1]], "firma válida"),
                       ([other_key], "firma válida"),
                       ([wires[0], other_station], "otra estación"),
                       ([not_a_decision], "no una decisión"),
                       ([unknown_acta], "no está en el catálogo"),
                       ([other_catalog], "otro catálogo"),
                       ([no_sig], "mal formada"),
                       ([{"event": "x", "sig": "y"}], "mal formada"),
                       ({"items": wires}, "lista")):
        with pytest.raises(SyncError, match=words) as exc:
            check_decisions(station, station.store, bad)
        assert exc.value.message_en and "none was kept" in exc.value.message_en
        assert station.store.one("SELECT COUNT(*) FROM server_events")[0] == 0

    with station.store.tx() as c:
        assert keep(c, check_decisions(station, station.store, wires), "http") == 2
    with station.store.tx() as c:
        assert keep(c, check_decisions(station, station.store, wires), "http") == 0
    # another decision under a number already kept (the server's chain forked)
    fork = chain().append(Kind.RESOLUCION, a, t + 5, "coord", {"action": "choose",
                          "values": {"PAN": 3}, "reason": "z"}).to_wire()
    with pytest.raises(SyncError) as exc, station.store.tx() as c:
        keep(c, check_decisions(station, station.store, [fork]), "http")
    assert exc.value.code == "decision_fork"
    assert station.store.one("SELECT COUNT(*) FROM server_events")[0] == 2

    # without a known server key nothing can be checked (nor kept)
    station.store.conn.execute("DELETE FROM meta WHERE key = 'server_public_key'")
    with pytest.raises(SyncError, match="importe primero la aprobación"):
        import_receipts_file(station, station.store, {"receipts": [], "decisions": wires})
