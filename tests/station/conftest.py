"""Fixtures for the station: Qt offscreen, SANE's test and pnm backends without network
probes, a small deck of generated actas, stations, and a real sync server."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_SANE_DIR = Path(tempfile.mkdtemp(prefix="prep-sane-"))
(_SANE_DIR / "dll.conf").write_text("test\npnm\n")  # pnm: a scanner that scans a file
if Path("/etc/sane.d/test.conf").exists():
    shutil.copy("/etc/sane.d/test.conf", _SANE_DIR / "test.conf")
os.environ["SANE_CONFIG_DIR"] = str(_SANE_DIR)

import pytest  # noqa: E402

from prep_cli.local_server import LocalServer, start_server  # noqa: E402
from prep_demo.demo import demo_catalog  # noqa: E402
from prep_io.files import save_catalog  # noqa: E402
from tests.station.helpers import Deck, make_deck, new_station  # noqa: E402


@pytest.fixture(scope="session")
def catalog():  # type: ignore[no-untyped-def]
    return demo_catalog()


@pytest.fixture(scope="session")
def catalog_dir(catalog, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    return save_catalog(catalog, tmp_path_factory.mktemp("catalog"))


@pytest.fixture(scope="session")
def deck(tmp_path_factory) -> Deck:
    return make_deck(tmp_path_factory.mktemp("deck"), n=10, seed=11)


@pytest.fixture(scope="session")
def server(tmp_path_factory, catalog_dir) -> Iterator[LocalServer]:
    srv = start_server(tmp_path_factory.mktemp("server"), catalog_dir)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def station(tmp_path, catalog):  # type: ignore[no-untyped-def]
    st = new_station(tmp_path / "station", catalog)
    try:
        yield st
    finally:
        st.close()  # idempotent


@pytest.fixture(scope="module")
def module_server(tmp_path_factory, catalog_dir) -> Iterator[LocalServer]:
    """A server of the test module's own: its resolutions reach no other module's stations."""
    srv = start_server(tmp_path_factory.mktemp("module-server"), catalog_dir)
    try:
        yield srv
    finally:
        srv.stop()
