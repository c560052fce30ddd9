"""The Store: one SQLAlchemy engine, schema migrations, and serialized write
transactions. SQLite by default; PostgreSQL through the same code."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.pool import StaticPool

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
_PG_LOCK_ID = 4_242_424  # advisory lock that serializes writers across processes


def normalize_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` use psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Store:
    """Database access for the services. Writes go through :meth:`write`, one at a
    time (a thread lock here, plus an advisory lock on PostgreSQL), so the
    chain heads, the audit chain and the derived actas never race.

    Every write transaction is durable once it returns: SQLite runs in WAL mode
    with ``synchronous=FULL`` (the WAL is synced at each commit), and on
    PostgreSQL each write transaction sets ``synchronous_commit`` on for itself,
    whatever the cluster's default. A signed receipt is built inside the write
    transaction and sent only after the commit returned, so a station never
    holds a receipt for events a power cut could take away."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = normalize_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        kwargs: dict[str, object] = {"echo": echo}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
            if self.url in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in self.url:
                kwargs["poolclass"] = StaticPool
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(self.url, **kwargs)
        self._lock = threading.RLock()
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: committed on success, rolled back on any error."""
        with self._lock, self.engine.begin() as conn:
            if not self.is_sqlite:
                conn.execute(text("SET LOCAL synchronous_commit = on"))
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_ID})
            yield conn

    def durability(self) -> str:
        """The setting in force for write transactions, as the database reports it
        (``PRAGMA synchronous`` on SQLite, ``SHOW synchronous_commit`` on
        PostgreSQL inside a write transaction)."""
        with self.write() as conn:
            if self.is_sqlite:
                level = conn.exec_driver_sql("PRAGMA synchronous").scalar()
                mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
                return f"journal_mode={mode}, synchronous={_SQLITE_SYNC.get(level, level)}"
            sync = conn.execute(text("SHOW synchronous_commit")).scalar()
            fsync = conn.execute(text("SHOW fsync")).scalar()
            return f"synchronous_commit={sync}, fsync={fsync}"

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self._lock, self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def dispose(self) -> None:
        self.engine.dispose()


_SQLITE_SYNC = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")  # durable receipts: the WAL is synced at commit
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA cache_size=-65536")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA wal_autocheckpoint=20000")
    cur.close()
