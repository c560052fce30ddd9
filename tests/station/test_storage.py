"""Storage: SQLite settings, migrations from every released schema, images by hash,
the outbox chain, and events committed with the state they create."""

from __future__ import annotations

import sqlite3

import pytest

from capture_station.storage.db import SCHEMA_VERSION, Store
from capture_station.storage.images import ImageStore, sha256
from capture_station.storage.migrations import STEPS, migrate, version
from capture_station.storage.outbox import load_events
from prep_core.events import Kind, check_chain


def test_wal_and_full_sync(tmp_path):
    s = Store(tmp_path / "s.db")
    assert s.one("PRAGMA journal_mode")[0] == "wal"
    assert s.one("PRAGMA synchronous")[0] == 2  # FULL
    assert version(s.conn) == SCHEMA_VERSION


@pytest.mark.parametrize("released", sorted(STEPS))
def test_migrates_from_every_released_schema(tmp_path, released):
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db, isolation_level=None)
    migrate(conn, released)
    conn.execute("INSERT INTO meta VALUES ('k', 'v')")
    conn.execute("INSERT INTO events (seq, hash, kind, clave_acta, at, operator, body, sig) "
                 "VALUES (1, 'h', 'acopio', 'X', 1, 'op', '{}', 's')")
    conn.execute("INSERT INTO pages (source, name, status, at) VALUES ('file', 'a.jpg', 'guardada', 1)")
    if released >= 3:
        conn.execute("INSERT INTO work VALUES ('t0', 'X', 'captura', '[]', 'i', 'E', -1, 1)")
    conn.close()
    s = Store(db)
    assert version(s.conn) == SCHEMA_VERSION
    assert s.get_meta("k") == "v"
    assert s.one("SELECT COUNT(*) FROM events")[0] == 1
    assert s.one("SELECT message_en FROM pages")[0] == ""
    s.conn.execute("INSERT INTO receipts (batch, head_seq, body, received_at) VALUES ('b', 1, '{}', 1)")
    s.conn.execute("INSERT INTO work VALUES ('t', 'X', 'captura', '[]', 'i', 'E', -1, 1)")
    assert s.one("SELECT COUNT(*) FROM work")[0] == (2 if released >= 3 else 1)
    s.conn.execute("INSERT INTO server_events VALUES (1, 'h', 'resolucion', 'X', 1, '{}', 's', 1, "
                   "'http')")
    assert s.q("SELECT seq FROM server_events WHERE clave_acta = 'X'")[0][0] == 1
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
