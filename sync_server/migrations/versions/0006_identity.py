"""Identity: the same acta twice. ``actas.figures_key`` (SHA-256 of an acta's vote
figures when they are not trivial, services/alarms.py) and its index by election: two
actas of one election with the same key raise an alarm in the coordinators' queue.
Existing actas get their key when next derived.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("actas") as t:
        t.add_column(sa.Column("figures_key", sa.String(64)))
    op.create_index("ix_actas_figures", "actas", ["election_id", "figures_key"])


def downgrade() -> None:
    op.drop_index("ix_actas_figures", table_name="actas")
    with op.batch_alter_table("actas") as t:
        t.drop_column("figures_key")
