"""Run artifacts and the blobs they reference (storage quota and garbage collection)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from atrium.server.store.paging import page
from atrium.server.store.tracking_tables import RunArtifactRow, RunBlobRow, RunRow


def artifact(s: Session, run_id: int, path: str) -> RunArtifactRow | None:
    return s.get(RunArtifactRow, (run_id, path))


def artifacts_page(
    s: Session, run_id: int, prefix: str | None, limit: int, cursor: str | None
) -> tuple[Sequence[RunArtifactRow], str | None]:
    stmt = select(RunArtifactRow).where(RunArtifactRow.run_id == run_id)
    if prefix:
        # Not LIKE: the prefix may hold '%' or '_' and must match literally.
        stmt = stmt.where(func.substr(RunArtifactRow.path, 1, len(prefix)) == prefix)
    return page(s, stmt, RunArtifactRow.path, limit, cursor)


def all_artifacts(s: Session, run_id: int) -> Sequence[RunArtifactRow]:
    return s.scalars(select(RunArtifactRow).where(RunArtifactRow.run_id == run_id)).all()


def put_artifact(s: Session, row: RunArtifactRow) -> None:
    """Insert or replace the artifact at the row's path."""
    s.merge(row)
    s.flush()


def replace_blobs(s: Session, run_id: int, blobs: Mapping[str, int]) -> None:
    s.execute(delete(RunBlobRow).where(RunBlobRow.run_id == run_id))
    if blobs:
        s.execute(
            insert(RunBlobRow), [{"run_id": run_id, "hash": h, "size": n} for h, n in blobs.items()]
        )


def group_stored_bytes(s: Session, group_id: int) -> int:
    """Bytes of the distinct blobs the group's live runs reference."""
    unique = (
        select(RunBlobRow.hash, func.max(RunBlobRow.size).label("size"))
        .join(RunRow, RunRow.id == RunBlobRow.run_id)
        .where(RunRow.group_id == group_id, RunRow.deleted_at.is_(None))
        .group_by(RunBlobRow.hash)
        .subquery()
    )
    return int(s.scalar(select(func.coalesce(func.sum(unique.c.size), 0))) or 0)


def referenced_hashes(s: Session) -> set[str]:
    """Every blob a live run's artifacts reference: garbage collection keeps these."""
    stmt = (
        select(RunBlobRow.hash)
        .distinct()
        .join(RunRow, RunRow.id == RunBlobRow.run_id)
        .where(RunRow.deleted_at.is_(None))
    )
    return set(s.scalars(stmt))
