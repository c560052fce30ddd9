"""Durable receipts: the setting in force on the live server's own connections is
the one that makes a committed write survive a power cut (item 6 of issue 15).

The throwaway PostgreSQL cluster of the tests runs with ``synchronous_commit=off``
as its default, so the PostgreSQL half fails unless the server turns it on for
its write transactions itself."""

from __future__ import annotations

from sqlalchemy import text

from tests.server.helpers import batch, enroll_all


def _sqlite_sync(conn) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    return (
        conn.exec_driver_sql("PRAGMA synchronous").scalar(),
        conn.exec_driver_sql("PRAGMA journal_mode").scalar(),
    )


def test_write_transactions_are_durable(live, night) -> None:
    store = live.store
    enroll_all(live.ctx, night.keys)
    name, evs = next(iter(night.events.items()))
    with live.client() as c:
        r = c.post("/api/v1/batches", json=batch(name, evs[:3], _imgs(night, evs[:3])))
    assert r.status_code == 200, r.text
    if store.is_sqlite:
        with store.write() as conn:  # a pooled connection the server itself used
            assert _sqlite_sync(conn) == (2, "wal")  # 2: FULL
        with store.read() as conn:
            assert _sqlite_sync(conn) == (2, "wal")
        assert store.durability() == "journal_mode=wal, synchronous=FULL"
        return
    with store.read() as conn:  # the cluster's default, outside a write transaction
        assert conn.execute(text("SHOW synchronous_commit")).scalar() == "off"
    with store.write() as conn:
        assert conn.execute(text("SHOW synchronous_commit")).scalar() == "on"
    assert store.durability().startswith("synchronous_commit=on")


def _imgs(night, evs):  # type: ignore[no-untyped-def]
    from tests.server.helpers import images_for

    return images_for(evs, night.images)
