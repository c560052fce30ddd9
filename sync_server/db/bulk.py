"""Many-row writes straight to the driver, for ingest.

SQLAlchemy's per-row parameter processing costs more than the database's own
work for the hundreds of rows a batch writes; these statements are plain SQL
that SQLite and PostgreSQL both accept (``ON CONFLICT ... DO UPDATE`` since
SQLite 3.24), written with the driver's placeholder. On PostgreSQL (psycopg),
plain inserts use ``COPY``, which took half the time of ``executemany`` per
event row (17 against 35 µs, measured with 500-row batches).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Connection, Table


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """INSERT these rows (tuples in ``columns`` order)."""
    if not rows:
        return
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    conn.exec_driver_sql(_insert_sql(_mark(conn), table.name, tuple(columns)), rows)


def upsert_rows(
    conn: Connection, table: Table, key: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """INSERT these rows, replacing every other column of a row whose ``key`` exists."""
    if rows:
        conn.exec_driver_sql(_upsert_sql(_mark(conn), table.name, key, tuple(columns)), rows)


def _mark(conn: Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


@cache
def _insert_sql(mark: str, table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"


@cache
def _upsert_sql(mark: str, table: str, key: str, columns: tuple[str, ...]) -> str:
    sets = ", ".join(f"{c} = excluded.{c}" for c in columns if c != key)
    return f"{_insert_sql(mark, table, columns)} ON CONFLICT ({key}) DO UPDATE SET {sets}"
