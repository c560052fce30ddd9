"""A chain gap rejects its batch: no held events; each station keeps the last gap
it reported, until its chain advances past it.

Events held by an earlier server are dropped here: the stations still have
them (they are not acknowledged) and send them again from the chain head. The
gap they were waiting on becomes the station's reported gap.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

S, B, Int, T = sa.String, sa.BigInteger, sa.Integer, sa.Text


def upgrade() -> None:
    with op.batch_alter_table("stations") as t:
        t.add_column(sa.Column("gap_first", B))
        t.add_column(sa.Column("gap_last", B))
        t.add_column(sa.Column("gap_events", Int))
        t.add_column(sa.Column("gap_at", B))
    op.execute(
        "UPDATE stations SET"
        " gap_first = last_seq + 1,"
        " gap_last = (SELECT MIN(h.seq) FROM held_events h WHERE h.station = stations.id) - 1,"
        " gap_events = (SELECT COUNT(*) FROM held_events h WHERE h.station = stations.id),"
        " gap_at = (SELECT MAX(h.received_at) FROM held_events h WHERE h.station = stations.id)"
        " WHERE EXISTS (SELECT 1 FROM held_events h WHERE h.station = stations.id)"
    )
    with op.batch_alter_table("stations") as t:
        t.drop_column("held_count")
    with op.batch_alter_table("batches") as t:
        t.drop_column("held")
    op.drop_table("held_events")


def downgrade() -> None:
    op.create_table(
        "held_events",
        sa.Column("hash", S(64), primary_key=True),
        sa.Column("station", S(64), nullable=False),
        sa.Column("seq", B, nullable=False),
        sa.Column("body", T, nullable=False),
        sa.Column("sig", S(100), nullable=False),
        sa.Column("batch", S(64), nullable=False),
        sa.Column("received_at", B, nullable=False),
        sa.UniqueConstraint("station", "seq", name="uq_held_station_seq"),
    )
    with op.batch_alter_table("batches") as t:
        t.add_column(sa.Column("held", Int, nullable=False, server_default="0"))
    with op.batch_alter_table("stations") as t:
        t.add_column(sa.Column("held_count", Int, nullable=False, server_default="0"))
        for c in ("gap_at", "gap_events", "gap_last", "gap_first"):
            t.drop_column(c)
