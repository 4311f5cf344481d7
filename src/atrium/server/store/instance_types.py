"""Instance type queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete as sql_delete
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from atrium.server.store.paging import page
from atrium.server.store.tables import GroupRow, InstanceTypeGrantRow, InstanceTypeRow


def by_name(session: Session, name: str) -> InstanceTypeRow | None:
    return session.scalar(select(InstanceTypeRow).where(InstanceTypeRow.name == name))


def list_page(
    session: Session, limit: int, cursor: str | None, visible_to: Sequence[int] | None
) -> tuple[Sequence[InstanceTypeRow], str | None]:
    """All types, or the global ones plus those granted to any of ``visible_to`` groups."""
    stmt = select(InstanceTypeRow)
    if visible_to is not None:
        granted = exists().where(
            InstanceTypeGrantRow.instance_type_id == InstanceTypeRow.id,
            InstanceTypeGrantRow.group_id.in_(visible_to),
        )
        stmt = stmt.where(InstanceTypeRow.is_global.is_(True) | granted)
    return page(session, stmt, InstanceTypeRow.name, limit, cursor)


def granted_group_names(session: Session, type_ids: Sequence[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {tid: [] for tid in type_ids}
    if not type_ids:
        return result
    stmt = (
        select(InstanceTypeGrantRow.instance_type_id, GroupRow.name)
        .join(GroupRow, GroupRow.id == InstanceTypeGrantRow.group_id)
        .where(InstanceTypeGrantRow.instance_type_id.in_(type_ids))
        .order_by(GroupRow.name)
    )
    for tid, name in session.execute(stmt).tuples():
        result[tid].append(name)
    return result


def set_grants(session: Session, type_id: int, group_ids: Sequence[int]) -> None:
    session.execute(
        sql_delete(InstanceTypeGrantRow).where(InstanceTypeGrantRow.instance_type_id == type_id)
    )
    session.add_all(InstanceTypeGrantRow(instance_type_id=type_id, group_id=g) for g in group_ids)
    session.flush()


def add(session: Session, row: InstanceTypeRow) -> InstanceTypeRow:
    session.add(row)
    session.flush()
    return row


def delete(session: Session, row: InstanceTypeRow) -> None:
    session.delete(row)
    session.flush()
