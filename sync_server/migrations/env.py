"""Alembic environment: runs on the connection the Store hands over, or on the
URL in DATABASE_URL / the alembic ``sqlalchemy.url`` option when run by hand."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from sync_server.db.store import normalize_url
from sync_server.db.tables import metadata

config = context.config
target_metadata = metadata


def run() -> None:
    conn = config.attributes.get("connection")
    if conn is not None:
        context.configure(connection=conn, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = os.environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("set DATABASE_URL")
    engine = create_engine(normalize_url(url))
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


run()
