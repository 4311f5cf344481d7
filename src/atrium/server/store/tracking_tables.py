"""ORM tables of experiment tracking (kept apart from tables.py, which imports this module).

A metric series (one run and key) is a row of ``run_metrics``, with its latest value and running
min, max and count, updated with every batch: search and sort read it and never touch points.
The points themselves are packed into chunks (``metric_chunks``) of up to 8,192 points: one row
per chunk instead of one per point makes ingest a handful of statements per batch and a
100,000-point history a dozen rows to read.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from atrium.server.store.tables import Base, BigId


class ExperimentRow(Base):
    __tablename__ = "experiments"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(250))
    description: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[dict[str, str]] = mapped_column(JSON)
    created_by: Mapped[str | None] = mapped_column(String(63))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]

    __table_args__ = (
        Index(
            "uq_experiments_live_name",
            "group_id",
            "name",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )


class RunRow(Base):
    """One tracked run. ``uuid`` is its public id (32 hex characters, as MLflow's run ids)."""

    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(32), unique=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(250))
    status: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    user: Mapped[str | None] = mapped_column(String(63))
    start_time: Mapped[datetime]
    end_time: Mapped[datetime | None]
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("runs.id", ondelete="SET NULL"), index=True
    )
    # Lineage: where the run came from. The job links on to its environment and inputs.
    source_type: Mapped[str] = mapped_column(String(16))
    source_name: Mapped[str | None] = mapped_column(String(500))
    source_job_id: Mapped[int | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL"), index=True
    )
    git_commit: Mapped[str | None] = mapped_column(String(64))
    notes: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_runs_experiment_start", "experiment_id", "start_time"),
        Index("ix_runs_group_start", "group_id", "start_time"),
    )


class RunParamRow(Base):
    __tablename__ = "run_params"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(250), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class RunTagRow(Base):
    __tablename__ = "run_tags"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(250), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class RunMetricRow(Base):
    """One metric series of a run: its summary and where its chunks end.

    ``last_*`` is the point with the greatest (step, timestamp), MLflow's "latest" value; a
    NULL value is a NaN (see domain.tracking). ``ordered`` stays true while every point came
    in step order, which lets a history read skip sorting.
    """

    __tablename__ = "run_metrics"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(250))
    last_value: Mapped[float | None] = mapped_column(Float)
    last_step: Mapped[int] = mapped_column(BigInteger)
    last_timestamp: Mapped[int] = mapped_column(BigInteger)
    min_value: Mapped[float | None] = mapped_column(Float)
    max_value: Mapped[float | None] = mapped_column(Float)
    count: Mapped[int] = mapped_column(BigInteger)
    ordered: Mapped[bool] = mapped_column(Boolean)
    chunk_count: Mapped[int] = mapped_column(Integer)
    tail_count: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index("uq_run_metrics_run_key", "run_id", "key", unique=True),
        Index("ix_run_metrics_key_value", "key", "last_value"),
    )


class MetricChunkRow(Base):
    """Up to 8,192 points of one series as packed arrays (domain/metric_series.py)."""

    __tablename__ = "metric_chunks"
    series_id: Mapped[int] = mapped_column(
        ForeignKey("run_metrics.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    min_step: Mapped[int] = mapped_column(BigInteger)
    max_step: Mapped[int] = mapped_column(BigInteger)
    steps: Mapped[bytes] = mapped_column(LargeBinary)
    timestamps: Mapped[bytes] = mapped_column(LargeBinary)
    values: Mapped[bytes] = mapped_column(LargeBinary)


class RunArtifactRow(Base):
    __tablename__ = "run_artifacts"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    path: Mapped[str] = mapped_column(String(1024), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    chunks: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]


class RunBlobRow(Base):
    """Every blob a run's artifacts reference: storage quota and garbage collection."""

    __tablename__ = "run_blobs"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    hash: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    size: Mapped[int] = mapped_column(BigInteger)


class RunInputRow(Base):
    """A dataset version a run read (lineage), pinned when the run was created."""

    __tablename__ = "run_inputs"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    dataset_version_id: Mapped[int] = mapped_column(
        ForeignKey("dataset_versions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    ref: Mapped[str] = mapped_column(String(200))
