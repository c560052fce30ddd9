"""Storage: SQLite settings, migrations from every released schema, images by hash,
the outbox chain, and events committed with the state they create."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from capture_station.storage.db import SCHEMA_VERSION, Store
from capture_station.storage.images import ImageStore, sha256
from capture_station.storage.migrations import STEPS, version
from capture_station.storage.outbox import load_events
from prep_core.events import Kind, check_chain


def test_wal_and_full_sync(tmp_path):
    s = Store(tmp_path / "s.db")
    assert s.one("PRAGMA journal_mode")[0] == "wal"
    assert s.one("PRAGMA synchronous")[0] == 2  # FULL
    assert version(s.conn) == SCHEMA_VERSION


DATA = Path(__file__).parent / "data"
OLD = sorted(DATA.glob("station-schema-*.db"))


def _columns(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {t: [tuple(c)[1:] for c in conn.execute(f"PRAGMA table_info({t})")] for t in sorted(tables)}


def test_a_database_of_every_released_schema_is_committed():
    assert [int(p.stem.rsplit("-", 1)[1]) for p in OLD] == sorted(STEPS)


@pytest.mark.parametrize("old", OLD, ids=lambda p: p.stem)
def test_a_released_station_database_upgrades_with_its_data(tmp_path, old):
    """The databases were made by the released migration code (make_old_stations.py):
    an edited released step, or a new step that loses rows, fails here."""
    db = tmp_path / "station.db"
    shutil.copy(old, db)
    released = int(old.stem.rsplit("-", 1)[1])
    with sqlite3.connect(db) as conn:
        assert version(conn) == released
        before = {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
                  for t in _columns(conn)}
    s = Store(db)
    assert version(s.conn) == SCHEMA_VERSION
    for table, rows in before.items():  # every row kept, every old column unchanged
        now = [tuple(r)[: len(rows[0])] for r in s.q(f"SELECT * FROM {table} ORDER BY rowid")] if rows else []
        assert now == rows, table
    assert s.get_meta("station_id") == "CATD-01"
    assert s.one("SELECT COUNT(*) FROM events WHERE acked = 1")[0] == 2
    assert {r["name"]: r["message_en"] for r in s.q("SELECT name, message_en FROM pages")} == {
        "acta-0001.jpg": "", "borrosa.jpg": "blurred image" if released >= 2 else ""}
    fresh = Store(tmp_path / "fresh.db")
    assert _columns(s.conn) == _columns(fresh.conn)  # the same schema as a new station's
    s.conn.execute("INSERT INTO server_events VALUES (9, 'h9', 'resolucion', 'X', 1, '{}', 's', 1, "
                   "'http')")
    assert s.integrity_check() == "ok"


def test_newer_schema_is_refused(tmp_path):
    db = tmp_path / "new.db"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(RuntimeError, match="versión más nueva"):
        Store(db)


def test_images_content_addressed(tmp_path):
    imgs = ImageStore(tmp_path / "images")
    data = b"\xff\xd8\xff" + bytes(range(256)) * 10
    h = imgs.put(data)
    assert h == sha256(data) and imgs.get(h) == data and imgs.verify(h)
    assert imgs.put(data) == h  # idempotent
    (imgs.path(h).parent / ".tmp-left-by-crash").write_bytes(b"x")
    assert imgs.remove_temporaries() == 1


def test_outbox_chain_and_atomicity(station):
    with station.store.tx() as c:
        station.outbox.append(c, Kind.ACOPIO, "030001B01006", "ana", {})
        station.outbox.append(c, Kind.SIN_ACTA, "030001B01007", "ana", {"cause": 2})
    with pytest.raises(ZeroDivisionError), station.store.tx() as c:
        station.outbox.append(c, Kind.ACOPIO, "030002B01006", "ana", {})
        raise ZeroDivisionError  # the state change fails: the event must not survive
    evs = load_events(station.store.conn)
    assert [e.event.seq for e in evs] == [1, 2]
    chk = check_chain(evs, station.key.public_bytes)
    assert len(chk.verified) == 2 and not chk.errors and not chk.held
    assert all(e.event.catalog == station.catalog.fingerprint for e in evs)
