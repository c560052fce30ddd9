"""Trust: the server's own order of events, station scope and self-verification,
image uploaders, one-time enrollment codes, signed audit heads, console roles.

- ``events.ingest_seq``: the order in which the server accepted each event (given
  by the database inside the serialized write transaction). Existing events are
  numbered in the order they were received (then station, number).
- ``stations.scope`` (JSON: the distritos or municipios a station may send for;
  NULL: every acta) and ``stations.self_verify`` (a coordinator allowed two
  operators of that one station to verify an acta).
- ``images.station``: who uploaded the image (quota per station).
- ``enrollment_codes``: one-time codes a coordinator issues; only their SHA-256
  is stored.
- ``audit_heads``: the audit chain's head signed with the server key (at each cut,
  at shutdown).
- ``users``: the console roles are coordinador, supervisor, consulta, auditor;
  earlier ``admin`` and ``coordinator`` accounts become ``coordinador``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

S, B, Int, T, Bool = sa.String, sa.BigInteger, sa.Integer, sa.Text, sa.Boolean


def upgrade() -> None:
    with op.batch_alter_table("events") as t:
        t.add_column(sa.Column("ingest_seq", B))
    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT station, seq FROM events ORDER BY received_at, station, seq")
    ).all()
    if rows:
        conn.execute(
            sa.text("UPDATE events SET ingest_seq = :n WHERE station = :s AND seq = :q"),
            [{"n": i, "s": r.station, "q": r.seq} for i, r in enumerate(rows, 1)],
        )
    with op.batch_alter_table("events") as t:
        t.alter_column("ingest_seq", existing_type=B, nullable=False)
        t.create_index("ux_events_ingest_seq", ["ingest_seq"], unique=True)
    with op.batch_alter_table("stations") as t:
        t.add_column(sa.Column("scope", T))
        t.add_column(sa.Column("self_verify", Bool, nullable=False, server_default=sa.false()))
    with op.batch_alter_table("images") as t:
        t.add_column(sa.Column("station", S(64)))
    op.create_table(
        "enrollment_codes",
        sa.Column("code_hash", S(64), primary_key=True),
        sa.Column("role", S(16), nullable=False),
        sa.Column("scope", T),
        sa.Column("label", S(200), nullable=False),
        sa.Column("created_by", S(64), nullable=False),
        sa.Column("created_at", B, nullable=False),
        sa.Column("expires_at", B, nullable=False),
        sa.Column("used_at", B),
        sa.Column("used_by", S(64)),
    )
    op.create_table(
        "audit_heads",
        sa.Column("id", Int, primary_key=True, autoincrement=True),
        sa.Column("audit_seq", B, nullable=False),
        sa.Column("audit_hash", S(64), nullable=False),
        sa.Column("at", B, nullable=False),
        sa.Column("reason", S(32), nullable=False),
        sa.Column("doc", T, nullable=False),
        sa.Column("sig", S(100), nullable=False),
    )
    with op.batch_alter_table("users") as t:
        t.add_column(sa.Column("created_by", S(64)))
        t.add_column(sa.Column("disabled_at", B))
    op.execute("UPDATE users SET role = 'coordinador' WHERE role IN ('admin', 'coordinator')")


def downgrade() -> None:
    op.execute("UPDATE users SET role = 'admin' WHERE role = 'coordinador'")
    with op.batch_alter_table("users") as t:
        t.drop_column("disabled_at")
        t.drop_column("created_by")
    op.drop_table("audit_heads")
    op.drop_table("enrollment_codes")
    with op.batch_alter_table("images") as t:
        t.drop_column("station")
    with op.batch_alter_table("stations") as t:
        t.drop_column("self_verify")
        t.drop_column("scope")
    with op.batch_alter_table("events") as t:
        t.drop_index("ux_events_ingest_seq")
        t.drop_column("ingest_seq")
