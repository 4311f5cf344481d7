"""Schedule and schedule-run queries.

Ticker replicas on PostgreSQL claim a due schedule with ``FOR UPDATE SKIP LOCKED``: a schedule
another replica is ticking is skipped, and once that replica commits the row's ``next_run_at``
has moved on, so PostgreSQL's re-check of the WHERE clause drops it too. SQLite ignores the
clause; its single writer (``BEGIN IMMEDIATE``) already serialises the claims.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from atrium.server.store.paging import page
from atrium.server.store.tables import ScheduleRow, ScheduleRunRow


def by_name(s: Session, group_id: int, name: str, lock: bool = False) -> ScheduleRow | None:
    stmt = select(ScheduleRow).where(ScheduleRow.group_id == group_id, ScheduleRow.name == name)
    if lock:
        stmt = stmt.with_for_update()
    return s.scalar(stmt)


def list_page(
    s: Session, group_id: int, enabled: bool | None, limit: int, cursor: str | None
) -> tuple[Sequence[ScheduleRow], str | None]:
    stmt = select(ScheduleRow).where(ScheduleRow.group_id == group_id)
    if enabled is not None:
        stmt = stmt.where(ScheduleRow.enabled.is_(enabled))
    return page(s, stmt, ScheduleRow.name, limit, cursor)


def add(s: Session, row: ScheduleRow) -> ScheduleRow:
    s.add(row)
    s.flush()
    return row


def remove(s: Session, row: ScheduleRow) -> None:
    s.delete(row)
    s.flush()


def claim_due(s: Session, now: datetime) -> ScheduleRow | None:
    """The most overdue enabled schedule, locked, that no other replica is ticking."""
    stmt = (
        select(ScheduleRow)
        .where(ScheduleRow.enabled.is_(True), ScheduleRow.next_run_at <= now)
        .order_by(ScheduleRow.next_run_at, ScheduleRow.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return s.scalar(stmt)


def add_run(s: Session, row: ScheduleRunRow) -> ScheduleRunRow:
    s.add(row)
    s.flush()
    return row


def runs_page(
    s: Session, schedule_id: int, limit: int, cursor: str | None
) -> tuple[Sequence[ScheduleRunRow], str | None]:
    """Newest first."""
    stmt = select(ScheduleRunRow).where(ScheduleRunRow.schedule_id == schedule_id)
    return page(s, stmt, ScheduleRunRow.id, limit, cursor, descending=True)


def latest_runs(s: Session, schedule_ids: Sequence[int]) -> dict[int, ScheduleRunRow]:
    if not schedule_ids:
        return {}
    newest = (
        select(func.max(ScheduleRunRow.id))
        .where(ScheduleRunRow.schedule_id.in_(schedule_ids))
        .group_by(ScheduleRunRow.schedule_id)
    )
    rows = s.scalars(select(ScheduleRunRow).where(ScheduleRunRow.id.in_(newest)))
    return {r.schedule_id: r for r in rows}


def prune_runs(s: Session, schedule_id: int, keep: int) -> None:
    """Drop all but the newest ``keep`` runs of the schedule."""
    oldest_kept = s.scalar(
        select(ScheduleRunRow.id)
        .where(ScheduleRunRow.schedule_id == schedule_id)
        .order_by(ScheduleRunRow.id.desc())
        .offset(keep - 1)
        .limit(1)
    )
    if oldest_kept is not None:
        s.execute(
            delete(ScheduleRunRow).where(
                ScheduleRunRow.schedule_id == schedule_id, ScheduleRunRow.id < oldest_kept
            )
        )
