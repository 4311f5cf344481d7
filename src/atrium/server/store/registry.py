"""Model registry queries: models, versions, their files and blobs, aliases and alias moves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import Select, delete, func, insert, select, update
from sqlalchemy.orm import Session

from atrium.server.store.paging import page
from atrium.server.store.registry_tables import (
    ModelAliasEventRow,
    ModelAliasRow,
    ModelBlobRow,
    ModelFileRow,
    ModelVersionRow,
    RegisteredModelRow,
)
from atrium.server.store.tracking_tables import RunBlobRow, RunRow

# ---- models ----------------------------------------------------------------------------------


def model_by_name(
    s: Session, group_id: int, name: str, lock: bool = False
) -> RegisteredModelRow | None:
    stmt = select(RegisteredModelRow).where(
        RegisteredModelRow.group_id == group_id,
        RegisteredModelRow.name == name,
        RegisteredModelRow.deleted_at.is_(None),
    )
    return s.scalar(stmt.with_for_update() if lock else stmt)


def models_page(
    s: Session, group_id: int, contains: str | None, limit: int, cursor: str | None
) -> tuple[Sequence[RegisteredModelRow], str | None]:
    stmt = select(RegisteredModelRow).where(
        RegisteredModelRow.group_id == group_id, RegisteredModelRow.deleted_at.is_(None)
    )
    if contains:
        # autoescape: '%' and '_' in the search text match literally.
        name = func.lower(RegisteredModelRow.name)
        stmt = stmt.where(name.contains(contains.lower(), autoescape=True))
    return page(s, stmt, RegisteredModelRow.id, limit, cursor)


def add(s: Session, row: RegisteredModelRow | ModelVersionRow) -> None:
    s.add(row)
    s.flush()


def version_summaries(s: Session, model_ids: Sequence[int]) -> dict[int, tuple[int, int | None]]:
    """Per model: (live versions, newest ready version number)."""
    if not model_ids:
        return {}
    v = ModelVersionRow
    ready = func.max(v.version).filter(v.status == "ready")
    stmt = (
        select(v.model_id, func.count(), ready)
        .where(v.model_id.in_(model_ids), v.deleted_at.is_(None))
        .group_by(v.model_id)
    )
    return {m: (int(n), latest) for m, n, latest in s.execute(stmt).tuples()}


def delete_versions(s: Session, model_id: int, when: datetime) -> int:
    result = s.execute(
        update(ModelVersionRow)
        .where(ModelVersionRow.model_id == model_id, ModelVersionRow.deleted_at.is_(None))
        .values(deleted_at=when)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# ---- versions --------------------------------------------------------------------------------


def version(s: Session, model_id: int, number: int, lock: bool = False) -> ModelVersionRow | None:
    stmt = select(ModelVersionRow).where(
        ModelVersionRow.model_id == model_id,
        ModelVersionRow.version == number,
        ModelVersionRow.deleted_at.is_(None),
    )
    return s.scalar(stmt.with_for_update() if lock else stmt)


def versions_page(
    s: Session, model_id: int, status: str | None, limit: int, cursor: str | None
) -> tuple[Sequence[ModelVersionRow], str | None]:
    stmt = select(ModelVersionRow).where(
        ModelVersionRow.model_id == model_id, ModelVersionRow.deleted_at.is_(None)
    )
    if status is not None:
        stmt = stmt.where(ModelVersionRow.status == status)
    return page(s, stmt, ModelVersionRow.version, limit, cursor, descending=True)


def versions_of_run(
    s: Session, run_id: int, limit: int
) -> Sequence[tuple[RegisteredModelRow, ModelVersionRow]]:
    """The live versions registered from the run, with their models, by model and version."""
    stmt = (
        select(RegisteredModelRow, ModelVersionRow)
        .join(RegisteredModelRow, RegisteredModelRow.id == ModelVersionRow.model_id)
        .where(
            ModelVersionRow.run_id == run_id,
            ModelVersionRow.deleted_at.is_(None),
            RegisteredModelRow.deleted_at.is_(None),
        )
        .order_by(RegisteredModelRow.name, ModelVersionRow.version)
        .limit(limit)
    )
    return [(m, v) for m, v in s.execute(stmt).tuples()]


def run_uuids(s: Session, run_ids: Sequence[int]) -> dict[int, str]:
    wanted = sorted(set(run_ids))
    stmt = select(RunRow.id, RunRow.uuid).where(RunRow.id.in_(wanted))
    return {i: u for i, u in s.execute(stmt).tuples()} if wanted else {}


# ---- files and blobs -------------------------------------------------------------------------


def file(s: Session, version_id: int, path: str) -> ModelFileRow | None:
    return s.get(ModelFileRow, (version_id, path))


def files_page(
    s: Session, version_id: int, limit: int, cursor: str | None
) -> tuple[Sequence[ModelFileRow], str | None]:
    stmt = select(ModelFileRow).where(ModelFileRow.version_id == version_id)
    return page(s, stmt, ModelFileRow.path, limit, cursor)


def all_files(s: Session, version_id: int) -> Sequence[ModelFileRow]:
    return s.scalars(select(ModelFileRow).where(ModelFileRow.version_id == version_id)).all()


def put_file(s: Session, row: ModelFileRow) -> None:
    """Insert or replace the file at the row's path."""
    s.merge(row)
    s.flush()


def file_stats(s: Session, version_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Per version: (files, bytes)."""
    if not version_ids:
        return {}
    f = ModelFileRow
    stmt = (
        select(f.version_id, func.count(), func.coalesce(func.sum(f.size), 0))
        .where(f.version_id.in_(version_ids))
        .group_by(f.version_id)
    )
    return {v: (int(n), int(size)) for v, n, size in s.execute(stmt).tuples()}


def replace_blobs(s: Session, version_id: int, blobs: Mapping[str, int]) -> None:
    s.execute(delete(ModelBlobRow).where(ModelBlobRow.version_id == version_id))
    if blobs:
        rows = [{"version_id": version_id, "hash": h, "size": n} for h, n in blobs.items()]
        s.execute(insert(ModelBlobRow), rows)


def _live_blobs() -> Select[str, int]:
    return (
        select(ModelBlobRow.hash, ModelBlobRow.size)
        .join(ModelVersionRow, ModelVersionRow.id == ModelBlobRow.version_id)
        .join(RegisteredModelRow, RegisteredModelRow.id == ModelVersionRow.model_id)
        .where(ModelVersionRow.deleted_at.is_(None), RegisteredModelRow.deleted_at.is_(None))
    )


def group_stored_bytes(s: Session, group_id: int) -> int:
    """Bytes of the distinct blobs the group's live versions reference and its live runs do
    not: a version registered from a run shares the run's blobs, already counted for runs."""
    of_runs = (
        select(RunBlobRow.hash)
        .join(RunRow, RunRow.id == RunBlobRow.run_id)
        .where(RunRow.group_id == group_id, RunRow.deleted_at.is_(None))
    )
    unique = (
        _live_blobs()
        .with_only_columns(ModelBlobRow.hash, func.max(ModelBlobRow.size).label("size"))
        .where(RegisteredModelRow.group_id == group_id, ModelBlobRow.hash.not_in(of_runs))
        .group_by(ModelBlobRow.hash)
        .subquery()
    )
    return int(s.scalar(select(func.coalesce(func.sum(unique.c.size), 0))) or 0)


def referenced_hashes(s: Session) -> set[str]:
    """Every blob a live version of a live model references: garbage collection keeps these."""
    return set(s.scalars(_live_blobs().with_only_columns(ModelBlobRow.hash).distinct()))


# ---- aliases ---------------------------------------------------------------------------------


def alias(s: Session, model_id: int, name: str) -> ModelAliasRow | None:
    return s.get(ModelAliasRow, (model_id, name))


def aliases(s: Session, model_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {m: {} for m in model_ids}
    if model_ids:
        a = ModelAliasRow
        stmt = select(a.model_id, a.alias, a.version).where(a.model_id.in_(model_ids))
        for model_id, name, number in s.execute(stmt.order_by(a.alias)).tuples():
            out[model_id][name] = number
    return out


def aliases_of_version(s: Session, model_id: int, number: int) -> Sequence[ModelAliasRow]:
    stmt = select(ModelAliasRow).where(
        ModelAliasRow.model_id == model_id, ModelAliasRow.version == number
    )
    return s.scalars(stmt.order_by(ModelAliasRow.alias)).all()


def add_event(s: Session, row: ModelAliasEventRow) -> None:
    s.add(row)
    s.flush()


def events_page(
    s: Session, model_id: int, alias_name: str | None, limit: int, cursor: str | None
) -> tuple[Sequence[ModelAliasEventRow], str | None]:
    """Alias moves, newest first."""
    stmt = select(ModelAliasEventRow).where(ModelAliasEventRow.model_id == model_id)
    if alias_name is not None:
        stmt = stmt.where(ModelAliasEventRow.alias == alias_name)
    return page(s, stmt, ModelAliasEventRow.id, limit, cursor, descending=True)
