"""model registry: registered models, versions, files, blobs, aliases, alias history

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 12:43:00.395775
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import atrium.server.store.tables

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_TIME = atrium.server.store.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "registered_models",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("group_id", BIG_ID, nullable=False),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("last_version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=63), nullable=True),
        sa.Column("created_by_id", BIG_ID, nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.Column("deleted_at", UTC_TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_registered_models_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_registered_models_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registered_models")),
    )
    op.create_index(
        "uq_registered_models_live_name",
        "registered_models",
        ["group_id", "name"],
        unique=True,
        sqlite_where=sa.text("deleted_at IS NULL"),
        postgresql_where=sa.text("deleted_at IS NULL"),
    )

    op.create_table(
        "model_alias_events",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("model_id", BIG_ID, nullable=False),
        sa.Column("alias", sa.String(length=255), nullable=False),
        sa.Column("from_version", sa.Integer(), nullable=True),
        sa.Column("to_version", sa.Integer(), nullable=True),
        sa.Column("user", sa.String(length=63), nullable=True),
        sa.Column("user_id", BIG_ID, nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["registered_models.id"],
            name=op.f("fk_model_alias_events_model_id_registered_models"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_model_alias_events_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_alias_events")),
    )
    op.create_index(
        op.f("ix_model_alias_events_model_id"), "model_alias_events", ["model_id"], unique=False
    )

    op.create_table(
        "model_aliases",
        sa.Column("model_id", BIG_ID, nullable=False),
        sa.Column("alias", sa.String(length=255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=63), nullable=True),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["registered_models.id"],
            name=op.f("fk_model_aliases_model_id_registered_models"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("model_id", "alias", name=op.f("pk_model_aliases")),
    )
    op.create_table(
        "model_versions",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("model_id", BIG_ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("run_id", BIG_ID, nullable=True),
        sa.Column("source_path", sa.String(length=1024), nullable=True),
        sa.Column("flavors", sa.JSON(), nullable=False),
        sa.Column("signature", sa.JSON(), nullable=True),
        sa.Column("input_example_path", sa.String(length=1024), nullable=True),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=63), nullable=True),
        sa.Column("created_by_id", BIG_ID, nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.Column("deleted_at", UTC_TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_model_versions_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["registered_models.id"],
            name=op.f("fk_model_versions_model_id_registered_models"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_model_versions_run_id_runs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_versions")),
    )
    op.create_index(op.f("ix_model_versions_run_id"), "model_versions", ["run_id"], unique=False)
    op.create_index(
        "uq_model_versions_model_version", "model_versions", ["model_id", "version"], unique=True
    )

    op.create_table(
        "model_version_blobs",
        sa.Column("version_id", BIG_ID, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["model_versions.id"],
            name=op.f("fk_model_version_blobs_version_id_model_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", "hash", name=op.f("pk_model_version_blobs")),
    )
    op.create_index(
        op.f("ix_model_version_blobs_hash"), "model_version_blobs", ["hash"], unique=False
    )

    op.create_table(
        "model_version_files",
        sa.Column("version_id", BIG_ID, nullable=False),
        sa.Column("path", sa.String(length=1024), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("chunks", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["model_versions.id"],
            name=op.f("fk_model_version_files_version_id_model_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", "path", name=op.f("pk_model_version_files")),
    )


def downgrade() -> None:
    op.drop_table("model_version_files")
    op.drop_index(op.f("ix_model_version_blobs_hash"), table_name="model_version_blobs")

    op.drop_table("model_version_blobs")
    op.drop_index("uq_model_versions_model_version", table_name="model_versions")
    op.drop_index(op.f("ix_model_versions_run_id"), table_name="model_versions")

    op.drop_table("model_versions")
    op.drop_table("model_aliases")
    op.drop_index(op.f("ix_model_alias_events_model_id"), table_name="model_alias_events")

    op.drop_table("model_alias_events")
    op.drop_index(
        "uq_registered_models_live_name",
        table_name="registered_models",
        sqlite_where=sa.text("deleted_at IS NULL"),
        postgresql_where=sa.text("deleted_at IS NULL"),
    )

    op.drop_table("registered_models")
