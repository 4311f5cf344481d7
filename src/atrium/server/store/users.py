"""User queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from atrium.server.store.paging import page
from atrium.server.store.tables import UserRow


def by_username(session: Session, username: str) -> UserRow | None:
    return session.scalar(select(UserRow).where(UserRow.username == username))


def by_id(session: Session, user_id: int) -> UserRow | None:
    return session.get(UserRow, user_id)


def list_page(
    session: Session, limit: int, cursor: str | None, query: str | None
) -> tuple[Sequence[UserRow], str | None]:
    stmt = select(UserRow)
    if query:
        pattern = f"%{query.lower()}%"
        stmt = stmt.where(
            func.lower(UserRow.username).like(pattern)
            | func.lower(func.coalesce(UserRow.email, "")).like(pattern)
            | func.lower(func.coalesce(UserRow.display_name, "")).like(pattern)
        )
    return page(session, stmt, UserRow.username, limit, cursor)


def count_admins(session: Session) -> int:
    stmt = (
        select(func.count())
        .select_from(UserRow)
        .where(UserRow.is_admin.is_(True), UserRow.enabled.is_(True))
    )
    return int(session.scalar(stmt) or 0)


def add(session: Session, row: UserRow) -> UserRow:
    session.add(row)
    session.flush()
    return row


def delete(session: Session, row: UserRow) -> None:
    session.delete(row)
    session.flush()


def count_any(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(UserRow)) or 0)
