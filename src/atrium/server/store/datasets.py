"""Dataset, version, manifest, tag and grant queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, exists, func, select, text
from sqlalchemy.orm import Session

from atrium.server.store.paging import page, rows_page
from atrium.server.store.tables import (
    DatasetGrantRow,
    DatasetRow,
    DatasetTagRow,
    DatasetVersionRow,
    GroupRow,
    VersionBlobRow,
    VersionFileRow,
)

BATCH = 500
# GC and manifest commits must not interleave on PostgreSQL (SQLite's single writer already
# serialises them): commits take this advisory lock shared, GC exclusive.
GC_LOCK = 0x617472697567


def by_name(s: Session, group_id: int, name: str) -> DatasetRow | None:
    stmt = select(DatasetRow).where(
        DatasetRow.group_id == group_id, DatasetRow.name == name, DatasetRow.deleted_at.is_(None)
    )
    return s.scalar(stmt)


def list_visible(
    s: Session, group_id: int, limit: int, cursor: str | None
) -> tuple[Sequence[DatasetRow], str | None]:
    """Datasets the group owns or that are granted to it, ordered by id."""
    granted = exists().where(
        DatasetGrantRow.dataset_id == DatasetRow.id, DatasetGrantRow.group_id == group_id
    )
    stmt = select(DatasetRow).where(
        DatasetRow.deleted_at.is_(None), (DatasetRow.group_id == group_id) | granted
    )
    return page(s, stmt, DatasetRow.id, limit, cursor)


def group_names(s: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = s.execute(select(GroupRow.id, GroupRow.name).where(GroupRow.id.in_(wanted)))
    return {gid: name for gid, name in rows.tuples()}


def add(s: Session, row: Any) -> Any:
    s.add(row)
    s.flush()
    return row


# ---- versions ------------------------------------------------------------------------------


def live_versions(s: Session, dataset_id: int) -> Sequence[DatasetVersionRow]:
    stmt = (
        select(DatasetVersionRow)
        .where(DatasetVersionRow.dataset_id == dataset_id, DatasetVersionRow.deleted_at.is_(None))
        .order_by(DatasetVersionRow.number.desc())
    )
    return s.scalars(stmt).all()


def versions_page(
    s: Session, dataset_id: int, limit: int, cursor: str | None
) -> tuple[Sequence[DatasetVersionRow], str | None]:
    stmt = select(DatasetVersionRow).where(
        DatasetVersionRow.dataset_id == dataset_id, DatasetVersionRow.deleted_at.is_(None)
    )
    return page(s, stmt, DatasetVersionRow.number, limit, cursor, descending=True)


def version(s: Session, dataset_id: int, number: int) -> DatasetVersionRow | None:
    stmt = select(DatasetVersionRow).where(
        DatasetVersionRow.dataset_id == dataset_id,
        DatasetVersionRow.number == number,
        DatasetVersionRow.deleted_at.is_(None),
    )
    return s.scalar(stmt)


def latest(s: Session, dataset_id: int) -> DatasetVersionRow | None:
    stmt = (
        select(DatasetVersionRow)
        .where(DatasetVersionRow.dataset_id == dataset_id, DatasetVersionRow.deleted_at.is_(None))
        .order_by(DatasetVersionRow.number.desc())
        .limit(1)
    )
    return s.scalar(stmt)


def next_number(s: Session, dataset_id: int) -> int:
    """Numbers are never reused, even after a version is deleted."""
    stmt = select(func.max(DatasetVersionRow.number)).where(
        DatasetVersionRow.dataset_id == dataset_id
    )
    return int(s.scalar(stmt) or 0) + 1


def counts(s: Session, dataset_ids: Sequence[int]) -> dict[int, tuple[int, int | None]]:
    """dataset id -> (live version count, latest number)."""
    if not dataset_ids:
        return {}
    stmt = (
        select(DatasetVersionRow.dataset_id, func.count(), func.max(DatasetVersionRow.number))
        .where(
            DatasetVersionRow.dataset_id.in_(dataset_ids), DatasetVersionRow.deleted_at.is_(None)
        )
        .group_by(DatasetVersionRow.dataset_id)
    )
    return {d: (int(n), m) for d, n, m in s.execute(stmt).tuples()}


def manifest(s: Session, version_id: int) -> dict[str, VersionFileRow]:
    stmt = select(VersionFileRow).where(VersionFileRow.version_id == version_id)
    return {row.path: row for row in s.scalars(stmt)}


def file(s: Session, version_id: int, path: str) -> VersionFileRow | None:
    return s.get(VersionFileRow, (version_id, path))


def dataset_has_blob(s: Session, dataset_id: int, blob: str) -> bool:
    stmt = select(
        exists()
        .where(VersionBlobRow.hash == blob)
        .where(VersionBlobRow.version_id == DatasetVersionRow.id)
        .where(DatasetVersionRow.dataset_id == dataset_id)
        .where(DatasetVersionRow.deleted_at.is_(None))
    )
    return bool(s.scalar(stmt))


def referenced_by(s: Session, dataset_id: int, hashes: Sequence[str]) -> set[str]:
    """Which of ``hashes`` the dataset's live versions reference."""
    found: set[str] = set()
    for i in range(0, len(hashes), BATCH):
        stmt = (
            select(VersionBlobRow.hash)
            .join(DatasetVersionRow, DatasetVersionRow.id == VersionBlobRow.version_id)
            .where(
                DatasetVersionRow.dataset_id == dataset_id,
                DatasetVersionRow.deleted_at.is_(None),
                VersionBlobRow.hash.in_(hashes[i : i + BATCH]),
            )
        )
        found.update(s.scalars(stmt))
    return found


def group_blob_hashes(s: Session, group_id: int, hashes: Sequence[str]) -> set[str]:
    """Which of ``hashes`` the group's live versions already reference (already paid for)."""
    found: set[str] = set()
    for i in range(0, len(hashes), BATCH):
        stmt = (
            select(VersionBlobRow.hash)
            .distinct()
            .join(DatasetVersionRow, DatasetVersionRow.id == VersionBlobRow.version_id)
            .join(DatasetRow, DatasetRow.id == DatasetVersionRow.dataset_id)
            .where(
                DatasetRow.group_id == group_id,
                DatasetRow.deleted_at.is_(None),
                DatasetVersionRow.deleted_at.is_(None),
                VersionBlobRow.hash.in_(hashes[i : i + BATCH]),
            )
        )
        found.update(s.scalars(stmt))
    return found


def group_stored_bytes(s: Session, group_id: int) -> int:
    """Unique bytes the group's live versions reference."""
    unique = (
        select(VersionBlobRow.hash, func.max(VersionBlobRow.size).label("size"))
        .join(DatasetVersionRow, DatasetVersionRow.id == VersionBlobRow.version_id)
        .join(DatasetRow, DatasetRow.id == DatasetVersionRow.dataset_id)
        .where(
            DatasetRow.group_id == group_id,
            DatasetRow.deleted_at.is_(None),
            DatasetVersionRow.deleted_at.is_(None),
        )
        .group_by(VersionBlobRow.hash)
        .subquery()
    )
    return int(s.scalar(select(func.coalesce(func.sum(unique.c.size), 0))) or 0)


def referenced_hashes(s: Session) -> set[str]:
    """Every blob any live version of any live dataset references."""
    stmt = (
        select(VersionBlobRow.hash)
        .distinct()
        .join(DatasetVersionRow, DatasetVersionRow.id == VersionBlobRow.version_id)
        .join(DatasetRow, DatasetRow.id == DatasetVersionRow.dataset_id)
        .where(DatasetRow.deleted_at.is_(None), DatasetVersionRow.deleted_at.is_(None))
    )
    return set(s.scalars(stmt))


def lock_for_commit(s: Session) -> None:
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": GC_LOCK})


def lock_for_gc(s: Session) -> None:
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": GC_LOCK})


def lock_dataset(s: Session, dataset_id: int) -> None:
    """Serialise commits to one dataset so version numbers and --parent checks are exact."""
    s.execute(select(DatasetRow.id).where(DatasetRow.id == dataset_id).with_for_update())


# ---- tags and grants -----------------------------------------------------------------------


def tags(s: Session, dataset_id: int) -> dict[str, int]:
    stmt = select(DatasetTagRow.tag, DatasetTagRow.number).where(
        DatasetTagRow.dataset_id == dataset_id
    )
    return {t: n for t, n in s.execute(stmt).tuples()}


def tags_page(
    s: Session, dataset_id: int, limit: int, cursor: str | None
) -> tuple[Sequence[DatasetTagRow], str | None]:
    stmt = select(DatasetTagRow).where(DatasetTagRow.dataset_id == dataset_id)
    return page(s, stmt, DatasetTagRow.tag, limit, cursor)


def tag(s: Session, dataset_id: int, name: str) -> DatasetTagRow | None:
    return s.get(DatasetTagRow, (dataset_id, name))


def delete_tags_of(s: Session, dataset_id: int, number: int) -> None:
    s.execute(
        delete(DatasetTagRow).where(
            DatasetTagRow.dataset_id == dataset_id, DatasetTagRow.number == number
        )
    )


def grants(s: Session, dataset_id: int) -> list[tuple[DatasetGrantRow, str]]:
    stmt = (
        select(DatasetGrantRow, GroupRow.name)
        .join(GroupRow, GroupRow.id == DatasetGrantRow.group_id)
        .where(DatasetGrantRow.dataset_id == dataset_id)
        .order_by(GroupRow.name)
    )
    return [(g, n) for g, n in s.execute(stmt).tuples()]


def grants_page(
    s: Session, dataset_id: int, limit: int, cursor: str | None
) -> tuple[list[tuple[DatasetGrantRow, str]], str | None]:
    """Grants with their grantee's name, ordered by that name (keyset on the unique name)."""
    stmt = (
        select(DatasetGrantRow, GroupRow.name)
        .join(GroupRow, GroupRow.id == DatasetGrantRow.group_id)
        .where(DatasetGrantRow.dataset_id == dataset_id)
    )
    return rows_page(s, stmt, GroupRow.name, 1, limit, cursor)


def grant(s: Session, dataset_id: int, group_id: int) -> DatasetGrantRow | None:
    return s.get(DatasetGrantRow, (dataset_id, group_id))


def grant_access(s: Session, dataset_id: int, group_ids: Sequence[int]) -> set[str]:
    if not group_ids:
        return set()
    stmt = select(DatasetGrantRow.access).where(
        DatasetGrantRow.dataset_id == dataset_id, DatasetGrantRow.group_id.in_(group_ids)
    )
    return set(s.scalars(stmt))


def remove(s: Session, row: Any) -> None:
    s.delete(row)
    s.flush()
