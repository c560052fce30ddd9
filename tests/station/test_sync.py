"""Sync against a real prep-server on loopback: enrollment, approval in the console,
batches and images exactly once, an offline session, USB export, catalog mismatch."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
import requests

from capture_station.capture import CaptureDesk
from capture_station.demo_server import approve_station, console_session, free_port, start_server
from capture_station.errors import StationError
from capture_station.operators import login
from capture_station.pipeline import Pipeline
from capture_station.sources import FileImport
from capture_station.station import Station, create_station
from capture_station.storage.outbox import load_events
from capture_station.sync.approval import approval, import_approval
from capture_station.sync.client import (
    GAP_RETRIES,
    SyncClient,
    SyncError,
    enrollment_request,
    export_pending,
    import_receipts,
    pending_count,
)
from prep_core.demo import demo_catalog
from prep_core.derive import Status
from prep_core.events import check_chain
from tests.station.helpers import PASSPHRASE, PASSWORDS, entries, new_station, server_events


def _session(station, deck, n):
    """Acopio, digitalización and double capture (with one disagreement resolved)."""
    pipe = Pipeline(station)
    results = [pipe.process(p, "dani") for p in FileImport([deck.path(r) for r in deck.records[:n]]).pages()]
    assert all(r.stored for r in results), [r.text() for r in results]
    ops = {k: login(station.store, k, v) for k, v in PASSWORDS.items()}
    desk = CaptureDesk(station)
    for name, spoil in (("ana", True), ("beto", False)):  # the first human capture disagrees
        while (t := desk.next_task(ops[name], "captura")) is not None:
            vals = entries(deck.truth(t.clave_acta), t.fields)
            if spoil and t.clave_acta == results[0].clave_acta:
                vals["NULOS"] = "777"
            desk.submit(ops[name], t, vals)
    while (t := desk.next_task(ops["caro"], "verificacion")) is not None:
        desk.submit(ops["caro"], t, entries(deck.truth(t.clave_acta), t.fields))
    from capture_station import actas

    states = [actas.state_of(station.store, r.clave_acta) for r in results]
    assert all(s.status is Status.VERIFICADA for s in states)
    return results


def test_offline_session_then_sync_exactly_once(tmp_path, catalog, catalog_dir, deck):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    st = new_station(tmp_path / "st", catalog, server=url)
    try:
        client = SyncClient(st, st.store, url, batch_size=7)
        with pytest.raises(SyncError) as exc:
            client.sync_once()
        assert exc.value.offline and "sin conexión" in exc.value.message_es
        _session(st, deck, 3)
        with pytest.raises(SyncError):
            client.sync_once()
        local = load_events(st.store.conn)
        assert pending_count(st.store) == len(local)
        srv = start_server(tmp_path / "srv", catalog_dir, port=port)
        try:
            assert client.sync_once().state == "pending"  # enrolled, awaiting approval
            approve_station(url, st.id)
            rep = client.sync_once()
            assert rep.state == "online" and rep.sent == len(local) and rep.pending == 0
            assert client.sync_once().sent == 0  # nothing twice
            remote = server_events(srv.db_path, st.id)
            assert [(s, h) for s, h, _, _ in remote] == [(e.event.seq, e.hash) for e in local]
            kinds = {k for _, _, k, _ in remote}
            assert {"acopio", "digitalizacion", "captura", "verificacion"} <= kinds
            n_receipts = st.store.one("SELECT COUNT(*) FROM receipts")[0]
            assert n_receipts == -(-len(local) // 7)
            # receipts brought back on USB mark the same events as held by the server
            wires = [json.loads(b) for b, in st.store.q("SELECT body FROM receipts")]
            with st.store.tx() as c:
                c.execute("UPDATE events SET acked = 0")
            assert import_receipts(st.store, {"receipts": wires}) == n_receipts
            assert pending_count(st.store) == 0
            forged = json.loads(json.dumps(wires[0]))
            forged["receipt"]["head"]["seq"] += 1
            with pytest.raises(SyncError, match="firma válida"):
                import_receipts(st.store, forged)
            for sha, in st.store.q("SELECT sha256 FROM images"):
                r = requests.get(f"{url}/console/images/{sha}", timeout=10,
                                 cookies=console_session(url)[0].cookies)
                assert r.status_code == 200 and r.content == st.images.get(sha)
        finally:
            srv.stop()
    finally:
        st.close()


def test_usb_export_imported_by_console(tmp_path, catalog, server, deck):
    st = new_station(tmp_path / "st", catalog, server=server.url)
    try:
        client = SyncClient(st, st.store, server.url)
        s, csrf = console_session(server.url)

        def console_import(name: str, doc: dict) -> None:
            page = s.post(server.url + "/console/import", data={"csrf": csrf}, timeout=60,
                          files={"file": (name, json.dumps(doc).encode(), "application/json")})
            assert page.status_code == 200

        # offline enrollment: the request travels on a USB drive, the approval comes back
        console_import("alta.json", enrollment_request(st))
        assert s.get(f"{server.url}/console/stations/{st.id}/approval.json").status_code == 409
        approve_station(server.url, st.id)
        r = s.get(f"{server.url}/console/stations/{st.id}/approval.json", timeout=30)
        assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
        approval_doc = r.json()
        forged = json.loads(r.text)
        forged["approval"]["role"] = "CCV"
        with pytest.raises(StationError, match="firma del servidor"):
            import_approval(st, st.store, forged)
        assert import_approval(st, st.store, approval_doc)["station"] == st.id
        assert approval(st.store)["fingerprint"] == st.key.fingerprint
        _session(st, deck, 2)
        doc = export_pending(st, st.store, batch_size=5)
        n = len(load_events(st.store.conn))
        assert sum(len(b["events"]) for b in doc["batches"]) == n
        console_import("lote.json", doc)
        assert len(server_events(server.db_path, st.id)) == n
        # the receipts come back on USB and mark everything as held by the server
        receipts = s.get(f"{server.url}/console/stations/{st.id}/receipts.json", timeout=30).json()
        assert len(receipts["receipts"]) == len(doc["batches"])
        assert import_receipts(st.store, receipts) == len(doc["batches"])
        assert pending_count(st.store) == 0
        rep = client.sync_once()  # the server met online is the one that approved
        assert rep.sent == 0 and rep.pending == 0
    finally:
        st.close()


def test_catalog_of_another_election_is_refused(tmp_path, server):
    other = demo_catalog(30, seed=99)
    st = new_station(tmp_path / "st", other, server=server.url)
    try:
        ana = login(st.store, "ana", PASSWORDS["ana"])
        CaptureDesk(st).acopio(ana, other.expected_actas()[0].clave_acta)
        with pytest.raises(SyncError) as exc:
            SyncClient(st, st.store, server.url).sync_once()
        assert "otro catálogo" in exc.value.message_es
        assert pending_count(st.store) == 1  # nothing lost
    finally:
        st.close()


def test_bad_station_inputs(tmp_path, catalog, catalog_dir):
    folder = tmp_path / "st"
    create_station(folder, "CATD-X1", "CATD", "CATD", catalog, PASSPHRASE)
    with pytest.raises(StationError, match="frase de acceso incorrecta"):
        Station(folder, "no es la frase")
    with pytest.raises(StationError, match="ya tiene una estación"):
        create_station(folder, "CATD-X1", "CATD", "CATD", catalog, PASSPHRASE)
    with pytest.raises(StationError, match="al menos 8"):
        create_station(tmp_path / "b", "CATD-X2", "CATD", "CATD", catalog, "corta")
    bad_cat = tmp_path / "badcat"
    bad_cat.mkdir()
    (bad_cat / "catalog.json").write_text("{no es json")
    (bad_cat / "casillas.csv").write_text("")
    with pytest.raises(StationError, match="catálogo inválido"):
        create_station(tmp_path / "c", "CATD-X3", "CATD", "CATD", bad_cat, PASSPHRASE)
    st = Station(folder, PASSPHRASE)
    try:
        with pytest.raises(StationError, match="ya está abierta"):
            Station(folder, PASSPHRASE)
        from capture_station.operators import add_operator

        add_operator(st.store, "ana", "Ana", "supervisor", PASSWORDS["ana"])
        CaptureDesk(st).acopio(login(st.store, "ana", PASSWORDS["ana"]),
                               catalog.expected_actas()[0].clave_acta)
        from prep_core.files import save_catalog

        other_dir = save_catalog(demo_catalog(20, seed=5), tmp_path / "other")
        with pytest.raises(StationError, match="otro catálogo"):
            st.replace_catalog(other_dir)
        chk = check_chain(load_events(st.store.conn), st.key.public_bytes)
        assert len(chk.verified) == 1 and not chk.errors
        assert re.fullmatch(r"[0-9a-f]{64}", st.catalog.fingerprint)
    finally:
        st.close()


class _Restoring(requests.Session):
    """Before each of the first posted batches, the server's database goes back to an
    older head of the station, as when it is restored from an earlier backup."""

    def __init__(self, db, station, heads):  # type: ignore[no-untyped-def]
        super().__init__()
        self.db, self.station, self.heads, self.posts = db, station, list(heads), 0

    def request(self, method, url, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        if method == "POST" and url.endswith("/api/v1/batches"):
            self.posts += 1
            if self.heads:
                self._restore(self.heads.pop(0))
        return super().request(method, url, *args, **kwargs)

    def _restore(self, head: int) -> None:
        con = sqlite3.connect(str(self.db), timeout=30)
        try:
            with con:
                (h,) = con.execute("SELECT hash FROM events WHERE station = ? AND seq = ?",
                                   (self.station, head)).fetchone()
                con.execute("DELETE FROM events WHERE station = ? AND seq > ?", (self.station, head))
                con.execute("UPDATE stations SET last_seq = ?, last_hash = ? WHERE id = ?",
                            (head, h, self.station))
        finally:
            con.close()


def _sent_six_of_twelve(st, catalog, url):  # type: ignore[no-untyped-def]
    ana = login(st.store, "ana", PASSWORDS["ana"])
    desk = CaptureDesk(st)
    for a in catalog.expected_actas()[:12]:
        desk.acopio(ana, a.clave_acta)
    assert SyncClient(st, st.store, url).sync_once().state == "pending"
    approve_station(url, st.id)
    first = [se.to_wire() for se in load_events(st.store.conn, limit=6)]
    r = requests.post(f"{url}/api/v1/batches", json={"station": st.id, "events": first}, timeout=30)
    assert r.status_code == 200, r.text


def test_chain_gap_sends_again_from_the_server_head(tmp_path, catalog, server):
    st = new_station(tmp_path / "st", catalog, server=server.url)
    try:
        _sent_six_of_twelve(st, catalog, server.url)
        http = _Restoring(server.db_path, st.id, heads=[2])  # head 6 read, then back to 2
        rep = SyncClient(st, st.store, server.url, batch_size=4, session=http).sync_once()
        assert rep.state == "online" and rep.head == 12 and rep.sent == 10 and rep.pending == 0
        assert http.posts == 4  # refused 7-10, then 3-6, 7-10, 11-12
        remote = server_events(server.db_path, st.id)
        assert [(s, h) for s, h, _, _ in remote] == [
            (e.event.seq, e.hash) for e in load_events(st.store.conn)]
        info = requests.get(f"{server.url}/api/v1/stations/{st.id}", timeout=30).json()
        assert info["gap"] is None
    finally:
        st.close()


def test_chain_gap_retries_are_bounded(tmp_path, catalog, server):
    st = new_station(tmp_path / "st", catalog, server=server.url)
    try:
        _sent_six_of_twelve(st, catalog, server.url)
        http = _Restoring(server.db_path, st.id, heads=[5, 4, 3, 2])  # it keeps going back
        with pytest.raises(SyncError) as exc:
            SyncClient(st, st.store, server.url, batch_size=4, session=http).sync_once()
        assert exc.value.code == "chain_gap" and "se esperaba el número" in exc.value.message_es
        assert http.posts == GAP_RETRIES + 1
        info = requests.get(f"{server.url}/api/v1/stations/{st.id}", timeout=30).json()
        assert info["gap"] is not None and info["head"]["seq"] == 3
    finally:
        st.close()
