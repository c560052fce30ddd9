"""First run with the catalog from the server, through the real widgets: the
download is checked like a catalog folder; a catalog of another election, one
altered on the way, a broken one or no server get a clear Spanish message and
nothing is created."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from capture_station.demo_server import free_port, start_server
from capture_station.errors import StationError
from capture_station.station import Station, StationConfig, create_station, is_initialized
from capture_station.sync.catalog import download_catalog
from capture_station.ui.main_window import MainWindow
from capture_station.ui.setup import SetupPage
from prep_core.demo import demo_catalog
from prep_core.files import save_catalog
from prep_core.signing import short_fingerprint
from tests.station.helpers import PASSPHRASE, PASSWORDS, tampering_proxy


@pytest.fixture(scope="module")
def other_server(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A server running the catalog of another election."""
    cat_dir = save_catalog(demo_catalog(30, seed=99), tmp_path_factory.mktemp("other-catalog"))
    srv = start_server(tmp_path_factory.mktemp("other-server"), cat_dir)
    try:
        yield srv
    finally:
        srv.stop()


def first_run(qtbot, folder, url: str, expected: str = "") -> MainWindow:  # type: ignore[no-untyped-def]
    win = MainWindow(folder, "", "es")
    qtbot.addWidget(win)
    win.show()
    setup = win.stack.currentWidget()
    assert isinstance(setup, SetupPage)
    qtbot.keyClicks(setup.station, "CCV-NUEVA")
    qtbot.keyClicks(setup.name, "CCV La Paz")
    setup.role.setCurrentIndex(setup.role.findData("CCV"))
    setup.catalog_source.setCurrentIndex(setup.catalog_source.findData("server"))
    assert not setup.catalog.isEnabled() and not setup.catalog.text()
    qtbot.keyClicks(setup.expected, expected)
    qtbot.keyClicks(setup.server, url)
    for w in (setup.pass1, setup.pass2):
        qtbot.keyClicks(w, PASSPHRASE)
    qtbot.keyClicks(setup.sup_id, "ana")
    qtbot.keyClicks(setup.sup_pw, PASSWORDS["ana"])
    qtbot.mouseClick(setup.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.station is not None or bool(setup.error.text()), timeout=30000)
    return win


def test_first_run_catalog_from_server(qtbot, tmp_path, catalog, server):
    fp = catalog.fingerprint
    win = first_run(qtbot, tmp_path / "ccv", server.url, short_fingerprint(fp)[:19])
    try:
        assert win.station is not None, win.stack.currentWidget().error.text()
        assert win.station.catalog.fingerprint == fp
        assert win.station.config.role == "CCV" and win.station.config.server == server.url
    finally:
        win.shutdown()
    st = Station(tmp_path / "ccv", PASSPHRASE)  # the copy on disk reopens and matches
    try:
        assert st.catalog.fingerprint == fp == StationConfig.load(st.folder).catalog
    finally:
        st.close()


def test_catalog_of_another_election_from_server(qtbot, tmp_path, catalog, other_server):
    win = first_run(qtbot, tmp_path / "ccv", other_server.url, catalog.fingerprint[:16])
    try:
        setup = win.stack.currentWidget()
        assert win.station is None
        assert "es de otra elección" in setup.error.text(), setup.error.text()
        assert setup.ok.isEnabled()  # the operator may fix it and try again
        assert not is_initialized(tmp_path / "ccv")
    finally:
        win.shutdown()


def test_bad_catalog_downloads(tmp_path, catalog, server):
    def drop_last_casilla(path: str, body: bytes) -> bytes:
        doc = json.loads(body)
        rows = doc["files"]["casillas.csv"].splitlines(keepends=True)
        doc["files"]["casillas.csv"] = "".join(rows[:-1])
        return json.dumps(doc).encode()

    def break_json(path: str, body: bytes) -> bytes:
        doc = json.loads(body)
        doc["files"]["catalog.json"] = doc["files"]["catalog.json"][:-40]
        return json.dumps(doc).encode()

    with tampering_proxy(server.url, drop_last_casilla) as mitm, \
            pytest.raises(StationError, match="no coincide con la huella que anuncia"):
        download_catalog(mitm)
    with tampering_proxy(server.url, break_json) as mitm, \
            pytest.raises(StationError, match="catálogo inválido: JSON inválido"):
        download_catalog(mitm)
    with tampering_proxy(server.url, lambda p, b: b"<html>portal cautivo</html>") as mitm, \
            pytest.raises(StationError, match="no es un catálogo"):
        download_catalog(mitm)
    with pytest.raises(StationError, match="sin conexión"):
        download_catalog(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StationError, match="al menos 8"):
        download_catalog(server.url, "abc")
    assert download_catalog(server.url).fingerprint == catalog.fingerprint
    # a file import is checked against the expected fingerprint the same way
    other = save_catalog(demo_catalog(30, seed=99), tmp_path / "otro")
    with pytest.raises(StationError, match="es de otra elección"):
        create_station(tmp_path / "st", "CCV-X", "CCV", "CCV", other, PASSPHRASE,
                       expected_catalog=catalog.fingerprint[:12])
    assert not is_initialized(tmp_path / "st")
