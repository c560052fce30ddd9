"""Initial schema: stations, events, held events, batches, images, actas,
conflicts, audit log, users, sessions.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

S, B, Int, T = sa.String, sa.BigInteger, sa.Integer, sa.Text


def upgrade() -> None:
    op.create_table(
        "stations",
        sa.Column("id", S(64), primary_key=True),
        sa.Column("public_key", S(64), nullable=False),
        sa.Column("fingerprint", S(64), nullable=False),
        sa.Column("role", S(16), nullable=False),
        sa.Column("name", S(200), nullable=False),
        sa.Column("status", S(16), nullable=False),
        sa.Column("requested_at", B, nullable=False),
        sa.Column("decided_at", B),
        sa.Column("decided_by", S(64)),
        sa.Column("last_seq", B, nullable=False),
        sa.Column("last_hash", S(64), nullable=False),
        sa.Column("last_contact", B),
        sa.Column("held_count", Int, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("hash", S(64), primary_key=True),
        sa.Column("station", S(64), nullable=False),
        sa.Column("seq", B, nullable=False),
        sa.Column("kind", S(20), nullable=False),
        sa.Column("clave_acta", S(32), nullable=False),
        sa.Column("at", B, nullable=False),
        sa.Column("body", T, nullable=False),
        sa.Column("sig", S(100), nullable=False),
        sa.Column("batch", S(64), nullable=False),
        sa.Column("received_at", B, nullable=False),
        sa.UniqueConstraint("station", "seq", name="uq_events_station_seq"),
    )
    op.create_index("ix_events_clave_acta", "events", ["clave_acta"])
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
    op.create_table(
        "batches",
        sa.Column("hash", S(64), primary_key=True),
        sa.Column("station", S(64), nullable=False),
        sa.Column("events", Int, nullable=False),
        sa.Column("accepted", Int, nullable=False),
        sa.Column("held", Int, nullable=False),
        sa.Column("receipt", T, nullable=False),
        sa.Column("received_at", B, nullable=False),
        sa.Column("source", S(16), nullable=False),
    )
    op.create_table(
        "images",
        sa.Column("sha256", S(64), primary_key=True),
        sa.Column("size", Int, nullable=False),
        sa.Column("media_type", S(40), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("received_at", B, nullable=False),
    )
    op.create_table(
        "actas",
        sa.Column("clave_acta", S(32), primary_key=True),
        sa.Column("election_id", S(32)),
        sa.Column("id_distrito", Int),
        sa.Column("id_municipio", Int),
        sa.Column("status", S(20), nullable=False),
        sa.Column("acopiada", sa.Boolean, nullable=False),
        sa.Column("digitalizada", sa.Boolean, nullable=False),
        sa.Column("capturada", sa.Boolean, nullable=False),
        sa.Column("verificada", sa.Boolean, nullable=False),
        sa.Column("contabilizada", Int),
        sa.Column("fecha_acopio", B),
        sa.Column("fecha_digitalizacion", B),
        sa.Column("fecha_captura", B),
        sa.Column("fecha_verificacion", B),
        sa.Column("state", T, nullable=False),
        sa.Column("events", Int, nullable=False),
        sa.Column("updated_at", B, nullable=False),
    )
    op.create_index("ix_actas_election", "actas", ["election_id"])
    op.create_table(
        "conflicts",
        sa.Column("id", Int, primary_key=True, autoincrement=True),
        sa.Column("clave_acta", S(32), nullable=False),
        sa.Column("kind", S(20), nullable=False),
        sa.Column("readings", T, nullable=False),
        sa.Column("disputed", T, nullable=False),
        sa.Column("opened_at", B, nullable=False),
        sa.Column("closed_at", B),
        sa.Column("resolution", S(64)),
        sa.Column("resolved_by", S(64)),
    )
    op.create_index("ix_conflicts_open", "conflicts", ["clave_acta", "closed_at"])
    op.create_table(
        "audit_log",
        sa.Column("seq", B, primary_key=True, autoincrement=False),
        sa.Column("at", B, nullable=False),
        sa.Column("actor", S(64), nullable=False),
        sa.Column("action", S(40), nullable=False),
        sa.Column("detail", T, nullable=False),
        sa.Column("prev", S(64), nullable=False),
        sa.Column("hash", S(64), nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("username", S(64), primary_key=True),
        sa.Column("password_hash", S(200), nullable=False),
        sa.Column("role", S(16), nullable=False),
        sa.Column("created_at", B, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", S(64), primary_key=True),
        sa.Column("username", S(64), nullable=False),
        sa.Column("csrf", S(64), nullable=False),
        sa.Column("created_at", B, nullable=False),
        sa.Column("expires_at", B, nullable=False),
    )


def downgrade() -> None:
    for name in (
        "sessions",
        "users",
        "audit_log",
        "conflicts",
        "actas",
        "images",
        "batches",
        "held_events",
        "events",
        "stations",
    ):
        op.drop_table(name)
