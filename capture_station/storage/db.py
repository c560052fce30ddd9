"""The station database: one SQLite file, WAL journal, synchronous=FULL.

Each thread opens its own :class:`Store` (sqlite3 connections are not shared).
Writes go through :meth:`Store.tx` (``BEGIN IMMEDIATE`` … ``COMMIT``), so an event
and the state it creates are committed together or not at all.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from capture_station.storage.migrations import LATEST, migrate

SCHEMA_VERSION = LATEST


class Store:
    def __init__(self, path: Path, *, upgrade: bool = True) -> None:
        self.path = Path(path)
        self.conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=30)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        if upgrade:
            migrate(self.conn)

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def q(self, sql: str, *args: object) -> list[sqlite3.Row]:
        return self.conn.execute(sql, args).fetchall()

    def one(self, sql: str, *args: object) -> sqlite3.Row | None:
        return self.conn.execute(sql, args).fetchone()

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.one("SELECT value FROM meta WHERE key = ?", key)
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.tx() as c:
            c.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def integrity_check(self) -> str:
        return str(self.one("PRAGMA integrity_check")[0])

    def close(self) -> None:
        self.conn.close()


def open_store(path: Path) -> Store:
    return Store(path)
