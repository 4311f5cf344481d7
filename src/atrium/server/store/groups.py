"""Group and membership queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from atrium.server.store.paging import page
from atrium.server.store.tables import (
    DatasetRow,
    GroupQuotaRow,
    GroupRow,
    InvitationRow,
    MemberQuotaRow,
    MembershipRow,
    ReservationRow,
    UserRow,
)


def by_name(session: Session, name: str) -> GroupRow | None:
    return session.scalar(select(GroupRow).where(GroupRow.name == name))


def by_id(session: Session, group_id: int) -> GroupRow | None:
    return session.get(GroupRow, group_id)


def list_page(
    session: Session, limit: int, cursor: str | None, member_id: int | None
) -> tuple[Sequence[GroupRow], str | None]:
    """All groups, or only those ``member_id`` belongs to."""
    stmt = select(GroupRow)
    if member_id is not None:
        stmt = stmt.join(MembershipRow, MembershipRow.group_id == GroupRow.id).where(
            MembershipRow.user_id == member_id
        )
    return page(session, stmt, GroupRow.name, limit, cursor)


def add(session: Session, row: GroupRow) -> GroupRow:
    session.add(row)
    session.flush()
    return row


def delete(session: Session, row: GroupRow) -> None:
    session.delete(row)
    session.flush()


def member_counts(session: Session, group_ids: Sequence[int]) -> dict[int, int]:
    if not group_ids:
        return {}
    stmt = (
        select(MembershipRow.group_id, func.count())
        .where(MembershipRow.group_id.in_(group_ids))
        .group_by(MembershipRow.group_id)
    )
    return {gid: int(n) for gid, n in session.execute(stmt).tuples()}


def dependents(session: Session, group_id: int) -> dict[str, int]:
    """What deleting the group would remove, by kind."""
    columns = {
        "members": MembershipRow.group_id,
        "invitations": InvitationRow.group_id,
        "member_quotas": MemberQuotaRow.group_id,
        "reservations": ReservationRow.group_id,
        "datasets": DatasetRow.group_id,
    }
    return {
        label: int(session.scalar(select(func.count()).where(column == group_id)) or 0)
        for label, column in columns.items()
    }


def membership(session: Session, group_id: int, user_id: int) -> MembershipRow | None:
    return session.get(MembershipRow, (group_id, user_id))


def count_admins(session: Session, group_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(MembershipRow)
        .where(MembershipRow.group_id == group_id, MembershipRow.role == "admin")
    )
    return int(session.scalar(stmt) or 0)


def roles_of(session: Session, user_id: int) -> list[tuple[GroupRow, str]]:
    stmt = (
        select(GroupRow, MembershipRow.role)
        .join(MembershipRow, MembershipRow.group_id == GroupRow.id)
        .where(MembershipRow.user_id == user_id)
        .order_by(GroupRow.name)
    )
    return [(g, r) for g, r in session.execute(stmt).tuples()]


def members_page(
    session: Session, group_id: int, limit: int, cursor: str | None
) -> tuple[list[tuple[UserRow, MembershipRow]], str | None]:
    users: Sequence[UserRow]
    users, next_cursor = page(
        session,
        select(UserRow)
        .join(MembershipRow, MembershipRow.user_id == UserRow.id)
        .where(MembershipRow.group_id == group_id),
        UserRow.username,
        limit,
        cursor,
    )
    # One query for the page's memberships, not one per member.
    stmt = select(MembershipRow).where(
        MembershipRow.group_id == group_id, MembershipRow.user_id.in_([u.id for u in users])
    )
    memberships = {m.user_id: m for m in session.scalars(stmt)}
    return [(u, memberships[u.id]) for u in users], next_cursor


def add_membership(session: Session, row: MembershipRow) -> MembershipRow:
    session.add(row)
    session.flush()
    return row


def delete_membership(session: Session, row: MembershipRow) -> None:
    session.delete(row)
    session.flush()


def add_quota_row(session: Session, row: GroupQuotaRow) -> None:
    session.add(row)
    session.flush()
