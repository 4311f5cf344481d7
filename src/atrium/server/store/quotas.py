"""Quota limits and reservations.

Admission is serialised per group by locking the group's quota row: ``SELECT ... FOR UPDATE``
on PostgreSQL; on SQLite the write transaction already holds the database's single write lock.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from atrium.server.domain.model import RESOURCES
from atrium.server.store.tables import GroupQuotaRow, MemberQuotaRow, ReservationRow


def group_quota(session: Session, group_id: int, lock: bool = False) -> GroupQuotaRow:
    stmt = select(GroupQuotaRow).where(GroupQuotaRow.group_id == group_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one()


def member_quota(session: Session, group_id: int, user_id: int) -> MemberQuotaRow | None:
    return session.get(MemberQuotaRow, (group_id, user_id))


def member_quotas(session: Session, group_id: int) -> Sequence[MemberQuotaRow]:
    return session.scalars(select(MemberQuotaRow).where(MemberQuotaRow.group_id == group_id)).all()


def add_member_quota(session: Session, row: MemberQuotaRow) -> MemberQuotaRow:
    session.add(row)
    session.flush()
    return row


def delete_member_quota(session: Session, group_id: int, user_id: int) -> None:
    row = member_quota(session, group_id, user_id)
    if row is not None:
        session.delete(row)
        session.flush()


def used(session: Session, group_id: int, user_id: int | None = None) -> dict[str, float]:
    """Sum of active reservations in a group, or of one user in it."""
    columns = [func.coalesce(func.sum(getattr(ReservationRow, r)), 0) for r in RESOURCES]
    stmt = select(*columns).where(ReservationRow.group_id == group_id, ReservationRow.active)
    if user_id is not None:
        stmt = stmt.where(ReservationRow.user_id == user_id)
    values = session.execute(stmt).one()
    return dict(zip(RESOURCES, (float(v) for v in values), strict=True))


def reservation(session: Session, reservation_id: str, lock: bool = False) -> ReservationRow | None:
    stmt = select(ReservationRow).where(ReservationRow.id == reservation_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def active_by_holder(session: Session, group_id: int, holder: str) -> Sequence[ReservationRow]:
    stmt = select(ReservationRow).where(
        ReservationRow.group_id == group_id,
        ReservationRow.holder == holder,
        ReservationRow.active,
    )
    return session.scalars(stmt).all()


def add_reservation(session: Session, row: ReservationRow) -> ReservationRow:
    session.add(row)
    session.flush()
    return row
