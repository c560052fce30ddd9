"""Events keyed by (station, seq), with an index of each acta's event hashes.

An event's hash covers its station and number, so (station, seq) identifies it
as well as the hash does; keying the table by it turns the random inserts into
a hash index (the largest write cost of ingest) into appends per station. The
acta index also carries the hash, so re-derivation finds an acta's events
without reading their bodies when they are cached.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

S, B, T = sa.String, sa.BigInteger, sa.Text
COLUMNS = "hash, station, seq, kind, clave_acta, at, body, sig, batch, received_at"


def _columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("hash", S(64), nullable=False),
        sa.Column("station", S(64), nullable=False),
        sa.Column("seq", B, nullable=False),
        sa.Column("kind", S(20), nullable=False),
        sa.Column("clave_acta", S(32), nullable=False),
        sa.Column("at", B, nullable=False),
        sa.Column("body", T, nullable=False),
        sa.Column("sig", S(100), nullable=False),
        sa.Column("batch", S(64), nullable=False),
        sa.Column("received_at", B, nullable=False),
    ]


def _rebuild(*constraints: sa.Constraint) -> None:
    """Recreate the events table with these keys, keeping every row."""
    op.create_table("events_new", *_columns(), *constraints)
    op.execute(f"INSERT INTO events_new ({COLUMNS}) SELECT {COLUMNS} FROM events")
    op.drop_table("events")
    op.rename_table("events_new", "events")


def upgrade() -> None:
    op.drop_index("ix_events_clave_acta", table_name="events")
    _rebuild(sa.PrimaryKeyConstraint("station", "seq", name="pk_events"))
    op.create_index("ix_events_acta_hash", "events", ["clave_acta", "hash"])


def downgrade() -> None:
    op.drop_index("ix_events_acta_hash", table_name="events")
    _rebuild(
        sa.PrimaryKeyConstraint("hash"),
        sa.UniqueConstraint("station", "seq", name="uq_events_station_seq"),
    )
    op.create_index("ix_events_clave_acta", "events", ["clave_acta"])
