"""Audit event queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from atrium.server.domain.audit import AuditQuery
from atrium.server.store.paging import page
from atrium.server.store.tables import AuditEventRow


def add(session: Session, row: AuditEventRow) -> None:
    session.add(row)
    session.flush()


def list_page(
    session: Session, query: AuditQuery, limit: int, cursor: str | None
) -> tuple[Sequence[AuditEventRow], str | None]:
    """Newest first."""
    t = AuditEventRow
    stmt = select(t)
    filters = [
        (query.group, lambda v: t.group_name == v),
        (query.groups_in, lambda v: t.group_name.in_(v)),
        (query.actor, lambda v: t.actor == v),
        (query.resource_type, lambda v: t.resource_type == v),
        (query.since, lambda v: t.time >= v),
        (query.until, lambda v: t.time < v),
    ]
    for value, clause in filters:
        if value is not None:
            stmt = stmt.where(clause(value))
    if query.action is not None:
        # "group." matches every group action; a full name matches exactly.
        prefix = query.action.endswith(".")
        stmt = stmt.where(t.action.startswith(query.action) if prefix else t.action == query.action)
    return page(session, stmt, t.id, limit, cursor, descending=True)
