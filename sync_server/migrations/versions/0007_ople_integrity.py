"""OPLE integrity codes: ``images.sha512``, the SHA-512 of each stored image, for an
institute whose layout profile publishes CODIGO_INTEGRIDAD as SHA-512 (IEEM's). Images
stay addressed by their SHA-256. Existing images get theirs here.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("images") as t:
        t.add_column(sa.Column("sha512", sa.String(128)))
    conn = op.get_bind()
    images = sa.table("images", sa.column("sha256", sa.String), sa.column("data", sa.LargeBinary),
                      sa.column("sha512", sa.String))
    shas = [r[0] for r in conn.execute(sa.select(images.c.sha256))]
    for i in range(0, len(shas), 200):  # a batch at a time: images are large
        for sha, data in conn.execute(
            sa.select(images.c.sha256, images.c.data).where(images.c.sha256.in_(shas[i : i + 200]))
        ).all():
            conn.execute(
                images.update()
                .where(images.c.sha256 == sha)
                .values(sha512=hashlib.sha512(bytes(data)).hexdigest())
            )


def downgrade() -> None:
    with op.batch_alter_table("images") as t:
        t.drop_column("sha512")
