"""Allocation intervals for the usage report (job attempts; deployments and apps will join)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from atrium.server.domain.usage import Allocation
from atrium.server.store.tables import GroupRow, JobAttemptRow, UserRow


def job_allocations(
    session: Session, start: datetime, end: datetime, group_ids: Sequence[int] | None
) -> list[Allocation]:
    """Attempts whose allocation overlaps [start, end), in the given groups (None: all)."""
    a = JobAttemptRow
    stmt = (
        select(GroupRow.name, UserRow.username, a.cpu, a.memory, a.gpu, a.admitted_at, a.ended_at)
        .join(GroupRow, GroupRow.id == a.group_id)
        .outerjoin(UserRow, UserRow.id == a.user_id)
        .where(a.admitted_at < end, or_(a.ended_at.is_(None), a.ended_at > start))
    )
    if group_ids is not None:
        stmt = stmt.where(a.group_id.in_(group_ids))
    return [Allocation(*row) for row in session.execute(stmt)]
