"""dataset versions: manifest digest (an unchanged push is recognised without reading rows)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: versions committed before this revision have no digest and are compared row
    # by row, as before.
    with op.batch_alter_table("dataset_versions") as batch:
        batch.add_column(sa.Column("manifest_digest", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dataset_versions") as batch:
        batch.drop_column("manifest_digest")
