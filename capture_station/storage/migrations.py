"""Schema migrations: numbered steps, each run once in its own transaction.

Released schemas: 1 (first station release), 2 (receipts and per-page log
details), 3 (work pulled from the server by a CCV), 4 (the server's signed
decisions, kept apart from the station's own chain), 5 (a page held because its label
disagrees with its writing, and a key typed by hand awaiting a second person). Never edit a released step;
add a new one.
"""

from __future__ import annotations

import sqlite3

STEPS: dict[int, tuple[str, ...]] = {
    1: (
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE events (
            seq INTEGER PRIMARY KEY,
            hash TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            clave_acta TEXT NOT NULL,
            at INTEGER NOT NULL,
            operator TEXT NOT NULL,
            body TEXT NOT NULL,
            sig TEXT NOT NULL,
            acked INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX events_acta ON events (clave_acta)",
        """CREATE TABLE images (
            sha256 TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            media_type TEXT NOT NULL,
            stored_at INTEGER NOT NULL,
            uploaded INTEGER NOT NULL DEFAULT 0
        )""",
        """CREATE TABLE pages (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            name TEXT NOT NULL,
            sha256 TEXT,
            status TEXT NOT NULL,
            clave_acta TEXT,
            message TEXT NOT NULL DEFAULT '',
            at INTEGER NOT NULL
        )""",
        "CREATE INDEX pages_sha ON pages (sha256)",
        """CREATE TABLE operators (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            password TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            created_at INTEGER NOT NULL
        )""",
    ),
    2: (
        """CREATE TABLE receipts (
            batch TEXT PRIMARY KEY,
            head_seq INTEGER NOT NULL,
            body TEXT NOT NULL,
            received_at INTEGER NOT NULL,
            via TEXT NOT NULL DEFAULT 'http'
        )""",
        "ALTER TABLE pages ADD COLUMN message_en TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE pages ADD COLUMN source_key TEXT",
        "CREATE INDEX pages_source_key ON pages (source_key)",
    ),
    3: (
        """CREATE TABLE work (
            ticket TEXT PRIMARY KEY,
            clave_acta TEXT NOT NULL,
            mode TEXT NOT NULL,
            fields TEXT NOT NULL,
            image TEXT NOT NULL,
            election TEXT NOT NULL,
            since INTEGER NOT NULL,
            pulled_at INTEGER NOT NULL
        )""",
        "CREATE INDEX work_acta ON work (clave_acta)",
    ),
    4: (
        """CREATE TABLE server_events (
            seq INTEGER PRIMARY KEY,
            hash TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            clave_acta TEXT NOT NULL,
            at INTEGER NOT NULL,
            body TEXT NOT NULL,
            sig TEXT NOT NULL,
            received_at INTEGER NOT NULL,
            via TEXT NOT NULL
        )""",
        "CREATE INDEX server_events_acta ON server_events (clave_acta)",
    ),
    5: (
        "ALTER TABLE pages ADD COLUMN identity TEXT",
        "ALTER TABLE pages ADD COLUMN typed_clave TEXT",
        "ALTER TABLE pages ADD COLUMN typed_by TEXT",
    ),
}
LATEST = max(STEPS)


def version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = LATEST) -> list[int]:
    """Bring the database to ``target``; returns the steps applied."""
    applied = []
    current = version(conn)
    if current > LATEST:
        raise RuntimeError(
            f"la base de datos es de una versión más nueva ({current}) / "
            f"database is from a newer version ({current})"
        )
    for step in range(current + 1, target + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for sql in STEPS[step]:
                conn.execute(sql)
            conn.execute(f"PRAGMA user_version = {step}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(step)
    return applied
