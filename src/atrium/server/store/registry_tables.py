"""ORM tables of the model registry (kept apart from tables.py, which imports this module).

A version's files point at blobs by hash, exactly like run artifacts: a version registered from
a run shares the run's blobs instead of copying them. ``model_version_blobs`` lists every blob
a version references, for the storage quota and for garbage collection.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from atrium.server.store.tables import Base, BigId


class RegisteredModelRow(Base):
    __tablename__ = "registered_models"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(250))
    description: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[dict[str, str]] = mapped_column(JSON)
    # Version numbers are never reused, even after a deletion: refs stay unambiguous.
    last_version: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str | None] = mapped_column(String(63))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]

    __table_args__ = (
        Index(
            "uq_registered_models_live_name",
            "group_id",
            "name",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )


class ModelVersionRow(Base):
    __tablename__ = "model_versions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("registered_models.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[dict[str, str]] = mapped_column(JSON)
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("runs.id", ondelete="SET NULL"), index=True
    )
    source_path: Mapped[str | None] = mapped_column(String(1024))
    flavors: Mapped[list[str]] = mapped_column(JSON)
    signature: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    input_example_path: Mapped[str | None] = mapped_column(String(1024))
    # Latest value of each of the source run's metrics when registered; NaN stored as null.
    metrics: Mapped[dict[str, float | None]] = mapped_column(JSON)
    created_by: Mapped[str | None] = mapped_column(String(63))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]

    __table_args__ = (Index("uq_model_versions_model_version", "model_id", "version", unique=True),)


class ModelFileRow(Base):
    __tablename__ = "model_version_files"
    version_id: Mapped[int] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), primary_key=True
    )
    path: Mapped[str] = mapped_column(String(1024), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    chunks: Mapped[list[str] | None] = mapped_column(JSON)


class ModelBlobRow(Base):
    """Every blob a version's files reference: storage quota and garbage collection."""

    __tablename__ = "model_version_blobs"
    version_id: Mapped[int] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), primary_key=True
    )
    hash: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    size: Mapped[int] = mapped_column(BigInteger)


class ModelAliasRow(Base):
    """``alias`` of a model points at its version ``version`` (a number, as in refs)."""

    __tablename__ = "model_aliases"
    model_id: Mapped[int] = mapped_column(
        ForeignKey("registered_models.id", ondelete="CASCADE"), primary_key=True
    )
    alias: Mapped[str] = mapped_column(String(255), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str | None] = mapped_column(String(63))
    updated_at: Mapped[datetime]


class ModelAliasEventRow(Base):
    """One alias move: set (from NULL), moved, or removed (to NULL). Never changed."""

    __tablename__ = "model_alias_events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    model_id: Mapped[int] = mapped_column(
        ForeignKey("registered_models.id", ondelete="CASCADE"), index=True
    )
    alias: Mapped[str] = mapped_column(String(255))
    from_version: Mapped[int | None] = mapped_column(Integer)
    to_version: Mapped[int | None] = mapped_column(Integer)
    user: Mapped[str | None] = mapped_column(String(63))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
