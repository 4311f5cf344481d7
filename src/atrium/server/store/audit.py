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
    if query.group is not None:
        stmt = stmt.where(t.group_name == query.group)
    if query.groups_in is not None:
        stmt = stmt.where(t.group_name.in_(query.groups_in))
    if query.actor is not None:
        stmt = stmt.where(t.actor == query.actor)
    if query.resource_type is not None:
        stmt = stmt.where(t.resource_type == query.resource_type)
    if query.since is not None:
        stmt = stmt.where(t.time >= query.since)
    if query.until is not None:
        stmt = stmt.where(t.time < query.until)
    if query.action is not None:
        # "group." matches every group action; a full name matches exactly.
        prefix = query.action.endswith(".")
        stmt = stmt.where(t.action.startswith(query.action) if prefix else t.action == query.action)
    return page(session, stmt, t.id, limit, cursor, descending=True)
