"""Schema upgrades: a database left at any earlier revision, with data in it,
reaches the newest schema with every event kept (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from sync_server.db.store import MIGRATIONS, Store
from sync_server.db.tables import metadata

EVENT_COLUMNS = "hash, station, seq, kind, clave_acta, at, body, sig, batch, received_at"


def _config(conn) -> Config:  # type: ignore[no-untyped-def]
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def _revisions() -> list[str]:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    revs = [s.revision for s in ScriptDirectory.from_config(cfg).walk_revisions()]
    return list(reversed(revs))[:-1]  # every revision before the newest


def _event(n: int) -> dict[str, object]:
    return {
        "hash": f"{n:064x}",
        "station": "CATD01",
        "seq": n,
        "kind": "acopio",
        "clave_acta": "030001B01006",
        "at": 1_000 + n,
        "body": "{}",
        "sig": "s",
        "batch": "b" * 64,
        "received_at": 5,
    }


@pytest.mark.parametrize("start", _revisions())
def test_upgrade_keeps_events(db_url, start) -> None:
    store = Store(db_url)
    with store.engine.begin() as conn:
        command.upgrade(_config(conn), start)
        numbered = start >= "0005"  # from 0005 the server numbers each event it accepts
        cols = EVENT_COLUMNS + (", ingest_seq" if numbered else "")
        conn.execute(
            text(f"INSERT INTO events ({cols}) VALUES ({_marks(cols)})"),
            [{**_event(n), **({"ingest_seq": n} if numbered else {})} for n in (1, 2, 3)],
        )
        held = start < "0004"  # before 0004 a server held events past a gap
        for sid in ("CATD01", "CATD02"):
            conn.execute(
                text(
                    "INSERT INTO stations (id, public_key, fingerprint, role, name, status,"
                    " requested_at, last_seq, last_hash"
                    + (", held_count)" if held else ")")
                    + " VALUES (:id, 'k', 'f', 'CATD', 'n', 'approved', 1, 3, :h"
                    + (", 2)" if held else ")")
                ),
                {"id": sid, "h": f"{3:064x}"},
            )
        if held:  # an earlier server held CATD01's events 7 and 9 after a gap (4 to 6 missing)
            conn.execute(
                text(
                    "INSERT INTO held_events (hash, station, seq, body, sig, batch, received_at)"
                    " VALUES (:hash, 'CATD01', :seq, '{}', 's', :b, :at)"
                ),
                [{"hash": f"{n:064x}", "seq": n, "b": "b" * 64, "at": 100 + n} for n in (7, 9)],
            )
    store.migrate()
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        rows = conn.execute(text("SELECT station, seq, hash FROM events ORDER BY seq")).all()
        order = conn.execute(text("SELECT seq, ingest_seq FROM events ORDER BY seq")).all()
        gaps = conn.execute(
            text("SELECT id, gap_first, gap_last, gap_events, gap_at FROM stations ORDER BY id")
        ).all()
    assert [tuple(r) for r in rows] == [("CATD01", n, f"{n:064x}") for n in (1, 2, 3)]
    assert [tuple(r) for r in order] == [(1, 1), (2, 2), (3, 3)]  # numbered as received
    assert [tuple(r) for r in gaps] == [
        ("CATD01", 4, 6, 2, 109) if start < "0004" else ("CATD01", None, None, None, None),
        ("CATD02", None, None, None, None),
    ]
    store.dispose()


def _marks(cols: str = EVENT_COLUMNS) -> str:
    return ", ".join(f":{c.strip()}" for c in cols.split(","))


def test_downgrade_then_upgrade_again(db_url) -> None:
    store = Store(db_url)
    store.migrate()
    with store.engine.begin() as conn:
        command.downgrade(_config(conn), _revisions()[1])
    store.migrate()
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    store.dispose()
