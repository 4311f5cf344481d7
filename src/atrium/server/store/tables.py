"""ORM tables. One declarative model per table; queries live in the per-resource modules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both dialects (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except OverflowError:
            # Year 1 or 9999 with an offset has no UTC form; the nearest representable instant
            # keeps every comparison and ordering correct.
            return (datetime.min if value.year == 1 else datetime.max).replace(tzinfo=UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value if value.tzinfo else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(63), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    display_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class GroupRow(Base):
    __tablename__ = "groups"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(63), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class MembershipRow(Base):
    __tablename__ = "memberships"
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]


class TokenRow(Base):
    """API tokens and dashboard sessions: only the SHA-256 of the secret is kept."""

    __tablename__ = "tokens"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # Set on job tokens: the token acts only inside this group (see policy.group_standing).
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))


class InvitationRow(Base):
    __tablename__ = "invitations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(254))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(63))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[str | None] = mapped_column(String(63))


class InstanceTypeRow(Base):
    __tablename__ = "instance_types"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(63), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    cpu: Mapped[float] = mapped_column(Float)
    memory: Mapped[int] = mapped_column(BigInteger)
    gpu: Mapped[int] = mapped_column(Integer, default=0)
    is_global: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class InstanceTypeGrantRow(Base):
    __tablename__ = "instance_type_grants"
    instance_type_id: Mapped[int] = mapped_column(
        ForeignKey("instance_types.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class QuotaColumns:
    """Limits; NULL means unlimited."""

    cpu: Mapped[float | None] = mapped_column(Float)
    memory: Mapped[int | None] = mapped_column(BigInteger)
    gpu: Mapped[int | None] = mapped_column(Integer)
    running_jobs: Mapped[int | None] = mapped_column(Integer)
    deployments: Mapped[int | None] = mapped_column(Integer)
    storage_bytes: Mapped[int | None] = mapped_column(BigInteger)


class GroupQuotaRow(QuotaColumns, Base):
    """One row per group, always present: reservations lock it to serialise admission."""

    __tablename__ = "group_quotas"
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    updated_at: Mapped[datetime]


class MemberQuotaRow(QuotaColumns, Base):
    __tablename__ = "member_quotas"
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    updated_at: Mapped[datetime]


class ReservationRow(Base):
    """Resources held by one holder (a job, a deployment, an upload) until released."""

    __tablename__ = "reservations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    holder: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(500))
    cpu: Mapped[float] = mapped_column(Float, default=0)
    memory: Mapped[int] = mapped_column(BigInteger, default=0)
    gpu: Mapped[int] = mapped_column(Integer, default=0)
    running_jobs: Mapped[int] = mapped_column(Integer, default=0)
    deployments: Mapped[int] = mapped_column(Integer, default=0)
    storage_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    released_at: Mapped[datetime | None]
    release_reason: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (Index("ix_reservations_group_active", "group_id", "active"),)


class AuditEventRow(Base):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    time: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str | None] = mapped_column(String(63), index=True)
    action: Mapped[str] = mapped_column(String(100), index=True)
    resource_type: Mapped[str] = mapped_column(String(50))
    resource_id: Mapped[str | None] = mapped_column(String(200))
    group_name: Mapped[str | None] = mapped_column(String(63), index=True)
    request_id: Mapped[str | None] = mapped_column(String(64))
    client_addr: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    details: Mapped[dict[str, Any] | None]


class DatasetRow(Base):
    __tablename__ = "datasets"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(63))
    description: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(63))
    created_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]

    # One live dataset per name; soft-deleted ones keep their rows for audit and lineage.
    __table_args__ = (
        Index(
            "uq_datasets_live_name",
            "group_id",
            "name",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )


class DatasetVersionRow(Base):
    __tablename__ = "dataset_versions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(63))
    parent_number: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]
    files: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(BigInteger)
    added: Mapped[int] = mapped_column(Integer)
    removed: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)
    # BLAKE3 of the stored manifest (store/dataset_manifests.digest); None before migration 0009.
    manifest_digest: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("uq_dataset_versions_number", "dataset_id", "number", unique=True),)


class VersionFileRow(Base):
    __tablename__ = "version_files"
    version_id: Mapped[int] = mapped_column(
        ForeignKey("dataset_versions.id", ondelete="CASCADE"), primary_key=True
    )
    path: Mapped[str] = mapped_column(String(1024), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    mode: Mapped[int] = mapped_column(Integer)
    chunks: Mapped[list[str] | None] = mapped_column(JSON)


class VersionBlobRow(Base):
    """Every blob (whole file or chunk) a version references: access checks, quota, GC."""

    __tablename__ = "version_blobs"
    version_id: Mapped[int] = mapped_column(
        ForeignKey("dataset_versions.id", ondelete="CASCADE"), primary_key=True
    )
    hash: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    size: Mapped[int] = mapped_column(BigInteger)


class DatasetTagRow(Base):
    __tablename__ = "dataset_tags"
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(63), primary_key=True)
    number: Mapped[int] = mapped_column(Integer)


class DatasetGrantRow(Base):
    __tablename__ = "dataset_grants"
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    access: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime]


class JobRow(Base):
    """A submitted job: its spec as submitted, its allocation and where it is in its life."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by: Mapped[str | None] = mapped_column(String(63))
    name: Mapped[str] = mapped_column(String(63))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(500))
    # Command, env, secret names, inputs (as asked and as resolved), working dir, environment.
    spec: Mapped[dict[str, Any]]
    instance_type: Mapped[str] = mapped_column(String(63))
    cpu: Mapped[float] = mapped_column(Float)
    memory: Mapped[int] = mapped_column(BigInteger)
    gpu: Mapped[int] = mapped_column(Integer)
    priority: Mapped[int] = mapped_column(Integer)
    timeout_seconds: Mapped[int | None] = mapped_column(Integer)
    max_retries: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    exit_code: Mapped[int | None] = mapped_column(Integer)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    rerun_of: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_jobs_group_id_id", "group_id", "id"),
        Index("ix_jobs_status_group", "status", "group_id", "priority", "id"),
    )


class JobAttemptRow(Base):
    """One launch of a job on an executor, with the allocation it held and its handle."""

    __tablename__ = "job_attempts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(500))
    executor: Mapped[str] = mapped_column(String(32))
    handle: Mapped[str | None] = mapped_column(String(500))
    reservation_id: Mapped[str | None] = mapped_column(String(32))
    token_id: Mapped[str | None] = mapped_column(String(32))
    cpu: Mapped[float] = mapped_column(Float)
    memory: Mapped[int] = mapped_column(BigInteger)
    gpu: Mapped[int] = mapped_column(Integer)
    exit_code: Mapped[int | None] = mapped_column(Integer)
    log_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    # Blob keys of the final log, in order (logs may exceed one blob); NULL while running.
    log_chunks: Mapped[list[str] | None] = mapped_column(JSON)
    admitted_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    sampled_at: Mapped[datetime | None]

    __table_args__ = (
        Index("uq_job_attempts_number", "job_id", "number", unique=True),
        Index("ix_job_attempts_status", "status"),
        Index("ix_job_attempts_group_ended", "group_id", "ended_at"),
    )


class JobArtifactRow(Base):
    __tablename__ = "job_artifacts"
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("job_attempts.id", ondelete="CASCADE"), primary_key=True
    )
    path: Mapped[str] = mapped_column(String(1024), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    chunks: Mapped[list[str] | None] = mapped_column(JSON)


class JobBlobRow(Base):
    """Every blob (artifact chunk or log chunk) an attempt references: GC and storage quota."""

    __tablename__ = "job_blobs"
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("job_attempts.id", ondelete="CASCADE"), primary_key=True
    )
    hash: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    size: Mapped[int] = mapped_column(BigInteger)


class JobSampleRow(Base):
    __tablename__ = "job_samples"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("job_attempts.id", ondelete="CASCADE"))
    time: Mapped[datetime]
    cpu_percent: Mapped[float] = mapped_column(Float)
    memory_bytes: Mapped[int] = mapped_column(BigInteger)
    gpu_percent: Mapped[float | None] = mapped_column(Float)
    gpu_memory_bytes: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_job_samples_attempt_time", "attempt_id", "time"),)


class SecretRow(Base):
    """A group secret, sealed with the server key (services/secret_box.py); never plaintext."""

    __tablename__ = "group_secrets"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    nonce: Mapped[bytes] = mapped_column(LargeBinary(16))
    key_id: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(String(63))
    updated_at: Mapped[datetime]
    updated_by: Mapped[str | None] = mapped_column(String(63))

    __table_args__ = (UniqueConstraint("group_id", "name"),)


class ScheduleRow(Base):
    """A job template and when to submit it; the ticker claims rows whose next run is due."""

    __tablename__ = "schedules"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(63))
    cron: Mapped[str] = mapped_column(String(200))
    preset: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64))
    # A JobSubmit as JSON: what every tick submits.
    template: Mapped[dict[str, Any]]
    enabled: Mapped[bool] = mapped_column(Boolean)
    # The user the jobs are submitted as: whoever last set what the schedule runs.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    owner: Mapped[str | None] = mapped_column(String(63))
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(String(63))
    updated_at: Mapped[datetime]
    updated_by: Mapped[str | None] = mapped_column(String(63))
    # NULL while disabled, or when the cron cannot be evaluated (then ``problem`` says why).
    next_run_at: Mapped[datetime | None]
    last_job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    problem: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (
        UniqueConstraint("group_id", "name"),
        Index("ix_schedules_due", "enabled", "next_run_at"),
    )


class ScheduleRunRow(Base):
    """One tick or manual trigger of a schedule: submitted, skipped or failed, and why."""

    __tablename__ = "schedule_runs"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"))
    time: Mapped[datetime]
    scheduled_for: Mapped[datetime | None]
    trigger: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str | None] = mapped_column(String(63))
    outcome: Mapped[str] = mapped_column(String(16))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(String(500))

    __table_args__ = (Index("ix_schedule_runs_schedule_id_id", "schedule_id", "id"),)


class NotificationChannelRow(Base):
    """Where one user is told that their jobs ended: a signed webhook or an e-mail address.

    A webhook's signing secret is sealed with the server key (services/secret_box.py), like a
    group secret: the worker needs the plaintext to sign, so a hash would not do.
    """

    __tablename__ = "notification_channels"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    # The webhook URL or the e-mail address.
    target: Mapped[str] = mapped_column(String(2048))
    # Terminal job statuses to notify about.
    events: Mapped[list[str]] = mapped_column(JSON)
    # Only jobs of this group; NULL: every group. A channel for a deleted group goes with it.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    enabled: Mapped[bool] = mapped_column(Boolean)
    secret_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    secret_nonce: Mapped[bytes | None] = mapped_column(LargeBinary(16))
    secret_key_id: Mapped[str | None] = mapped_column(String(16))
    secret_prefix: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class NotificationDeliveryRow(Base):
    """The outbox: one message for one channel, written in the transaction that ended the job.

    ``next_attempt_at`` is both the retry time and the lease: a worker claiming a row moves it
    past the longest send, so a worker that dies mid-send hands the row on when the lease ends.
    """

    __tablename__ = "notification_deliveries"
    # Orders a channel's deliveries; ``id`` (a UUID) is what receivers see, for idempotency.
    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    channel_id: Mapped[str] = mapped_column(
        ForeignKey("notification_channels.id", ondelete="CASCADE")
    )
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    event: Mapped[str] = mapped_column(String(32))
    # What is sent, frozen when the job ended; never secrets or env values.
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_notification_deliveries_due", "status", "next_attempt_at"),
        Index("ix_notification_deliveries_channel_seq", "channel_id", "seq"),
    )


# Experiment tracking's tables live in their own module; importing it registers them here.
# The model registry's tables, likewise.
from atrium.server.store import registry_tables as _registry_tables  # noqa: E402, F401
from atrium.server.store import tracking_tables as _tracking_tables  # noqa: E402, F401
