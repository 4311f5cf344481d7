"""Group secret queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from atrium.server.store.paging import page
from atrium.server.store.tables import SecretRow


def by_name(session: Session, group_id: int, name: str) -> SecretRow | None:
    return session.scalar(
        select(SecretRow).where(SecretRow.group_id == group_id, SecretRow.name == name)
    )


def by_names(session: Session, group_id: int, names: Sequence[str]) -> list[SecretRow]:
    if not names:
        return []
    stmt = select(SecretRow).where(SecretRow.group_id == group_id, SecretRow.name.in_(names))
    return list(session.scalars(stmt))


def list_page(
    session: Session, group_id: int, limit: int, cursor: str | None
) -> tuple[Sequence[SecretRow], str | None]:
    stmt = select(SecretRow).where(SecretRow.group_id == group_id)
    return page(session, stmt, SecretRow.name, limit, cursor)


def add(session: Session, row: SecretRow) -> SecretRow:
    session.add(row)
    session.flush()
    return row


def remove(session: Session, row: SecretRow) -> None:
    session.delete(row)
    session.flush()
