"""Experiment queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from atrium.server.store.paging import page
from atrium.server.store.tracking_tables import ExperimentRow, RunRow


def by_name(s: Session, group_id: int, name: str, lock: bool = False) -> ExperimentRow | None:
    stmt = select(ExperimentRow).where(
        ExperimentRow.group_id == group_id,
        ExperimentRow.name == name,
        ExperimentRow.deleted_at.is_(None),
    )
    return s.scalar(stmt.with_for_update() if lock else stmt)


def by_id(s: Session, group_id: int, experiment_id: int) -> ExperimentRow | None:
    stmt = select(ExperimentRow).where(
        ExperimentRow.group_id == group_id,
        ExperimentRow.id == experiment_id,
        ExperimentRow.deleted_at.is_(None),
    )
    return s.scalar(stmt)


def ids_by_names(s: Session, group_id: int, wanted: Sequence[str]) -> dict[str, int]:
    stmt = select(ExperimentRow.name, ExperimentRow.id).where(
        ExperimentRow.group_id == group_id,
        ExperimentRow.name.in_(set(wanted)),
        ExperimentRow.deleted_at.is_(None),
    )
    return {n: i for n, i in s.execute(stmt).tuples()}


def list_page(
    s: Session, group_id: int, name: str | None, limit: int, cursor: str | None
) -> tuple[Sequence[ExperimentRow], str | None]:
    stmt = select(ExperimentRow).where(
        ExperimentRow.group_id == group_id, ExperimentRow.deleted_at.is_(None)
    )
    if name is not None:
        stmt = stmt.where(ExperimentRow.name == name)
    return page(s, stmt, ExperimentRow.id, limit, cursor)


def run_stats(s: Session, ids: Sequence[int]) -> dict[int, tuple[int, datetime]]:
    """Experiment id -> (live runs, when the newest started), for experiments with runs."""
    if not ids:
        return {}
    stmt = (
        select(RunRow.experiment_id, func.count(), func.max(RunRow.start_time))
        .where(RunRow.experiment_id.in_(ids), RunRow.deleted_at.is_(None))
        .group_by(RunRow.experiment_id)
    )
    return {i: (int(n), last) for i, n, last in s.execute(stmt).tuples()}


def add(s: Session, row: ExperimentRow) -> ExperimentRow:
    s.add(row)
    s.flush()
    return row


def delete_runs(s: Session, experiment_id: int, when: datetime) -> int:
    """Soft-delete the experiment's live runs with it; returns how many."""
    result = s.execute(
        update(RunRow)
        .where(RunRow.experiment_id == experiment_id, RunRow.deleted_at.is_(None))
        .values(deleted_at=when)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
