"""group secrets

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import atrium.server.store.tables

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_secrets",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("nonce", sa.LargeBinary(length=16), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column(
            "created_at", atrium.server.store.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("created_by", sa.String(length=63), nullable=True),
        sa.Column(
            "updated_at", atrium.server.store.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("updated_by", sa.String(length=63), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_group_secrets_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_secrets")),
        sa.UniqueConstraint("group_id", "name", name=op.f("uq_group_secrets_group_id")),
    )


def downgrade() -> None:
    op.drop_table("group_secrets")
