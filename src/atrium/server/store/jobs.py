"""Job, attempt, artifact, sample and job-blob queries.

Scheduler replicas on PostgreSQL claim rows with ``FOR UPDATE SKIP LOCKED``: a row another
replica is working on is skipped, not waited for. SQLite ignores the clause; its single writer
(``BEGIN IMMEDIATE``) already serialises the claims.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from atrium.server.store.paging import page
from atrium.server.store.tables import (
    JobArtifactRow,
    JobAttemptRow,
    JobBlobRow,
    JobRow,
    JobSampleRow,
)

ACTIVE = ("admitted", "running")


def add(s: Session, row: Any) -> Any:
    s.add(row)
    s.flush()
    return row


def get(s: Session, group_id: int, job_id: int, lock: bool = False) -> JobRow | None:
    stmt = select(JobRow).where(JobRow.id == job_id, JobRow.group_id == group_id)
    if lock:
        stmt = stmt.with_for_update()
    return s.scalar(stmt)


def claim_queued(s: Session, job_id: int) -> JobRow | None:
    """The job, locked, if it is still queued and no other replica holds it."""
    stmt = (
        select(JobRow)
        .where(JobRow.id == job_id, JobRow.status == "queued")
        .with_for_update(skip_locked=True)
    )
    return s.scalar(stmt)


def list_page(
    s: Session,
    group_id: int,
    statuses: Sequence[str] | None,
    user_id: int | None,
    limit: int,
    cursor: str | None,
) -> tuple[Sequence[JobRow], str | None]:
    """Newest first."""
    stmt = select(JobRow).where(JobRow.group_id == group_id)
    if statuses:
        stmt = stmt.where(JobRow.status.in_(statuses))
    if user_id is not None:
        stmt = stmt.where(JobRow.user_id == user_id)
    return page(s, stmt, JobRow.id, limit, cursor, descending=True)


def attempts_of(s: Session, job_ids: Sequence[int]) -> dict[int, list[JobAttemptRow]]:
    result: dict[int, list[JobAttemptRow]] = {j: [] for j in job_ids}
    if not job_ids:
        return result
    stmt = (
        select(JobAttemptRow)
        .where(JobAttemptRow.job_id.in_(job_ids))
        .order_by(JobAttemptRow.job_id, JobAttemptRow.number)
    )
    for row in s.scalars(stmt):
        result[row.job_id].append(row)
    return result


def attempt(s: Session, job_id: int, number: int | None) -> JobAttemptRow | None:
    """Attempt ``number`` of the job, or its latest one."""
    stmt = select(JobAttemptRow).where(JobAttemptRow.job_id == job_id)
    if number is not None:
        stmt = stmt.where(JobAttemptRow.number == number)
    return s.scalar(stmt.order_by(JobAttemptRow.number.desc()).limit(1))


# ---- the queue and what runs -----------------------------------------------------------------


def queue_heads(s: Session, per_group: int) -> Sequence[JobRow]:
    """The first ``per_group`` queued jobs of every group, by priority then submission."""
    rank = (
        func.row_number()
        .over(partition_by=JobRow.group_id, order_by=(JobRow.priority.desc(), JobRow.id))
        .label("rank")
    )
    ranked = select(JobRow.id, rank).where(JobRow.status == "queued").subquery()
    stmt = (
        select(JobRow)
        .join(ranked, ranked.c.id == JobRow.id)
        .where(ranked.c.rank <= per_group)
        .order_by(JobRow.group_id, JobRow.priority.desc(), JobRow.id)
    )
    return s.scalars(stmt).all()


def running_allocations(s: Session) -> Sequence[tuple[int, str, float, int, int]]:
    """(group id, executor, cpu, memory, gpu) of every active attempt."""
    stmt = select(
        JobAttemptRow.group_id,
        JobAttemptRow.executor,
        JobAttemptRow.cpu,
        JobAttemptRow.memory,
        JobAttemptRow.gpu,
    ).where(JobAttemptRow.status.in_(ACTIVE))
    return s.execute(stmt).tuples().all()


def claim_attempt(
    s: Session, attempt_id: int, skip_locked: bool = True
) -> tuple[JobAttemptRow, JobRow] | None:
    """The attempt and its job, both locked, if still active (and, with ``skip_locked``, not
    held by another replica at this moment)."""
    stmt = (
        select(JobAttemptRow, JobRow)
        .join(JobRow, JobRow.id == JobAttemptRow.job_id)
        .where(JobAttemptRow.id == attempt_id, JobAttemptRow.status.in_(ACTIVE))
        .with_for_update(skip_locked=skip_locked)
    )
    row = s.execute(stmt).tuples().first()
    return (row[0], row[1]) if row else None


def unlaunched_before(s: Session, cutoff: datetime) -> Sequence[int]:
    """Admitted attempts that never got a handle (their launcher died before recording it)."""
    stmt = select(JobAttemptRow.id).where(
        JobAttemptRow.status == "admitted",
        JobAttemptRow.handle.is_(None),
        JobAttemptRow.admitted_at < cutoff,
    )
    return s.scalars(stmt).all()


# ---- outputs ---------------------------------------------------------------------------------


def add_artifacts(s: Session, rows: Iterable[dict[str, Any]]) -> None:
    values = list(rows)
    if values:
        s.execute(insert(JobArtifactRow), values)


def add_blobs(s: Session, attempt_id: int, blobs: dict[str, int]) -> None:
    if blobs:
        values = [{"attempt_id": attempt_id, "hash": h, "size": n} for h, n in blobs.items()]
        s.execute(insert(JobBlobRow), values)


def artifacts_page(
    s: Session, attempt_id: int, limit: int, cursor: str | None
) -> tuple[Sequence[JobArtifactRow], str | None]:
    stmt = select(JobArtifactRow).where(JobArtifactRow.attempt_id == attempt_id)
    return page(s, stmt, JobArtifactRow.path, limit, cursor)


def artifact(s: Session, attempt_id: int, path: str) -> JobArtifactRow | None:
    return s.get(JobArtifactRow, (attempt_id, path))


def samples_page(
    s: Session, attempt_id: int, limit: int, cursor: str | None
) -> tuple[Sequence[JobSampleRow], str | None]:
    stmt = select(JobSampleRow).where(JobSampleRow.attempt_id == attempt_id)
    return page(s, stmt, JobSampleRow.id, limit, cursor)


def group_hashes(s: Session, group_id: int, hashes: Sequence[str]) -> set[str]:
    """Which of ``hashes`` the group's jobs already store (and pay for)."""
    if not hashes:
        return set()
    stmt = (
        select(JobBlobRow.hash)
        .join(JobAttemptRow, JobAttemptRow.id == JobBlobRow.attempt_id)
        .where(JobAttemptRow.group_id == group_id, JobBlobRow.hash.in_(hashes))
        .distinct()
    )
    return set(s.scalars(stmt))


def referenced_hashes(s: Session) -> set[str]:
    """Every blob a job log or artifact references (garbage collection keeps them)."""
    return set(s.scalars(select(JobBlobRow.hash).distinct()))


# An arbitrary constant: the advisory lock key of the admission pass.
ADMISSION_LOCK = 0x6A6F6273


def try_lock_admission(s: Session) -> bool:
    """Hold the admission lock until the transaction ends; False if another replica has it."""
    if s.get_bind().dialect.name != "postgresql":
        return True  # SQLite: BEGIN IMMEDIATE made this transaction the only writer
    return bool(s.scalar(select(func.pg_try_advisory_xact_lock(ADMISSION_LOCK))))


def record_sample(s: Session, attempt_id: int, row: JobSampleRow) -> None:
    s.add(row)
    s.execute(
        update(JobAttemptRow).where(JobAttemptRow.id == attempt_id).values(sampled_at=row.time)
    )


def last_admitted(s: Session, group_ids: Sequence[int]) -> dict[int, int]:
    """The id of each group's most recent attempt: which group was served longest ago."""
    if not group_ids:
        return {}
    stmt = (
        select(JobAttemptRow.group_id, func.max(JobAttemptRow.id))
        .where(JobAttemptRow.group_id.in_(group_ids))
        .group_by(JobAttemptRow.group_id)
    )
    return {gid: int(last) for gid, last in s.execute(stmt).tuples()}


def active_attempts(s: Session) -> Sequence[tuple[JobAttemptRow, JobRow]]:
    stmt = (
        select(JobAttemptRow, JobRow)
        .join(JobRow, JobRow.id == JobAttemptRow.job_id)
        .where(JobAttemptRow.status.in_(ACTIVE))
        .order_by(JobAttemptRow.id)
    )
    return s.execute(stmt).tuples().all()


def attempt_with_job(s: Session, attempt_id: int) -> tuple[JobAttemptRow, JobRow] | None:
    stmt = (
        select(JobAttemptRow, JobRow)
        .join(JobRow, JobRow.id == JobAttemptRow.job_id)
        .where(JobAttemptRow.id == attempt_id)
    )
    row = s.execute(stmt).tuples().first()
    return (row[0], row[1]) if row else None
